"""``/api/v1/programs`` and ``/api/v1/instructors`` (API.md)."""

from flask.views import MethodView
from flask_login import current_user

from app.api import ListArgs, blueprint, guard_writes, page_of
from app.extensions import db
from programs.catalog import services as catalog
from programs.catalog.schemas import (
    InstructorCreateSchema,
    InstructorSchema,
    InstructorUpdateSchema,
    ProgramCreateSchema,
    ProgramSchema,
    ProgramUpdateSchema,
)
from programs.schedule import scope as session_scope

blp = blueprint("catalog_api", __name__, "", description="Programs and instructors")


guard_writes(blp, session_scope.require_scheduler)


@blp.route("/programs")
class Programs(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, ProgramSchema(many=True))
    def get(self, args):
        """The program catalog (retired programs included, ``active: false``)."""
        return catalog.list_programs(**page_of(args))

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
        session_scope.require_scheduler(current_user)
        program = catalog.update_program(current_user, catalog.get_program(program_id), data)
        db.session.commit()
        return program


@blp.route("/instructors")
class Instructors(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, InstructorSchema(many=True))
    def get(self, args):
        """Instructors (coordinator)."""
        session_scope.require_scheduler(current_user)
        return catalog.list_instructors(**page_of(args))

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
        session_scope.require_scheduler(current_user)
        instructor = catalog.update_instructor(
            current_user, catalog.get_instructor(current_user, instructor_id), data
        )
        db.session.commit()
        return instructor
