"""``/api/v1/sessions/{id}/attendance/{center_id}``, ``/api/v1/attendance`` and
``/api/v1/centers/{id}/members``."""

import sqlalchemy as sa
from flask import g, request
from flask.views import MethodView
from flask_login import current_user

from app.api import blueprint, page_of
from app.auth import policy
from app.errors import NotFound
from app.extensions import db
from centers import attendance, members
from centers.attendance_schemas import (
    AttendanceListArgs,
    AttendancePutSchema,
    AttendanceResultSchema,
    AttendanceSchema,
    MemberCreateSchema,
    MemberListArgs,
    MemberSchema,
    MemberUpdateSchema,
)
from centers.models import TabletDevice

blp = blueprint(
    "attendance_api", __name__, "", description="Attendance per session and center, and members"
)

SESSION_SOURCES = ("tablet", "page")


def request_source(user) -> str:
    """Where a write comes from, for the audit log: a bearer token is ``api`` (``tablet`` for a
    paired tablet's own user); same-origin JavaScript names itself with ``X-Ieum-Source``."""
    if getattr(g, "auth_via_token", False):
        tablet = db.session.scalar(
            sa.select(TabletDevice.id).where(
                TabletDevice.user_id == user.id, TabletDevice.revoked_at.is_(None)
            )
        )
        return "tablet" if tablet else "api"
    declared = request.headers.get("X-Ieum-Source", "")
    return declared if declared in SESSION_SOURCES else "page"


class _View:
    """An object seen through: ``_View(obj, extra=…)`` reads ``extra`` first, then ``obj``."""

    def __init__(self, obj, **overrides):
        self._obj = obj
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._obj, name)


@blp.route("/sessions/<int:session_id>/attendance/<int:center_id>")
class AttendanceItem(MethodView):
    @blp.response(200, AttendanceSchema)
    def get(self, session_id: int, center_id: int):
        """The record of a center for a session (404 while there is none)."""
        _session, _center, record = attendance.get_record(current_user, session_id, center_id)
        if record is None:
            raise NotFound()
        return record

    @blp.arguments(AttendancePutSchema)
    @blp.response(200, AttendanceResultSchema)
    def put(self, data, session_id: int, center_id: int):
        """Record or correct attendance (the center's manager, coordinators). Idempotent on
        ``client_ref``; a submission older (by ``recorded_at``) than the stored one changes
        nothing."""
        outcome = attendance.record_attendance(
            current_user, session_id, center_id, source=request_source(current_user), **data
        )
        db.session.commit()
        return _View(outcome.record, result=outcome.result)


@blp.route("/attendance")
class AttendanceList(MethodView):
    @blp.arguments(AttendanceListArgs, location="query")
    @blp.response(200, AttendanceSchema(many=True))
    def get(self, args):
        """Attendance records in the caller's scope (a ``county_id`` or ``center_id`` outside
        it: 403)."""
        return attendance.list_attendance(current_user, **args)


def _member_out(user, center, member, attended: set[int]) -> _View:
    extra = {"has_attendance": member.id in attended}
    if not policy.can_see_member_contact(user, center):
        extra.update(phone=None, note="")
    return _View(member, **extra)


@blp.route("/centers/<int:center_id>/members")
class Members(MethodView):
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberSchema(many=True))
    def get(self, args, center_id: int):
        """The center's roster (its manager, coordinators; the county's viewer reads)."""
        center = policy.get_center(current_user, center_id)
        rows = members.list_members(current_user, center, status=args.get("status"), **page_of(args))
        attended = members.ids_with_attendance(center)
        return [_member_out(current_user, center, m, attended) for m in rows]

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberSchema)
    def post(self, data, center_id: int):
        """Add a member (the center's manager, coordinators)."""
        center = policy.get_center(current_user, center_id)
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
