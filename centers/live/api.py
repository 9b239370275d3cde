"""``/api/v1/live/today``, ``/api/v1/sessions/{id}/live``, ``/api/v1/sessions/{id}/help`` and
its resolution (API.md)."""

from flask_login import current_user

from app.api import blueprint
from app.extensions import db
from centers.live import services as live
from centers.live.schemas import (
    HelpRequestSchema,
    HelpSchema,
    ResolveSchema,
    SessionLiveSchema,
    TodayArgs,
    TodaySchema,
)
from centers.tablet.sources import request_source

blp = blueprint(
    "live_api", __name__, "", description="The live board: who is in the room, and calls for help"
)


@blp.route("/live/today", methods=["GET"])
@blp.arguments(TodayArgs, location="query")
@blp.response(200, TodaySchema)
def today(args):
    """Today's published sessions with their centers counted (coordinators every center; a
    county viewer its own county's; an instructor their own sessions)."""
    return live.today(current_user, args.get("county_id"))


@blp.route("/sessions/<int:session_id>/live", methods=["GET"])
@blp.response(200, SessionLiveSchema)
def session_live(session_id: int):
    """One ``center_live`` per invited center the caller sees."""
    return live.session_live(current_user, session_id)


@blp.route("/sessions/<int:session_id>/help", methods=["POST"])
@blp.arguments(HelpRequestSchema)
@blp.response(201, HelpSchema)
@blp.alt_response(200, schema=HelpSchema, description="a request was already open: that one")
def request_help(data, session_id: int):
    """A center's manager or tablet asks for help, from 15 minutes before the start to the end.
    Asking again while one is open changes nothing (200, the same request)."""
    request, created = live.request_help(
        current_user, session_id, data["center_id"], data["message"],
        source=request_source(current_user),
    )
    db.session.commit()
    return request, 201 if created else 200


@blp.route("/sessions/<int:session_id>/help/<int:center_id>/resolve", methods=["POST"])
@blp.arguments(ResolveSchema)
@blp.response(200, HelpSchema)
def resolve_help(data, session_id: int, center_id: int):
    """A coordinator resolves the center's open request, with an optional note."""
    request = live.resolve_help(
        current_user, session_id, center_id, data["note"], source=request_source(current_user)
    )
    db.session.commit()
    return request
