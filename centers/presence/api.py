"""Video rooms over the API: ``/sessions/{id}/join``, presence, room replacement, and Jitsi's event_sync webhooks."""

import hmac

from flask import current_app, request
from flask_login import current_user
from marshmallow import INCLUDE, Schema, fields, validate

from app.api import Id, blueprint
from app.errors import NotFound, Unauthorized
from app.extensions import db
from centers.presence import event_sync
from centers.presence import join as video
from centers.presence import scope as presence_scope
from centers.presence import services as presence
from programs.rooms import services as rooms

blp = blueprint(
    "video_api", __name__, "", description="Video rooms: join tokens, presence, tablet pairing"
)

events_blp = blueprint(
    "jitsi_events",
    __name__,
    "/jitsi/events",
    description="Jitsi's event_sync webhooks (Authorization: Bearer JITSI_EVENTS_SECRET)",
)


class JoinArgs(Schema):
    center_id = Id(
        metadata={"description": "the center to join as (default: your own)"}
    )


class JoinSchema(Schema):
    url = fields.String(
        allow_none=True, metadata={"description": "the room's web address, with ?jwt= when signed"}
    )
    room = fields.String(
        metadata={"description": "the session's room name, exactly as in the token"}
    )
    jwt = fields.String(
        allow_none=True, metadata={"description": "null when no Jitsi secret or key is configured"}
    )
    display_name = fields.String()
    moderator = fields.Boolean()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    configured = fields.Boolean()
    mode = fields.String(metadata={"description": "selfhosted or jaas"})
    domain = fields.String(allow_none=True)
    iframe_room = fields.String(
        metadata={"description": "roomName for the IFrame API (JaaS: <AppID>/<room>)"}
    )
    participant_id = fields.String(
        metadata={"description": "context.user.id: center-<id>, instructor-<id>, user-<id>"}
    )
    opens_at = fields.DateTime(metadata={"description": "when the tablet's join button opens"})
    not_before = fields.DateTime(metadata={"description": "the token's nbf"})
    expires_at = fields.DateTime(metadata={"description": "the token's exp"})
    external_api_url = fields.String(allow_none=True)


# What the page's IFrame API reports: joined, left (asked for), dropped (the connection failed
# or the conference ended without the user leaving) and join_failed (the room could not open).
TABLET_EVENTS = ("joined", "left", "dropped", "join_failed")


class PresenceEventSchema(Schema):
    event = fields.String(required=True, validate=validate.OneOf(TABLET_EVENTS))
    participant_id = fields.String(
        validate=validate.Length(max=200),
        load_default=None,
        metadata={"description": "the id the IFrame API gave this participant"},
    )
    center_id = Id(load_default=None)


class PresenceCenterSchema(Schema):
    center_id = fields.Integer()
    name = fields.String()
    in_room = fields.Boolean()
    joined_at = fields.DateTime(allow_none=True)
    left_at = fields.DateTime(allow_none=True)


class PresenceSchema(Schema):
    session_id = fields.Integer()
    in_room = fields.Integer(metadata={"description": "invited centers in the room right now"})
    invited = fields.Integer()
    instructor_in_room = fields.Boolean()
    centers = fields.List(fields.Nested(PresenceCenterSchema))


class PresenceResultSchema(Schema):
    status = fields.String()
    event = fields.String()
    in_room = fields.Integer()


class ReplacedRoomSchema(Schema):
    session_id = fields.Integer()
    name = fields.String()


class OccupantSchema(Schema):
    class Meta:
        unknown = INCLUDE

    occupant_jid = fields.String(required=True)
    id = fields.Raw(allow_none=True, metadata={"description": "context.user.id of the token"})
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    joined_at = fields.Integer(allow_none=True)
    left_at = fields.Integer(allow_none=True)


class JitsiEventSchema(Schema):
    class Meta:
        unknown = INCLUDE

    event_name = fields.String()
    room_name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    room_jid = fields.String()
    is_breakout = fields.Boolean(load_default=False)
    breakout_room_id = fields.String(allow_none=True)
    created_at = fields.Integer(allow_none=True)
    destroyed_at = fields.Integer(allow_none=True)
    active_occupants_count = fields.Integer(allow_none=True)
    occupant = fields.Nested(OccupantSchema)
    all_occupants = fields.List(fields.Nested(OccupantSchema))


class JitsiEventResultSchema(Schema):
    status = fields.String(metadata={"description": "recorded or ignored"})
    reason = fields.String()
    session_id = fields.Integer()
    in_room = fields.Integer()


@blp.route("/sessions/<int:session_id>/join", methods=["GET"])
@blp.arguments(JoinArgs, location="query")
@blp.response(200, JoinSchema)
def join(args, session_id: int):
    """The room, URL and signed token for the caller: a center's tablet or manager (own center),
    the session's instructor or a coordinator (moderators). Others: 403/404."""
    details = video.join(current_user, session_id, args.get("center_id"))
    db.session.commit()
    return details


@blp.route("/sessions/<int:session_id>/presence", methods=["POST"])
@blp.arguments(PresenceEventSchema)
@blp.response(200, PresenceResultSchema)
def report_presence(data, session_id: int):
    """The page's IFrame API saw this participant join or leave the room."""
    result = video.report(
        current_user, session_id, data["event"], data["participant_id"], data["center_id"]
    )
    db.session.commit()
    return result


@blp.route("/sessions/<int:session_id>/presence", methods=["GET"])
@blp.response(200, PresenceSchema)
def get_presence(session_id: int):
    """Which invited centers are in the room now (staff and the session's instructor)."""
    session = presence_scope.get_watchable_session(current_user, session_id)
    return presence.room_status(session)


@blp.route("/sessions/<int:session_id>/room", methods=["POST"])
@blp.response(200, ReplacedRoomSchema)
def replace_room(session_id: int):
    """Give the session a new room name (coordinator). Editing a session keeps its room."""
    session = presence_scope.get_watchable_session(current_user, session_id)
    room = rooms.replace_room(current_user, session, source="api")
    db.session.commit()
    return {"session_id": session.id, "name": room.name}


@events_blp.before_request
def _authenticate_jitsi():
    """``Authorization: Bearer JITSI_EVENTS_SECRET`` or 401, before the body is even read."""
    secret = (current_app.config.get("JITSI_EVENTS_SECRET") or "").strip()
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not secret or not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Unauthorized()


@events_blp.route("/<string:group>/<string:action>", methods=["POST"])
@events_blp.arguments(JitsiEventSchema)
@events_blp.response(200, JitsiEventResultSchema)
@events_blp.doc(security=[])
def jitsi_event(payload, group: str, action: str):
    """One event_sync call: ``occupant/joined``, ``occupant/left``, ``room/created`` or
    ``room/destroyed``. Unknown rooms and occupants are acknowledged and ignored."""
    kind = f"{group}/{action}"
    if kind not in event_sync.KINDS:
        raise NotFound()
    result = event_sync.jitsi_event(kind, payload)
    db.session.commit()
    return result
