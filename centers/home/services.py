"""What each role's home page shows."""

from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.auth.models import Role
from app.extensions import db
from centers.directory import scope as center_scope
from centers.directory import services
from centers.tablet.services import center_sessions_on
from programs.schedule import scope as session_scope
from programs.schedule.models import Session


def _sessions(user, start, end, limit=50):
    stmt = (
        sa.select(Session)
        .where(Session.date.between(start, end))
        .order_by(Session.date, Session.start_time)
        .limit(limit)
    )
    return list(db.session.scalars(session_scope.scope_sessions(stmt, user)))


def home_context(user) -> dict:
    today = clock.today()
    week_start = today - timedelta(days=today.weekday())
    context: dict = {"today": today}
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        context["counties"] = services.list_counties(user)
        context["center_count"] = len(services.list_centers(user))
        context["week_sessions"] = _sessions(user, week_start, week_start + timedelta(days=13))
    elif user.role == Role.INSTRUCTOR:
        context["sessions"] = _sessions(user, today, today + timedelta(days=14))
    elif user.role == Role.CENTER_MANAGER:
        context["center"] = center_scope.get_center(user, user.center_id)
        context["today_sessions"] = center_sessions_on(user, context["center"], today)
        context["sessions"] = _sessions(user, today + timedelta(days=1), today + timedelta(days=7))
    elif user.role == Role.COUNTY_VIEWER:
        context["county"] = center_scope.get_county(user, user.county_id)
        context["centers"] = services.list_centers(user, county_id=user.county_id)
        context["week_sessions"] = _sessions(user, week_start, week_start + timedelta(days=4))
    return context
