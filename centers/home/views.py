"""Pages that gather every feature: each role's home page and a center's page."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app import clock
from app.auth.models import Role, User
from app.auth.policy import is_staff
from app.extensions import db
from centers.directory import scope as center_scope
from centers.home.services import home_context
from centers.members import scope as member_scope
from centers.members.models import Member
from programs.schedule import scope as session_scope
from programs.schedule.models import Session, SessionCenter

bp = Blueprint("home", __name__, template_folder="templates")

HOME_TEMPLATES = {
    Role.ADMIN: "home/staff.html",
    Role.COORDINATOR: "home/staff.html",
    Role.INSTRUCTOR: "home/instructor.html",
    Role.CENTER_MANAGER: "home/center.html",
    Role.COUNTY_VIEWER: "home/county.html",
}


def home_page(user: User) -> tuple[str, dict]:
    """What ``/home`` shows each role (registered with :func:`app.main.register_home`)."""
    return HOME_TEMPLATES[Role(user.role)], home_context(user)


@bp.get("/centers/<int:center_id>")
@login_required
def center_detail(center_id: int):
    center = center_scope.get_center(current_user, center_id)
    today = clock.today()
    upcoming_stmt = (
        sa.select(Session)
        .join(SessionCenter, SessionCenter.session_id == Session.id)
        .where(SessionCenter.center_id == center.id, Session.date >= today)
        .order_by(Session.date, Session.start_time)
        .limit(10)
    )
    upcoming = list(db.session.scalars(session_scope.scope_sessions(upcoming_stmt, current_user)))
    member_count = db.session.scalar(
        sa.select(sa.func.count(Member.id)).where(Member.center_id == center.id, Member.status == "active")
    )
    members = None
    if member_scope.can_see_member_names(current_user, center):
        members = list(db.session.scalars(
            sa.select(Member).where(Member.center_id == center.id).order_by(Member.status, Member.name)
        ))
    from centers.reports.views import center_report_context

    return render_template(
        "home/center_detail.html", center=center, upcoming=upcoming, member_count=member_count,
        members=members, period=center.county.period_on(today), today=today,
        show_phone=center_scope.can_see_contact_phone(current_user, center),
        can_edit_center=is_staff(current_user),
        **center_report_context(center),
    )
