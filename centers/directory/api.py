"""``/api/v1/counties`` and ``/api/v1/centers``."""

from flask.views import MethodView
from flask_login import current_user

from app.api import ListArgs, blueprint, page_of
from app.extensions import db
from centers.directory import scope as center_scope
from centers.directory import services
from centers.directory.schemas import (
    CenterCreateSchema,
    CenterListArgs,
    CenterSchema,
    CenterUpdateSchema,
    CountyCreateSchema,
    CountySchema,
)

blp = blueprint("centers_api", __name__, "", description="Partner counties and their senior centers")


@blp.route("/counties")
class Counties(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, CountySchema(many=True))
    def get(self, args):
        """Counties in the caller's scope."""
        return services.list_counties(current_user, **page_of(args))

    @blp.arguments(CountyCreateSchema)
    @blp.response(201, CountySchema)
    def post(self, data):
        """Create a partner county (coordinator)."""
        county = services.create_county(current_user, **data)
        db.session.commit()
        return county


@blp.route("/counties/<int:county_id>")
class CountyItem(MethodView):
    @blp.response(200, CountySchema)
    def get(self, county_id: int):
        return center_scope.get_county(current_user, county_id)


@blp.route("/centers")
class Centers(MethodView):
    @blp.arguments(CenterListArgs, location="query")
    @blp.response(200, CenterSchema(many=True))
    def get(self, args):
        """Centers in the caller's scope; ``county_id`` outside it answers 403."""
        return services.list_centers(current_user, county_id=args.get("county_id"), **page_of(args))

    @blp.arguments(CenterCreateSchema)
    @blp.response(201, CenterSchema)
    def post(self, data):
        """Create a center (coordinator)."""
        center = services.create_center(current_user, **data)
        db.session.commit()
        return center


@blp.route("/centers/<int:center_id>")
class CenterItem(MethodView):
    @blp.response(200, CenterSchema)
    def get(self, center_id: int):
        return center_scope.get_center(current_user, center_id)

    @blp.arguments(CenterUpdateSchema)
    @blp.response(200, CenterSchema)
    def patch(self, data, center_id: int):
        """Change a center (coordinator)."""
        center = center_scope.get_center(current_user, center_id)
        services.update_center(current_user, center, data)
        db.session.commit()
        return center
