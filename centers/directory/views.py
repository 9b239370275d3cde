"""Pages: counties and centers."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app import clock
from app.params import id_arg
from centers.directory import scope as center_scope
from centers.directory import services

bp = Blueprint("centers", __name__, template_folder="templates")


@bp.get("/counties")
@login_required
def county_list():
    counties = services.list_counties(current_user)
    centers = services.list_centers(current_user)
    by_county: dict[int, list] = {}
    for center in centers:
        by_county.setdefault(center.county_id, []).append(center)
    return render_template("directory/county_list.html", counties=counties, by_county=by_county,
                           today=clock.today())


@bp.get("/centers")
@login_required
def center_list():
    county_id = id_arg("county_id")
    county = center_scope.get_county(current_user, county_id) if county_id else None
    centers = services.list_centers(current_user, county_id=county_id)
    counties = services.list_counties(current_user)
    return render_template("directory/center_list.html", centers=centers, county=county, counties=counties)
