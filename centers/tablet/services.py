"""The center's tablet: pairing instead of passwords, and its one screen for today.

A coordinator or the center's manager makes a short pairing code (six digits, valid for
:data:`PAIRING_TTL`, stored only as an HMAC); the tablet enters it once at ``/tablet/pair`` and
from then on signs in as its own user (role ``center_manager``, that center only) with a
long-lived remember cookie, or with an API token from ``POST /api/v1/tablet/pair``. Revoking
the tablet deactivates that user, so its cookie and tokens stop working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app import audit, clock
from app.auth.models import ApiToken, Role, User, hash_token
from app.cache import cache
from app.errors import Invalid, NotFound
from app.extensions import db
from centers.directory.models import Center
from centers.tablet import scope as tablet_scope
from centers.tablet.models import TabletDevice
from programs.rooms import services as rooms
from programs.schedule.models import Session

CODE_DIGITS = 6
PAIRING_TTL = timedelta(minutes=15)
REMEMBER_FOR = timedelta(days=365)
SEEN_EVERY = timedelta(minutes=5)


# --- pairing ----------------------------------------------------------------------------


def hash_code(code: str) -> str:
    """An HMAC of the code with the app's secret: a leaked table does not reveal live codes."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"tablet-pairing:" + code.encode(), hashlib.sha256).hexdigest()


def normalize_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


def _forget_expired_codes(now: datetime) -> None:
    db.session.execute(
        sa.update(TabletDevice)
        .where(
            TabletDevice.paired_at.is_(None),
            TabletDevice.pairing_code_hash.is_not(None),
            TabletDevice.pairing_expires_at < now,
        )
        .values(pairing_code_hash=None)
    )


def create_pairing(
    user, center: Center, label: str = "", *, source: str = "page"
) -> tuple[TabletDevice, str]:
    """A new pending tablet for ``center`` and its code (returned once, stored as a hash)."""
    tablet_scope.require_can_manage_tablets(user, center)
    now = clock.now()
    _forget_expired_codes(now)
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        digest = hash_code(code)
        if (
            db.session.scalar(
                sa.select(TabletDevice.id).where(TabletDevice.pairing_code_hash == digest)
            )
            is None
        ):
            break
    device = TabletDevice(
        center_id=center.id,
        label=(label or "").strip()[:80],
        pairing_code_hash=digest,
        pairing_expires_at=now + PAIRING_TTL,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(device)
    db.session.flush()
    audit.record(
        user,
        "tablet.pairing_code",
        "tablet_device",
        device.id,
        after={"center_id": center.id, "label": device.label},
        source=source,
    )
    return device, code


def pair(code: str | None, label: str = "", *, source: str = "tablet") -> tuple[TabletDevice, User]:
    """Use a pairing code: the pending tablet gets its own user. Wrong, used or expired codes
    all answer the same ``invalid`` (``details.field: "code"``)."""
    code = normalize_code(code)
    refused = Invalid("code", _l("코드가 맞지 않거나 시간이 지났습니다. 새 코드를 받아 주세요."))
    if len(code) != CODE_DIGITS:
        raise refused
    now = clock.now()
    device = db.session.scalar(
        sa.select(TabletDevice)
        .where(TabletDevice.pairing_code_hash == hash_code(code))
        .with_for_update()
    )
    if (
        device is None
        or device.paired_at is not None
        or device.revoked_at is not None
        or device.pairing_expires_at is None
        or device.pairing_expires_at < now
    ):
        raise refused
    center = db.session.get(Center, device.center_id)
    user = User(
        username=f"tablet-{device.id}-{secrets.token_hex(3)}",
        display_name=str(_l("%(center)s 태블릿", center=center.name))[:120],
        role=Role.CENTER_MANAGER.value,
        center_id=center.id,
        county_id=center.county_id,
    )
    db.session.add(user)
    db.session.flush()
    device.user_id = user.id
    device.paired_at = now
    device.last_seen_at = now
    device.pairing_code_hash = None
    if label.strip():
        device.label = label.strip()[:80]
    audit.record(
        user,
        "tablet.pair",
        "tablet_device",
        device.id,
        after={"center_id": center.id, "user_id": user.id},
        source=source,
    )
    return device, user


def issue_device_token(device: TabletDevice, user: User) -> str:
    """An API token for the paired tablet (``POST /api/v1/tablet/pair``)."""
    token = ApiToken.generate()
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(token), name=f"tablet {device.id}")
    )
    device.device_token_hash = hash_token(token)
    db.session.flush()
    return token


def revoke(user, center: Center, device_id: int, *, source: str = "page") -> TabletDevice:
    """Unpair a tablet (or cancel a pending code): its user is deactivated, its tokens revoked."""
    tablet_scope.require_can_manage_tablets(user, center)
    device = db.session.get(TabletDevice, device_id)
    if device is None or device.center_id != center.id:
        raise NotFound()
    now = clock.now()
    if device.revoked_at is None:
        device.revoked_at = now
        device.pairing_code_hash = None
        if device.user_id is not None:
            tablet_user = db.session.get(User, device.user_id)
            tablet_user.active = False
            for token in tablet_user.tokens:
                if token.revoked_at is None:
                    token.revoked_at = now
        db.session.flush()
        audit.record(
            user,
            "tablet.revoke",
            "tablet_device",
            device.id,
            after={"center_id": center.id, "user_id": device.user_id},
            source=source,
        )
    return device


