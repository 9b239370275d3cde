"""``/api/v1``: programs, instructors, sessions, weeks, closures, calendar keys (API.md)."""

from flask import request
from flask.views import MethodView
from flask_login import current_user

from app.api import ListArgs, blueprint, page_of
from app.auth import policy
from app.extensions import db
from programs import bulk, catalog, scheduling, weekly
from programs.schemas import (
    CalendarKeySchema,
    ClosureCreatedSchema,
    ClosureCreateSchema,
    ClosureListArgs,
    ClosureSchema,
    CopyWeekSchema,
    CreatedSkippedSchema,
    InstructorCreateSchema,
    InstructorSchema,
    InstructorUpdateSchema,
    ProgramCreateSchema,
    ProgramSchema,
    ProgramUpdateSchema,
    PublishedSchema,
    RepeatSchema,
    SessionCancelSchema,
    SessionCreateSchema,
    SessionListArgs,
    SessionRescheduleSchema,
    SessionSchema,
    SessionUpdateSchema,
    WeekSchema,
    absolute,
)

blp = blueprint(
    "programs_api", __name__, "", description="Programs, instructors, sessions, weeks, closures"
)


@blp.before_request
def _writes_are_for_coordinators():
    """Refuse a write before its body is validated (403 rather than 422 for the wrong role);
    calendar keys are rotated by the instructor or the center's manager too."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.endswith(
        "/calendar-key"
    ):
        policy.require_scheduler(current_user)



# --- programs ------------------------------------------------------------------------------------


@blp.route("/programs")
class Programs(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, ProgramSchema(many=True))
    def get(self, args):
        """The program catalog (retired programs included, ``active: false``)."""
        return page_of(catalog.list_programs(), args)

    @blp.arguments(ProgramCreateSchema)
    @blp.response(201, ProgramSchema)
    def post(self, data):
        """Add a program (coordinator)."""
        program = catalog.create_program(current_user, **data)
        db.session.commit()
        return program


@blp.route("/programs/<int:program_id>")
class ProgramItem(MethodView):
    @blp.response(200, ProgramSchema)
    def get(self, program_id: int):
        return catalog.get_program(program_id)

    @blp.arguments(ProgramUpdateSchema)
    @blp.response(200, ProgramSchema)
    def patch(self, data, program_id: int):
        """Edit a program (coordinator); ``active: false`` retires it."""
        policy.require_scheduler(current_user)
        program = catalog.update_program(current_user, catalog.get_program(program_id), data)
        db.session.commit()
        return program


# --- instructors ---------------------------------------------------------------------------------


@blp.route("/instructors")
class Instructors(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, InstructorSchema(many=True))
    def get(self, args):
        """Instructors (coordinator)."""
        policy.require_scheduler(current_user)
        return page_of(catalog.list_instructors(), args)

    @blp.arguments(InstructorCreateSchema)
    @blp.response(201, InstructorSchema)
    def post(self, data):
        """Add an instructor (coordinator)."""
        instructor = catalog.create_instructor(current_user, **data)
        db.session.commit()
        return instructor


@blp.route("/instructors/<int:instructor_id>")
class InstructorItem(MethodView):
    @blp.response(200, InstructorSchema)
    def get(self, instructor_id: int):
        """An instructor (coordinator, or the instructor themself), with the calendar URL."""
        return catalog.get_instructor(current_user, instructor_id)

    @blp.arguments(InstructorUpdateSchema)
    @blp.response(200, InstructorSchema)
    def patch(self, data, instructor_id: int):
        """Edit an instructor (coordinator); ``active: false`` retires them."""
        policy.require_scheduler(current_user)
        instructor = catalog.update_instructor(
            current_user, catalog.get_instructor(current_user, instructor_id), data
        )
        db.session.commit()
        return instructor


@blp.route("/instructors/<int:instructor_id>/calendar-key")
class InstructorCalendarKey(MethodView):
    @blp.response(200, CalendarKeySchema)
    def post(self, instructor_id: int):
        """Rotate the instructor's calendar key; the old feed URL stops working."""
        instructor = catalog.get_instructor(current_user, instructor_id)
        key = catalog.rotate_instructor_key(current_user, instructor)
        db.session.commit()
        return {"calendar_url": absolute(f"/calendar/instructors/{instructor_id}.ics?key={key}")}


@blp.route("/centers/<int:center_id>/calendar-key")
class CenterCalendarKey(MethodView):
    @blp.response(200, CalendarKeySchema)
    def post(self, center_id: int):
        """Rotate the center's calendar key (coordinator or the center's manager)."""
        center = policy.get_center(current_user, center_id)
        key = catalog.rotate_center_key(current_user, center)
        db.session.commit()
        return {"calendar_url": absolute(f"/calendar/centers/{center_id}.ics?key={key}")}


