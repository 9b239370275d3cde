"""Entering a session's video room: who joins as whom, and the signed way in.

The rule of who may join is :func:`app.auth.policy.get_joinable_session`; the token comes from
the provider ``JITSI_MODE`` names (:mod:`programs.rooms`). A center joins as a participant
under its own name (``center-<id>``); the session's instructor (``instructor-<id>``) and
coordinators (``user-<id>``) join as moderators.
"""

from app.auth.models import Role
from centers.presence import scope as presence_scope
from centers.presence import services as presence
from centers.tablet import day_cache
from programs.rooms import services as rooms


def participant_for(user, session, center) -> rooms.Participant:
    if center is not None:
        return rooms.Participant(
            id=presence.center_participant(center.id), name=center.name, moderator=False
        )
    moderator = presence_scope.joins_as_moderator(user, session, center)
    if user.role == Role.INSTRUCTOR:
        return rooms.Participant(
            id=f"instructor-{user.instructor_id}", name=session.instructor.name, moderator=moderator
        )
    return rooms.Participant(id=f"user-{user.id}", name=user.name, moderator=moderator)


def join(user, session_id: int, center_id: int | None = None) -> rooms.JoinDetails:
    """The room, URL and token for ``user`` (403/404 per policy). ``jwt`` is None when Jitsi
    is not configured; the token's ``nbf``/``exp`` decide when the room can be entered."""
    found = _from_the_day(user, session_id, center_id)
    if found is None:
        session, center = presence_scope.get_joinable_session(user, session_id, center_id)
    else:
        session, center = found
    return rooms.provider().join(session, participant_for(user, session, center))


def _from_the_day(user, session_id: int, center_id: int | None):
    """A center's own manager or tablet joining one of today's published sessions that has
    its room: from the cached day, no query. Anything else (another day, a cancelled
    session, no room yet, another role) takes the checked path, with its errors."""
    if not day_cache.serves(user, center_id):
        return None
    day, _ = day_cache.day_for(user)
    session = day.session(session_id)
    if session is None or session.status != "published" or session.room is None:
        return None
    return session, day.center


def report(
    user, session_id: int, event: str, endpoint: str | None, center_id: int | None = None
) -> dict:
    """An IFrame event (``joined``/``left``) the page saw, recorded as presence."""
    session, center = presence_scope.get_joinable_session(user, session_id, center_id)
    participant = participant_for(user, session, center)
    source = "tablet" if user.role == Role.CENTER_MANAGER else "page"
    return presence.tablet_event(
        user,
        session,
        participant.id,
        center.id if center else None,
        event,
        endpoint,
        display_name=participant.name,
        source=source,
    )
