"""Pages: counties, centers, a center's page."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app import clock
from app.auth import policy
from app.extensions import db
from app.params import id_arg
from centers import services
from centers.models import Member
from programs.models import Session, SessionCenter

bp = Blueprint("centers", __name__, template_folder="templates")


@bp.get("/counties")
@login_required
def county_list():
    counties = services.list_counties(current_user)
    centers = services.list_centers(current_user)
    by_county: dict[int, list] = {}
    for center in centers:
        by_county.setdefault(center.county_id, []).append(center)
    return render_template("centers/county_list.html", counties=counties, by_county=by_county,
                           today=clock.today())


@bp.get("/centers")
@login_required
def center_list():
    county_id = id_arg("county_id")
    county = policy.get_county(current_user, county_id) if county_id else None
    centers = services.list_centers(current_user, county_id=county_id)
    counties = services.list_counties(current_user)
    return render_template("centers/center_list.html", centers=centers, county=county, counties=counties)


@bp.get("/centers/<int:center_id>")
@login_required
def center_detail(center_id: int):
    center = policy.get_center(current_user, center_id)
    today = clock.today()
    upcoming_stmt = (
        sa.select(Session)
        .join(SessionCenter, SessionCenter.session_id == Session.id)
        .where(SessionCenter.center_id == center.id, Session.date >= today)
        .order_by(Session.date, Session.start_time)
        .limit(10)
    )
    upcoming = list(db.session.scalars(policy.scope_sessions(upcoming_stmt, current_user)))
    member_count = db.session.scalar(
        sa.select(sa.func.count(Member.id)).where(Member.center_id == center.id, Member.status == "active")
    )
    members = None
    if policy.can_see_member_names(current_user, center):
        members = list(db.session.scalars(
            sa.select(Member).where(Member.center_id == center.id).order_by(Member.status, Member.name)
        ))
    from centers.report_views import center_report_context

    return render_template(
        "centers/center_detail.html", center=center, upcoming=upcoming, member_count=member_count,
        members=members, period=center.county.period_on(today), today=today,
        **center_report_context(center),
    )