def devices(user, center: Center) -> list[TabletDevice]:
    """The center's paired tablets and its pending codes that are still valid."""
    tablet_scope.require_can_manage_tablets(user, center)
    now = clock.now()
    stmt = (
        sa.select(TabletDevice)
        .where(TabletDevice.center_id == center.id, TabletDevice.revoked_at.is_(None))
        .where(sa.or_(TabletDevice.paired_at.is_not(None), TabletDevice.pairing_expires_at >= now))
        .order_by(TabletDevice.created_at, TabletDevice.id)
    )
    return list(db.session.scalars(stmt))


def device_of(user) -> TabletDevice | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(sa.select(TabletDevice).where(TabletDevice.user_id == user.id))


def mark_seen(device: TabletDevice | None) -> bool:
    """Note that the tablet is in use, at most every :data:`SEEN_EVERY`; True if it wrote."""
    now = clock.now()
    if device is not None and (
        device.last_seen_at is None or now - device.last_seen_at > SEEN_EVERY
    ):
        device.last_seen_at = now
        return True
    return False


def seen_key(user) -> str:
    return f"tablet:seen:{user.id}"


def note_seen(user, cached: str | None) -> bool:
    """:func:`mark_seen` for the user's tablet without a query while the cache (``cached``,
    fetched with the day) says it was noted less than :data:`SEEN_EVERY` ago. True if it
    wrote (the view then commits)."""
    now = clock.now()
    if cached:
        try:
            age = now - datetime.fromisoformat(cached)
        except ValueError:
            age = None
        if age is not None and timedelta(0) <= age <= SEEN_EVERY:
            return False
    device = device_of(user)
    wrote = mark_seen(device)
    noted = device.last_seen_at if device is not None and device.last_seen_at else now
    cache.set(seen_key(user), noted.isoformat(), ttl=int(SEEN_EVERY.total_seconds()))
    return wrote


def qr_svg(url: str) -> str:
    """The pairing URL as an inline SVG QR code (dark on white, scales with the page)."""
    return segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True, light="#fff")


# --- the tablet's screen ----------------------------------------------------------------


@dataclass
class TabletSession:
    session: Session
    state: str  # upcoming | open | ended | cancelled
    opens_at: datetime

    @property
    def joinable(self) -> bool:
        return self.state == "open"

    @property
    def started(self) -> bool:
        return self.state in ("open", "ended") and clock.now() >= self.session.starts_at


def state_of(session: Session, now: datetime) -> str:
    if session.status == "cancelled":
        return "cancelled"
    opens_at = session.starts_at - rooms.JOIN_OPENS_BEFORE
    if now < opens_at:
        return "upcoming"
    if now < session.ends_at:
        return "open"
    return "ended"


def center_sessions_on(user, center: Center, day: date) -> list[Session]:
    """The sessions ``center`` has on ``day`` as ``user`` may see them (published, or cancelled
    after publishing), by start time: the one query of the tablet, its attendance day and the
    center manager's home page."""
    stmt = sa.select(Session).where(Session.date == day).order_by(Session.start_time, Session.id)
    return list(db.session.scalars(tablet_scope.scope_tablet_sessions(stmt, user, center)))


def center_sessions_between(user, center: Center, first: date, last: date) -> list[Session]:
    """Like :func:`center_sessions_on` for the days ``first``..``last``, by date and time."""
    stmt = (
        sa.select(Session)
        .where(Session.date.between(first, last))
        .order_by(Session.date, Session.start_time, Session.id)
    )
    return list(db.session.scalars(tablet_scope.scope_tablet_sessions(stmt, user, center)))


def today(user, center: Center) -> list[TabletSession]:
    """Today's sessions at the center (published, or cancelled after publishing)."""
    now = clock.now()
    return today_items(center_sessions_on(user, center, now.astimezone(clock.SEOUL).date()))


def today_items(sessions) -> list[TabletSession]:
    """The day's sessions (rows or :mod:`centers.tablet.day_cache` views) with their state now."""
    now = clock.now()
    return [
        TabletSession(s, state_of(s, now), s.starts_at - rooms.JOIN_OPENS_BEFORE) for s in sessions
    ]


def next_session(user, center: Center):
    """The first published session after today, so an empty day still says when class is next."""
    stmt = (
        sa.select(Session)
        .where(Session.date > clock.today(), Session.status == "published")
        .order_by(Session.date, Session.start_time, Session.id)
        .limit(1)
    )
    return db.session.scalar(tablet_scope.scope_tablet_sessions(stmt, user, center))


def main_session(items: list[TabletSession]) -> TabletSession | None:
    """The session the big button is for: the one open now, else the next one today."""
    for state in ("open", "upcoming"):
        for item in items:
            if item.state == state:
                return item
    return None
