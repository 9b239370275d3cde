"""Roster pages: the center's manager keeps its seniors (add, edit, mark moved or deceased)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from centers.directory import scope as center_scope
from centers.members import scope as member_scope
from centers.members import services as members
from centers.members.forms import DeleteForm, MemberEditForm, MemberForm

bp = Blueprint("members", __name__, template_folder="templates")


@bp.get("/members")
@login_required
def my_roster():
    """The menu entry of a center's manager: their own center's roster."""
    center = center_scope.own_center(current_user)
    return redirect(url_for("members.roster", center_id=center.id))


@bp.route("/centers/<int:center_id>/members", methods=["GET", "POST"])
@login_required
def roster(center_id: int):
    center = center_scope.get_center(current_user, center_id)
    rows = members.list_members(current_user, center)
    can_manage = center_scope.can_manage_center(current_user, center)
    form = MemberForm()
    if form.is_submitted():
        member_scope.require_member_manager(current_user, center)
        if form.validate():
            member = members.create_member(
                current_user,
                center,
                source="page",
                name=form.name.data,
                birth_year=form.birth_year.data,
                phone=form.phone.data,
                note=form.note.data or "",
            )
            db.session.commit()
            flash(_("%(name)s 어르신을 등록했습니다.", name=member.name), "success")
            return redirect(url_for("members.roster", center_id=center.id))
    return render_template(
        "members/roster.html",
        center=center,
        members=rows,
        form=form,
        can_manage=can_manage,
        show_contact=member_scope.can_see_member_contact(current_user, center),
        with_attendance=members.ids_with_attendance(center),
    ), (422 if form.errors else 200)


@bp.route("/centers/<int:center_id>/members/<int:member_id>", methods=["GET", "POST"])
@login_required
def edit(center_id: int, member_id: int):
    center, member = members.get_member(current_user, center_id, member_id)
    member_scope.require_member_manager(current_user, center)
    form = MemberEditForm(obj=member)
    if form.validate_on_submit():
        members.update_member(
            current_user,
            center,
            member,
            {
                "name": form.name.data,
                "birth_year": form.birth_year.data,
                "phone": form.phone.data,
                "note": form.note.data or "",
                "status": form.status.data,
            },
            source="page",
        )
        db.session.commit()
        flash(_("저장했습니다."), "success")
        return redirect(url_for("members.roster", center_id=center.id))
    return render_template(
        "members/edit.html",
        center=center,
        member=member,
        form=form,
        delete_form=DeleteForm(),
        deletable=not members.has_attendance(member),
    ), (422 if form.errors else 200)


@bp.route("/centers/<int:center_id>/members/<int:member_id>/delete", methods=["GET", "POST"])
@login_required
def delete(center_id: int, member_id: int):
    """GET asks to confirm; POST deletes."""
    center, member = members.get_member(current_user, center_id, member_id)
    form = DeleteForm()
    if request.method == "GET":
        member_scope.require_member_manager(current_user, center)
        return render_template(
            "auth/confirm.html", form=form, title=_("명단에서 삭제"),
            question=_("%(name)s 어르신을 명단에서 삭제할까요? 되돌릴 수 없습니다.", name=member.name),
            confirm_label=_("삭제"),
            cancel_url=url_for("members.edit", center_id=center.id, member_id=member.id),
        )
    if form.validate_on_submit():
        name = member.name
        members.delete_member(current_user, center, member, source="page")
        db.session.commit()
        flash(_("%(name)s 어르신을 명단에서 삭제했습니다.", name=name), "success")
    return redirect(url_for("members.roster", center_id=center.id))
