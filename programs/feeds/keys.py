"""Calendar keys: the secret in a feed address, rotated on demand. Flush, never commit."""


import sqlalchemy as sa

from app import audit
from app.errors import Forbidden
from app.extensions import db
from programs.catalog.models import Instructor, new_calendar_key
from programs.feeds import scope as feed_scope
from programs.schedule import calendar_rules as rules
from programs.schedule import changes


def rotate_instructor_key(user, instructor: Instructor, source: str = "api") -> str:
    if not feed_scope.can_manage_instructor_calendar(user, instructor.id):
        raise Forbidden()
    instructor.calendar_key = new_calendar_key()
    db.session.flush()
    audit.record(user, "instructor.calendar_key", "instructor", instructor.id, source=source)
    return instructor.calendar_key


def center_calendar_key(center_id: int) -> str | None:
    t = rules.centers_table()
    return db.session.scalar(sa.select(t.c.calendar_key).where(t.c.id == center_id))


def rotate_center_key(user, center, source: str = "api") -> str:
    """A new secret for the center's feed (the old link stops working). ``center`` comes from
    :func:`app.auth.policy.get_center`; the key is written through the Core table."""
    if not feed_scope.can_manage_center_calendar(user, center):
        raise Forbidden()
    key = new_calendar_key()
    t = rules.centers_table()
    db.session.flush()
    db.session.execute(sa.update(t).where(t.c.id == center.id).values(calendar_key=key))
    db.session.expire(center, ["calendar_key"])
    changes.announce(changes.ScheduleChange(centers={center.id}))
    audit.record(user, "center.calendar_key", "center", center.id, source=source)
    return key
