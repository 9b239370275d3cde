"""User and token services. They flush; the caller commits."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.auth.models import ROLE_VALUES, ApiToken, Role, User, hash_token
from app.database import utcnow
from app.errors import Conflict, Invalid
from app.extensions import db

MIN_PASSWORD_LENGTH = 8


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


# The rows a user's scope fields name belong to features (counties and centers to the directory,
# instructors to the catalog): each registers its model here, so the core imports none of them.
SCOPE_MODELS: dict[str, type] = {}
ROLE_SCOPE_FIELD = {
    Role.COUNTY_VIEWER: "county_id",
    Role.CENTER_MANAGER: "center_id",
    Role.INSTRUCTOR: "instructor_id",
}


def register_scope_model(field: str, model: type) -> None:
    """``field`` of a user (``county_id``, ``center_id``, ``instructor_id``) names a ``model`` row."""
    SCOPE_MODELS[field] = model


def _check_scope_fields(role: str, county_id, center_id, instructor_id) -> None:
    if role not in ROLE_VALUES:
        raise Invalid("role", _l("알 수 없는 역할입니다."))
    values = {"county_id": county_id, "center_id": center_id, "instructor_id": instructor_id}
    field = ROLE_SCOPE_FIELD.get(Role(role))
    if field and values[field] is None:
        raise Invalid(field, _l("이 역할에는 %(field)s 값이 필요합니다.", field=field))
    # Every id given is stored, so each must name a row, whether the role needs it or not.
    for field, value in values.items():
        if value is not None and db.session.get(SCOPE_MODELS[field], value) is None:
            raise Invalid(field, _l("%(field)s 값에 해당하는 항목이 없습니다.", field=field))


def create_user(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    county_id: int | None = None,
    center_id: int | None = None,
    instructor_id: int | None = None,
    source: str = "api",
) -> User:
    username = username.strip()
    if not username:
        raise Invalid("username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid("password", _l("비밀번호는 %(n)s자 이상이어야 합니다.", n=MIN_PASSWORD_LENGTH))
    _check_scope_fields(role, county_id, center_id, instructor_id)
    if role == Role.CENTER_MANAGER and county_id is None:
        county_id = db.session.get(SCOPE_MODELS["center_id"], center_id).county_id
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict(_l("이미 있는 사용자 이름입니다."), field="username")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        county_id=county_id,
        center_id=center_id,
        instructor_id=instructor_id,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after={"username": username, "role": role}, source=source)
    return user


def issue_token(actor, user: User, name: str = "", source: str = "api") -> str:
    """Make a token for ``user``; the plain token is returned once and never stored."""
    token = ApiToken.generate()
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), name=name))
    db.session.flush()
    audit.record(actor, "token.issue", "user", user.id, source=source)
    return token
