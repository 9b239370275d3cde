"""``/api/v1/centers/{id}/members``: the roster (API.md)."""

from flask.views import MethodView
from flask_login import current_user

from app.api import Overlay, blueprint, page_of
from app.extensions import db
from centers.directory import scope as center_scope
from centers.members import scope as member_scope
from centers.members import services as members
from centers.members.schemas import MemberCreateSchema, MemberListArgs, MemberSchema, MemberUpdateSchema
from centers.tablet.sources import request_source

blp = blueprint("members_api", __name__, "", description="Members of a center")


def _member_out(user, center, member, attended: set[int]) -> Overlay:
    extra = {"has_attendance": member.id in attended}
    if not member_scope.can_see_member_contact(user, center):
        extra.update(phone=None, note="")
    return Overlay(member, **extra)


@blp.route("/centers/<int:center_id>/members")
class Members(MethodView):
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberSchema(many=True))
    def get(self, args, center_id: int):
        """The center's roster (its manager, coordinators; the county's viewer reads)."""
        center = center_scope.get_center(current_user, center_id)
        rows = members.list_members(current_user, center, status=args.get("status"), **page_of(args))
        attended = members.ids_with_attendance(center)
        return [_member_out(current_user, center, m, attended) for m in rows]

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberSchema)
    def post(self, data, center_id: int):
        """Add a member (the center's manager, coordinators)."""
        center = center_scope.get_center(current_user, center_id)
        member = members.create_member(
            current_user, center, source=request_source(current_user), **data
        )
        db.session.commit()
        return _member_out(current_user, center, member, set())


@blp.route("/centers/<int:center_id>/members/<int:member_id>")
class MemberItem(MethodView):
    @blp.response(200, MemberSchema)
    def get(self, center_id: int, member_id: int):
        center, member = members.get_member(current_user, center_id, member_id)
        return _member_out(current_user, center, member, members.ids_with_attendance(center))

    @blp.arguments(MemberUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data, center_id: int, member_id: int):
        """Edit a member, or mark them moved or deceased (``status``)."""
        center, member = members.get_member(current_user, center_id, member_id)
        members.update_member(
            current_user, center, member, data, source=request_source(current_user)
        )
        db.session.commit()
        return _member_out(current_user, center, member, members.ids_with_attendance(center))

    @blp.response(204)
    def delete(self, center_id: int, member_id: int):
        """Delete a member entered by mistake; someone with attendance answers 409 (mark them
        moved or deceased instead)."""
        center, member = members.get_member(current_user, center_id, member_id)
        members.delete_member(current_user, center, member, source=request_source(current_user))
        db.session.commit()
        return None
