"""``/api/v1/me``, ``/api/v1/users`` and tokens."""

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import Id, blueprint
from app.auth import policy, services
from app.auth.models import ROLE_VALUES, User
from app.errors import NotFound
from app.extensions import db

blp = blueprint("users", __name__, "", description="The caller, users and API tokens")


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    county_id = fields.Integer(allow_none=True)
    center_id = fields.Integer(allow_none=True)
    instructor_id = fields.Integer(allow_none=True)


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLE_VALUES))
    display_name = fields.String(load_default="", validate=validate.Length(max=120))
    county_id = Id(allow_none=True, load_default=None)
    center_id = Id(allow_none=True, load_default=None)
    instructor_id = Id(allow_none=True, load_default=None)


class TokenSchema(Schema):
    token = fields.String()


class TokenCreateSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=80))


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The caller: role and scope."""
        return current_user


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user (admin)."""
        policy.require_admin(current_user)
        user = services.create_user(current_user, **data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @blp.arguments(TokenCreateSchema(), required=False)
    @blp.response(201, TokenSchema)
    def post(self, data, user_id: int):
        """Issue an API token for a user (admin). The token is shown only in this answer."""
        policy.require_admin(current_user)
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound()
        token = services.issue_token(current_user, user, name=(data or {}).get("name", ""))
        db.session.commit()
        return {"token": token}