# --- sessions ------------------------------------------------------------------------------------


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.arguments(SessionListArgs, location="query")
    @blp.response(200, SessionSchema(many=True))
    def get(self, args):
        """Sessions in scope (``from``/``to`` inclusive; non-coordinators see published ones,
        including those cancelled after publishing, never drafts)."""
        return weekly.sessions_between(
            current_user,
            args.get("from_"),
            args.get("to"),
            center_id=args.get("center_id"),
            instructor_id=args.get("instructor_id"),
            status=args.get("status"),
            limit=args.get("limit"),
            offset=args.get("offset") or 0,
        )

    @blp.arguments(SessionCreateSchema)
    @blp.response(201, SessionSchema)
    def post(self, data):
        """Create a draft session (coordinator). Without ``center_ids``: every active center
        whose county's support period covers the date. Refusals: ``weekend``, ``holiday``,
        ``closed``, ``outside_support_period`` (422), ``conflict`` (409)."""
        session = scheduling.create_session(current_user, **data)
        db.session.commit()
        return session


@blp.route("/sessions/repeat")
class SessionsRepeat(MethodView):
    @blp.arguments(RepeatSchema)
    @blp.response(201, CreatedSkippedSchema)
    def post(self, data):
        """Draft sessions on ``weekdays`` from ``from`` to ``until``; skipped dates with the
        reason's code."""
        result = scheduling.repeat_sessions(current_user, **data)
        db.session.commit()
        return result


@blp.route("/sessions/<int:session_id>")
class SessionItem(MethodView):
    @blp.response(200, SessionSchema)
    def get(self, session_id: int):
        return policy.get_session(current_user, session_id)

    @blp.arguments(SessionUpdateSchema)
    @blp.response(200, SessionSchema)
    def patch(self, data, session_id: int):
        """Change a session (coordinator). ``version`` is required; 409 ``stale`` if it changed."""
        policy.require_scheduler(current_user)
        session = policy.get_session(current_user, session_id)
        version = data.pop("version")
        scheduling.update_session(current_user, session, data, version=version)
        db.session.commit()
        return session


@blp.route("/sessions/<int:session_id>/cancel")
class SessionCancel(MethodView):
    @blp.arguments(SessionCancelSchema(), required=False)
    @blp.response(200, SessionSchema)
    def post(self, data, session_id: int):
        """Cancel (coordinator); a published session stays in feeds as cancelled."""
        policy.require_scheduler(current_user)
        session = policy.get_session(current_user, session_id)
        data = data or {}
        scheduling.cancel_session(
            current_user, session, data.get("reason", ""), version=data.get("version")
        )
        db.session.commit()
        return session


@blp.route("/sessions/<int:session_id>/reschedule")
class SessionReschedule(MethodView):
    @blp.arguments(SessionRescheduleSchema)
    @blp.response(201, SessionSchema)
    def post(self, data, session_id: int):
        """A make-up on another day (coordinator): answers the new session, linked by
        ``rescheduled_from_id``; the original is cancelled."""
        policy.require_scheduler(current_user)
        session = policy.get_session(current_user, session_id)
        makeup = scheduling.reschedule_session(current_user, session, **data)
        db.session.commit()
        return makeup


# --- weeks ---------------------------------------------------------------------------------------


@blp.route("/weeks/<week>")
class Week(MethodView):
    @blp.response(200, WeekSchema)
    def get(self, week: str):
        """Monday to Friday of an ISO week (``2026-W48``): holidays, closures, sessions in scope.
        ``status`` is ``empty``, ``draft`` (drafts remain) or ``published``."""
        return weekly.week_view(current_user, week)


@blp.route("/weeks/<week>/publish")
class WeekPublish(MethodView):
    @blp.response(200, PublishedSchema)
    def post(self, week: str):
        """Publish the week's drafts (coordinator): ``{published: n}``. A draft that breaks a
        rule by now (a new closure, an ended support period) stays a draft, listed in
        ``skipped`` as ``{date, reason, session_id}``."""
        result = bulk.publish_week(current_user, week)
        db.session.commit()
        return result


@blp.route("/weeks/<week>/copy")
class WeekCopy(MethodView):
    @blp.arguments(CopyWeekSchema)
    @blp.response(201, CreatedSkippedSchema)
    def post(self, data, week: str):
        """Copy every non-cancelled session of ``from_week`` into this week as drafts."""
        result = bulk.copy_week(current_user, data["from_week"], week)
        db.session.commit()
        return result


# --- closures ------------------------------------------------------------------------------------


@blp.route("/closures")
class Closures(MethodView):
    @blp.arguments(ClosureListArgs, location="query")
    @blp.response(200, ClosureSchema(many=True))
    def get(self, args):
        """Closure days (coordinator)."""
        policy.require_scheduler(current_user)
        return catalog.list_closures(args.get("from_"), args.get("to"))

    @blp.arguments(ClosureCreateSchema)
    @blp.response(201, ClosureCreatedSchema)
    def post(self, data):
        """A closure day (coordinator): everywhere, for a county, or for a center."""
        closure = catalog.create_closure(current_user, **data)
        db.session.commit()
        return closure


@blp.route("/closures/<int:closure_id>")
class ClosureItem(MethodView):
    @blp.response(204)
    def delete(self, closure_id: int):
        """Remove a closure day (coordinator)."""
        catalog.delete_closure(current_user, closure_id)
        db.session.commit()
