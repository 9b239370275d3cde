"""``/api/v1``: sessions, weeks and closures (API.md)."""

from flask.views import MethodView
from flask_login import current_user

from app.api import blueprint, guard_writes
from app.extensions import db
from programs.schedule import bulk, closures, weekly
from programs.schedule import scope as session_scope
from programs.schedule import services as scheduling
from programs.schedule.schemas import (
    ClosureCreatedSchema,
    ClosureCreateSchema,
    ClosureListArgs,
    ClosureSchema,
    CopyWeekSchema,
    CreatedSkippedSchema,
    PublishedSchema,
    RepeatSchema,
    SessionCancelSchema,
    SessionCreateSchema,
    SessionListArgs,
    SessionRescheduleSchema,
    SessionSchema,
    SessionUpdateSchema,
    WeekSchema,
)

blp = blueprint("schedule_api", __name__, "", description="Sessions, weeks and closures")


guard_writes(blp, session_scope.require_scheduler)


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
        return session_scope.get_session(current_user, session_id)

    @blp.arguments(SessionUpdateSchema)
    @blp.response(200, SessionSchema)
    def patch(self, data, session_id: int):
        """Change a session (coordinator). ``version`` is required; 409 ``stale`` if it changed."""
        session_scope.require_scheduler(current_user)
        session = session_scope.get_session(current_user, session_id)
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
        session_scope.require_scheduler(current_user)
        session = session_scope.get_session(current_user, session_id)
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
        session_scope.require_scheduler(current_user)
        session = session_scope.get_session(current_user, session_id)
        makeup = scheduling.reschedule_session(current_user, session, **data)
        db.session.commit()
        return makeup


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


@blp.route("/closures")
class Closures(MethodView):
    @blp.arguments(ClosureListArgs, location="query")
    @blp.response(200, ClosureSchema(many=True))
    def get(self, args):
        """Closure days (coordinator)."""
        session_scope.require_scheduler(current_user)
        return closures.list_closures(args.get("from_"), args.get("to"))

    @blp.arguments(ClosureCreateSchema)
    @blp.response(201, ClosureCreatedSchema)
    def post(self, data):
        """A closure day (coordinator): everywhere, for a county, or for a center."""
        closure = closures.create_closure(current_user, **data)
        db.session.commit()
        return closure


@blp.route("/closures/<int:closure_id>")
class ClosureItem(MethodView):
    @blp.response(204)
    def delete(self, closure_id: int):
        """Remove a closure day (coordinator)."""
        closures.delete_closure(current_user, closure_id)
        db.session.commit()
