"""Pages: counties and centers."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import clock
from app.auth import policy
from app.errors import AppError
from app.extensions import db
from app.params import id_arg
from centers.directory import scope as center_scope
from centers.directory import services
from centers.directory.forms import CenterForm

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


@bp.route("/centers/<int:center_id>/edit", methods=["GET", "POST"])
@login_required
def center_edit(center_id: int):
    """The center form (coordinators): name, address, capacity, contact phone, active."""
    center = center_scope.get_center(current_user, center_id)
    policy.require_staff(current_user)
    form = CenterForm(obj=center)
    if form.validate_on_submit():
        changes = {
            "name": form.name.data,
            "address": (form.address.data or "").strip(),
            "capacity": form.capacity.data,
            "contact_phone": form.contact_phone.data,
            "active": form.active.data,
        }
        try:
            services.update_center(current_user, center, changes, source="page")
        except AppError as exc:
            db.session.rollback()
            field = getattr(form, exc.details.get("field", ""), None) or form.name
            field.errors = [*field.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("저장했습니다."), "success")
            return redirect(url_for("home.center_detail", center_id=center.id))
    return render_template("directory/center_form.html", center=center, form=form), (
        422 if form.errors else 200
    )
