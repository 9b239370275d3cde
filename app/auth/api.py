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
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLE_VALUES))
    display_name = fields.String(load_default="", validate=validate.Length(max=120))
    county_id = Id(allow_none=True, load_default=None)
    center_id = Id(allow_none=True, load_default=None)
    instructor_id = Id(allow_none=True, load_default=None)


class UserUpdateSchema(Schema):
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=200))
    display_name = fields.String(validate=validate.Length(max=120))


class UserDetailSchema(UserSchema):
    active = fields.Boolean()


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    token = fields.String(required=True)
    name = fields.String(required=True)
    expires_at = fields.DateTime(required=True, allow_none=True)


class TokenInfoSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(required=True, allow_none=True)
    expires_at = fields.DateTime(required=True, allow_none=True)


class TokenCreateSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=80))
    expires_in_days = fields.Integer(
        load_default=services.DEFAULT_TOKEN_DAYS, validate=validate.Range(min=1, max=services.MAX_TOKEN_DAYS)
    )


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The caller: role and scope."""
        return current_user._get_current_object()  # read directly, not through the proxy


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


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserDetailSchema)
    def patch(self, data, user_id: int):
        """Change a user (admin): ``active: false`` stops every session and token of the user at
        once; a new password ends the user's sessions."""
        policy.require_admin(current_user)
        user = services.update_user(current_user, _user(user_id), data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @blp.response(200, TokenInfoSchema(many=True))
    def get(self, user_id: int):
        """A user's API tokens (admin), never the token itself."""
        policy.require_admin(current_user)
        return services.tokens_of(_user(user_id))

    @blp.arguments(TokenCreateSchema(), required=False)
    @blp.response(201, TokenSchema)
    def post(self, data, user_id: int):
        """Issue an API token for a user (admin). The token is shown only in this answer."""
        policy.require_admin(current_user)
        user = _user(user_id)
        data = data or {}
        token, row = services.issue_token_row(
            current_user, user, name=data.get("name", ""),
            expires_in_days=data.get("expires_in_days", services.DEFAULT_TOKEN_DAYS),
        )
        db.session.commit()
        return {"id": row.id, "token": token, "name": row.name, "expires_at": row.expires_at}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    def delete(self, token_id: int):
        """Revoke a token (admin, or the token's own user): refused (401) from then on."""
        row = services.get_token(token_id)
        policy.require_token_owner_or_admin(current_user, row)
        services.revoke_token(current_user, row)
        db.session.commit()
        return None
