"""``/calendar/centers/{id}.ics`` and ``/calendar/instructors/{id}.ics``: secret-key feeds
with an ETag, answering 304 to ``If-None-Match``."""

from flask import Blueprint, Response, request

from programs.feeds import stored

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _respond(kind: str, feed_id: int, filename: str) -> Response:
    """The stored feed (see :mod:`programs.feeds.stored`): a 304 renders nothing."""
    known = request.if_none_match.as_set() if request.method == "GET" else set()
    etag, body = stored.feed(kind, feed_id, request.args.get("key"), known)
    response = Response(body or b"", content_type="text/calendar; charset=utf-8")
    response.set_etag(etag)
    if body is None:
        response.status_code = 304
        response.set_data(b"")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)


@bp.get("/centers/<int:center_id>.ics")
def center_feed(center_id: int):
    return _respond(stored.CENTER, center_id, f"ieum-center-{center_id}.ics")


@bp.get("/instructors/<int:instructor_id>.ics")
def instructor_feed(instructor_id: int):
    return _respond(stored.INSTRUCTOR, instructor_id, f"ieum-instructor-{instructor_id}.ics")
