"""A center's day from the cache: what the tablet's page and ``/join`` need, one JSON snapshot
per (center, date), shared by every worker and app server through :mod:`app.cache`.

The snapshot holds the center invited sessions that the center's own manager and tablet may
see (published, or cancelled after publishing), each with its times, status, title,
instructor and room, and the next published session after the day. It does not depend on
who reads it among those users, so it is only served to a center manager of that center.
:mod:`programs.schedule.changes` says what changed; :func:`_invalidate` moves the
generations of those centers (or dates) so that their snapshots are built again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.cache import cache
from app.extensions import db
from centers.directory.models import Center
from programs.rooms.models import VideoRoom
from programs.schedule import changes
from programs.schedule.models import Session, SessionCenter

TTL = 15 * 60  # a backstop: every change moves a generation at once
GEN_TTL = 2 * 24 * 3600  # longer than any snapshot
VERSION = 1
# Days around "today" moved with a broad change of other dates (their next session).
AROUND_TODAY = (-1, 0, 1)


def day_key(center_id: int, day: date) -> str:
    return f"tablet:day:{center_id}:{day.isoformat()}"


@dataclass(frozen=True)
class Named:
    id: int | None
    name: str = ""
    title: str = ""


@dataclass(frozen=True)
class CenterView:
    id: int
    name: str
    county_id: int | None


@dataclass(frozen=True)
class SessionView:
    """A session as the snapshot keeps it, with the attributes the page and /join read."""

    id: int
    date: date
    start_time: time
    duration_minutes: int
    status: str
    program: Named
    instructor: Named
    room: Named | None

    was_published = True

    @property
    def instructor_id(self) -> int | None:
        return self.instructor.id

    @property
    def starts_at(self) -> datetime:
        return clock.local_datetime(self.date, self.start_time)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Day:
    center: CenterView
    day: date
    sessions: list[SessionView]
    next_session: SessionView | None

    def session(self, session_id: int) -> SessionView | None:
        return next((s for s in self.sessions if s.id == session_id), None)


# --- building ------------------------------------------------------------------------------


def _row(session: Session, room: str | None) -> dict[str, Any]:
    return {
        "id": session.id,
        "date": session.date.isoformat(),
        "start": session.start_time.isoformat(),
        "minutes": session.duration_minutes,
        "status": session.status,
        "program": [session.program_id, session.program.title],
        "instructor": [session.instructor_id, session.instructor.name],
        "room": room,
    }


def _center_sessions(center_id: int) -> sa.Select:
    invited = sa.select(SessionCenter.session_id).where(SessionCenter.center_id == center_id)
    return (
        sa.select(Session, VideoRoom.name)
        .outerjoin(VideoRoom, VideoRoom.session_id == Session.id)
        .where(Session.id.in_(invited), Session.was_published)
    )


def build(center: Center, day: date) -> dict[str, Any]:
    """The snapshot from the database (what a miss costs: two queries)."""
    rows = db.session.execute(
        _center_sessions(center.id)
        .where(Session.date == day)
        .order_by(Session.start_time, Session.id)
    ).all()
    upcoming = db.session.execute(
        _center_sessions(center.id)
        .where(Session.date > day, Session.status == "published")
        .order_by(Session.date, Session.start_time, Session.id)
        .limit(1)
    ).first()
    return {
        "v": VERSION,
        "center": [center.id, center.name, center.county_id],
        "day": day.isoformat(),
        "sessions": [_row(s, room) for s, room in rows],
        "next": _row(*upcoming) if upcoming else None,
    }


def _session(data: dict[str, Any]) -> SessionView:
    return SessionView(
        id=data["id"],
        date=date.fromisoformat(data["date"]),
        start_time=time.fromisoformat(data["start"]),
        duration_minutes=data["minutes"],
        status=data["status"],
        program=Named(data["program"][0], title=data["program"][1]),
        instructor=Named(data["instructor"][0], name=data["instructor"][1]),
        room=Named(None, name=data["room"]) if data["room"] else None,
    )


def load(data: dict[str, Any]) -> Day:
    center_id, name, county_id = data["center"]
    return Day(
        center=CenterView(center_id, name, county_id),
        day=date.fromisoformat(data["day"]),
        sessions=[_session(s) for s in data["sessions"]],
        next_session=_session(data["next"]) if data["next"] else None,
    )


# --- reading -------------------------------------------------------------------------------


def serves(user, center_id: int | None = None) -> bool:
    """The snapshot is the view of a center's own manager (or tablet) of its own center."""
    return (
        user.is_authenticated
        and user.role == Role.CENTER_MANAGER
        and user.center_id is not None
        and (center_id is None or center_id == user.center_id)
    )


def day_for(user, day: date | None = None, *, also: tuple[str, ...] = ()) -> tuple[Day, dict]:
    """The user's center's ``day`` (today by default), from the cache or built and stored;
    ``also`` are more cache keys fetched in the same round trip (returned as a dict).

    A snapshot keeps the generations of its center and its date it was built under; either
    moved (:func:`_invalidate`) and it is built again."""
    day = day or clock.today()
    key = day_key(user.center_id, day)
    gens = [center_gen_key(user.center_id), date_gen_key(day)]
    found = cache.get_many([key, *gens, *also])
    data = found.pop(key)
    current = [found.pop(g) for g in gens]
    if not data or data.get("v") != VERSION or data.get("gens") != current:
        from centers.directory.scope import own_center

        data = {**build(own_center(user), day), "gens": current}
        cache.set(key, data, ttl=TTL)
    return load(data), found


# --- invalidation --------------------------------------------------------------------------


def center_gen_key(center_id: int) -> str:
    return f"tablet:gen:center:{center_id}"


def date_gen_key(day: date) -> str:
    return f"tablet:gen:date:{day.isoformat()}"


def _invalidate(change: changes.ScheduleChange) -> None:
    keys = [center_gen_key(c) for c in sorted(change.centers)]
    if change.dates:
        # Every center on those dates, and the days around today (their next session).
        today = clock.today()
        dates = change.dates | {today + timedelta(days=n) for n in AROUND_TODAY}
        keys += [date_gen_key(d) for d in sorted(dates)]
    cache.rotate_after_commit(*keys, ttl=GEN_TTL)


def init_app(app) -> None:
    changes.listen(_invalidate)
