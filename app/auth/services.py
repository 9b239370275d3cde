"""User and token services. They flush; the caller commits."""

from datetime import timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from app import audit
from app.auth.models import ROLE_VALUES, ApiToken, Role, User, hash_token
from app.database import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
DEFAULT_TOKEN_DAYS = 365
MAX_TOKEN_DAYS = 3650
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _dummy_hash() -> str:
    """A hash made like real ones, checked when the user is unknown so that a wrong username
    takes as long as a wrong password (no enumeration by timing). Made by the models' own hash
    function, so it costs what checking a user's password costs."""
    from app.auth import models

    return models.generate_password_hash("not a password of anyone")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str | None, field: str = "password") -> None:
    """At least :data:`MIN_PASSWORD_LENGTH` characters and not a common password (compared
    without case). Every place that sets a password calls this."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(field, _l("비밀번호는 %(n)s자 이상이어야 합니다.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(field, _l("비밀번호는 %(n)s자 이하여야 합니다.", n=MAX_PASSWORD_LENGTH))
    if password.strip().lower() in common_passwords():
        raise Invalid(field, _l("너무 흔한 비밀번호입니다. 다른 비밀번호를 정하세요."))


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.username == (username or "").strip()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def sign_out(user: User) -> None:
    """End every session and remember cookie of ``user`` (its API tokens stay)."""
    user.end_sessions()


def change_password(actor, user: User, password: str, *, source: str = "api") -> None:
    """A new password ends every session and remember cookie made with the old one."""
    check_password_policy(password)
    user.set_password(password)
    user.end_sessions()
    db.session.flush()
    audit.record(actor, "user.password", "user", user.id, source=source)


def set_active(actor, user: User, active: bool, *, source: str = "api") -> None:
    """Deactivating stops every session, remember cookie and token of the user at once (they
    check ``active``); the epoch is raised too, so reactivating does not revive old cookies."""
    if user.active == active:
        return
    before = user.active
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()
    audit.record(
        actor, "user.activate" if active else "user.deactivate", "user", user.id,
        before={"active": before}, after={"active": active}, source=source,
    )


def update_user(actor, user: User, data: dict, *, source: str = "api") -> User:
    """``PATCH /users/{id}``: ``active``, ``password``, ``display_name``."""
    if "password" in data:
        change_password(actor, user, data["password"], source=source)
    if "display_name" in data and data["display_name"] != user.display_name:
        before = user.display_name
        user.display_name = data["display_name"]
        db.session.flush()
        audit.record(actor, "user.update", "user", user.id, before={"display_name": before},
                     after={"display_name": user.display_name}, source=source)
    if "active" in data:
        if not data["active"] and actor is not None and getattr(actor, "id", None) == user.id:
            raise Invalid("active", _l("자기 자신은 비활성화할 수 없습니다."))
        set_active(actor, user, data["active"], source=source)
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
    check_password_policy(password)
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


def issue_token(
    actor, user: User, name: str = "", source: str = "api", *, expires_in_days: int | None = DEFAULT_TOKEN_DAYS
) -> str:
    """Make a token for ``user``; the plain token is returned once and never stored."""
    token, _row = issue_token_row(actor, user, name, source, expires_in_days=expires_in_days)
    return token


def issue_token_row(
    actor, user: User, name: str = "", source: str = "api", *, expires_in_days: int | None = DEFAULT_TOKEN_DAYS
) -> tuple[str, ApiToken]:
    """The plain token and its row. ``expires_in_days=None`` makes a token without expiry."""
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise Invalid("expires_in_days")
    token = ApiToken.generate()
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    row = ApiToken(user=user, token_hash=hash_token(token), name=name, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "token.issue", "user", user.id, after={"token_id": row.id, "name": name}, source=source)
    return token, row


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens not revoked (expired ones included, so they can be seen and removed)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def get_token(token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise NotFound()
    return row


def revoke_token(actor, row: ApiToken, *, source: str = "api") -> None:
    """The token is refused (401) from the next request on."""
    row.revoke()
    db.session.flush()
    audit.record(actor, "token.revoke", "user", row.user_id, after={"token_id": row.id}, source=source)
