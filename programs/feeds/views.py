"""``/calendar/centers/{id}.ics`` and ``/calendar/instructors/{id}.ics``: secret-key feeds
with an ETag, answering 304 to ``If-None-Match``."""

from flask import Blueprint, Response, request

from programs.feeds import ical

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


def _respond(body: bytes, filename: str) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(ical.etag(body))
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)


@bp.get("/centers/<int:center_id>.ics")
def center_feed(center_id: int):
    return _respond(
        ical.center_feed(center_id, request.args.get("key")), f"ieum-center-{center_id}.ics"
    )


@bp.get("/instructors/<int:instructor_id>.ics")
def instructor_feed(instructor_id: int):
    return _respond(
        ical.instructor_feed(instructor_id, request.args.get("key")),
        f"ieum-instructor-{instructor_id}.ics",
    )
