"""``/api/v1/{instructors,centers}/{id}/calendar-key``: rotate a feed address."""

from flask.views import MethodView
from flask_login import current_user

from app.api import blueprint
from app.extensions import db
from app.links import absolute
from centers.directory import scope as center_scope
from programs.catalog import services as catalog
from programs.feeds import keys as calendar_keys
from programs.feeds.schemas import CalendarKeySchema

blp = blueprint("feeds_api", __name__, "", description="Calendar keys")


@blp.route("/instructors/<int:instructor_id>/calendar-key")
class InstructorCalendarKey(MethodView):
    @blp.response(200, CalendarKeySchema)
    def post(self, instructor_id: int):
        """Rotate the instructor's calendar key; the old feed URL stops working."""
        instructor = catalog.get_instructor(current_user, instructor_id)
        key = calendar_keys.rotate_instructor_key(current_user, instructor)
        db.session.commit()
        return {"calendar_url": absolute(f"/calendar/instructors/{instructor_id}.ics?key={key}")}


@blp.route("/centers/<int:center_id>/calendar-key")
class CenterCalendarKey(MethodView):
    @blp.response(200, CalendarKeySchema)
    def post(self, center_id: int):
        """Rotate the center's calendar key (coordinator or the center's manager)."""
        center = center_scope.get_center(current_user, center_id)
        key = calendar_keys.rotate_center_key(current_user, center)
        db.session.commit()
        return {"calendar_url": absolute(f"/calendar/centers/{center_id}.ics?key={key}")}
