"""Users, their roles, and API tokens."""

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.database import CodedEnum, TimestampMixin, check_in, utcnow
from app.extensions import db


class Role(CodedEnum):
    ADMIN = "admin", _l("운영자")
    COORDINATOR = "coordinator", _l("코디네이터")
    INSTRUCTOR = "instructor", _l("강사")
    CENTER_MANAGER = "center_manager", _l("경로당 관리자")
    COUNTY_VIEWER = "county_viewer", _l("군 담당자")


ROLE_VALUES = Role.values()


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        check_in("role", Role, name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("counties.id"), index=True)
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id"), index=True)
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instructors.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Part of every session and remember cookie (see get_id); raising it refuses them all.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id, stored in the session and the remember cookie:
        ``<id>.<session_epoch>.<login nonce>``. The epoch ends every older cookie once raised;
        the nonce, new for each loaded user object, makes every login's remember cookie new."""
        if not getattr(self, "_login_nonce", None):
            self._login_nonce = secrets.token_urlsafe(9)
        return f"{self.id}.{self.session_epoch}.{self._login_nonce}"

    def end_sessions(self) -> None:
        """Refuse every cookie and remember cookie made for this user until now."""
        self.session_epoch = (self.session_epoch or 0) + 1

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(TimestampMixin, db.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), default="")
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: no expiry (tablet device tokens)

    user: Mapped[User] = relationship(back_populates="tokens")

    def usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.active
        )

    @staticmethod
    def generate() -> str:
        return "ieum_" + secrets.token_urlsafe(32)

    def revoke(self) -> None:
        self.revoked_at = utcnow()
