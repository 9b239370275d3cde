"""``/api/v1/sessions/{id}/attendance/{center_id}`` and ``/api/v1/attendance`` (API.md)."""

from flask.views import MethodView
from flask_login import current_user

from app.api import Overlay, blueprint
from app.errors import NotFound
from app.extensions import db
from centers.attendance import services as attendance
from centers.attendance.schemas import AttendanceListArgs, AttendancePutSchema, AttendanceResultSchema, AttendanceSchema
from centers.tablet.sources import request_source

blp = blueprint(
    "attendance_api", __name__, "", description="Attendance per session and center, and members"
)


def _commit_keeping_state() -> None:
    """Commit without expiring the objects: the answer is the record as just written, so it
    needs no second read (the record and its members) after the commit."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


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
        _commit_keeping_state()
        return Overlay(outcome.record, result=outcome.result)


@blp.route("/attendance")
class AttendanceList(MethodView):
    @blp.arguments(AttendanceListArgs, location="query")
    @blp.response(200, AttendanceSchema(many=True))
    def get(self, args):
        """Attendance records in the caller's scope (a ``county_id`` or ``center_id`` outside
        it: 403)."""
        return attendance.list_attendance(current_user, **args)
