"""Video rooms: one Jitsi room per session, and the providers that sign the way in.

Modelled on Indico's ``vc`` plugins: :class:`VideoProvider` is the small interface, and
``JITSI_MODE`` picks one of two implementations:

``selfhosted`` (:class:`SelfHostedProvider`)
    a Jitsi Meet with Prosody's token authentication: HS256 with ``JITSI_APP_SECRET``, or
    RS256 with ``JITSI_PRIVATE_KEY``/``JITSI_PRIVATE_KEY_PATH`` and ``kid`` = ``JITSI_KEY_ID``;
    ``iss`` = ``JITSI_APP_ID``, ``aud`` = ``JITSI_AUDIENCE``, ``sub`` = the XMPP domain.
``jaas`` (:class:`JaasProvider`)
    8x8 Jitsi as a Service: RS256, ``kid`` = ``<AppID>/<JITSI_KEY_ID>``, ``iss`` "chat",
    ``aud`` "jitsi", ``sub`` = AppID, ``context.features``; rooms live under
    ``https://8x8.vc/<AppID>/``.

Jitsi allows no clock skew and tablets' clocks drift, so a token is valid from
:data:`TOKEN_NOT_BEFORE` before the start (a little earlier than the join button opens) to
:data:`TOKEN_EXPIRES_AFTER` after the end. Without a secret or key no token is made and the
pages say that video is not configured.

This module never imports :mod:`centers`: callers pass the participant in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jwt
import sqlalchemy as sa
from flask import current_app

from app import audit
from app.auth import policy
from app.extensions import db
from programs.rooms.models import VideoRoom
from programs.schedule.models import Session

MODES = ("selfhosted", "jaas")
JAAS_DOMAIN = "8x8.vc"
# The big join button opens this long before the start …
JOIN_OPENS_BEFORE = timedelta(minutes=10)
# … and the token is valid a little earlier still (Jitsi allows no clock skew).
TOKEN_NOT_BEFORE = timedelta(minutes=15)
# Well after the end: a class that runs over must not lock anyone out on a rejoin.
TOKEN_EXPIRES_AFTER = timedelta(hours=2)
ROOM_NAME_RE = re.compile(r"^[a-z0-9-]{1,99}$")


# --- rooms ----------------------------------------------------------------------------------


def new_room_name() -> str:
    """Lowercase ``[a-z0-9-]``, 31 characters, 130 random bits (see ``VideoRoom``)."""
    return VideoRoom.generate_name()


def ensure_room(session: Session) -> VideoRoom:
    """The session's room, made if it has none yet."""
    if session.room is None:
        session.room = VideoRoom(name=new_room_name())
    return session.room


def replace_room(user, session: Session, *, source: str = "page") -> VideoRoom:
    """Give the session a new room name on request (a leaked link, a broken room).

    Editing a session never does this: the room is kept so calendars and tablets agree."""
    policy.require_staff(user)
    room = ensure_room(session)
    before = room.name
    room.name = new_room_name()
    db.session.flush()
    audit.record(
        user,
        "room.replace",
        "session",
        session.id,
        before={"room": before},
        after={"room": room.name},
        source=source,
    )
    return room


def _give_new_sessions_a_room(db_session, _flush_context, _instances) -> None:
    for obj in list(db_session.new):
        if isinstance(obj, Session) and obj.room is None:
            obj.room = VideoRoom(name=new_room_name())


def listen_for_new_sessions() -> None:
    """Every session gets its room when it is first flushed, whoever creates it."""
    target = sa.orm.Session
    if not sa.event.contains(target, "before_flush", _give_new_sessions_a_room):
        sa.event.listen(target, "before_flush", _give_new_sessions_a_room)


def session_for_room(name: str) -> Session | None:
    return db.session.scalar(
        sa.select(Session)
        .join(VideoRoom, VideoRoom.session_id == Session.id)
        .where(VideoRoom.name == name)
    )


# --- participants and join details ----------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """Who enters the room. ``id`` goes into ``context.user.id`` so that Jitsi's events can be
    matched back: ``center-<id>``, ``instructor-<id>`` or ``user-<id>``."""

    id: str
    name: str
    moderator: bool
    email: str = ""


@dataclass(frozen=True)
class JoinDetails:
    configured: bool
    mode: str
    domain: str | None
    room: str
    iframe_room: str
    url: str | None
    jwt: str | None
    display_name: str
    participant_id: str
    moderator: bool
    starts_at: datetime
    ends_at: datetime
    opens_at: datetime
    not_before: datetime
    expires_at: datetime
    external_api_url: str | None


def join_window(session: Session) -> tuple[datetime, datetime, datetime]:
    """``(opens_at, not_before, expires_at)`` of the session's room."""
    return (
        session.starts_at - JOIN_OPENS_BEFORE,
        session.starts_at - TOKEN_NOT_BEFORE,
        session.ends_at + TOKEN_EXPIRES_AFTER,
    )


@lru_cache(maxsize=8)
def _read_key_file(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


class VideoProvider:
    """The interface every video back end implements. Subclasses set ``mode`` and answer
    :meth:`domain`, :meth:`signing`, :meth:`claims` and :meth:`headers`."""

    mode = "base"

    def __init__(self, config: dict[str, Any]):
        self.config = config

    # configuration
    def _get(self, key: str) -> str:
        return (self.config.get(key) or "").strip()

    @property
    def app_id(self) -> str:
        return self._get("JITSI_APP_ID")

    @property
    def key_id(self) -> str:
        return self._get("JITSI_KEY_ID")

    def private_key(self) -> str | None:
        text = self._get("JITSI_PRIVATE_KEY")
        if text:
            return text.replace("\\n", "\n")
        path = self._get("JITSI_PRIVATE_KEY_PATH")
        return _read_key_file(path) if path else None

    def domain(self) -> str | None:
        raise NotImplementedError

    def signing(self) -> tuple[str, str] | None:
        """``(algorithm, key)``, or None when no token can be made."""
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}

    def claims(
        self, room: str, participant: Participant, not_before: datetime, expires_at: datetime
    ) -> dict:
        raise NotImplementedError

    # derived
    @property
    def configured(self) -> bool:
        return bool(self.domain()) and self.signing() is not None

    def iframe_room(self, room: str) -> str:
        """The ``roomName`` given to the IFrame API."""
        return room

    def room_url(self, room: str, token: str | None = None) -> str | None:
        domain = self.domain()
        if not domain:
            return None
        url = f"https://{domain}/{quote(self.iframe_room(room), safe='/')}"
        return f"{url}?jwt={token}" if token else url

    def external_api_url(self) -> str | None:
        configured = self._get("JITSI_EXTERNAL_API_URL")
        if configured:
            return configured
        domain = self.domain()
        return f"https://{domain}/external_api.js" if domain else None

    def token(
        self, room: str, participant: Participant, not_before: datetime, expires_at: datetime
    ) -> str | None:
        signing = self.signing()
        if signing is None:
            return None
        algorithm, key = signing
        return jwt.encode(
            self.claims(room, participant, not_before, expires_at),
            key,
            algorithm=algorithm,
            headers=self.headers() or None,
        )

    def join(self, session: Session, participant: Participant) -> JoinDetails:
        room = ensure_room(session).name
        opens_at, not_before, expires_at = join_window(session)
        token = self.token(room, participant, not_before, expires_at) if self.domain() else None
        return JoinDetails(
            configured=token is not None,
            mode=self.mode,
            domain=self.domain(),
            room=room,
            iframe_room=self.iframe_room(room),
            url=self.room_url(room, token),
            jwt=token,
            display_name=participant.name,
            participant_id=participant.id,
            moderator=participant.moderator,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            opens_at=opens_at,
            not_before=not_before,
            expires_at=expires_at,
            external_api_url=self.external_api_url(),
        )


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


class SelfHostedProvider(VideoProvider):
    """A self-hosted Jitsi Meet with Prosody ``token_verification``."""

    mode = "selfhosted"

    def domain(self) -> str | None:
        return self._get("JITSI_DOMAIN") or None

    def xmpp_domain(self) -> str | None:
        return self._get("JITSI_XMPP_DOMAIN") or self.domain()

    def signing(self) -> tuple[str, str] | None:
        key = self.private_key()
        if key:
            return "RS256", key
        secret = self._get("JITSI_APP_SECRET")
        return ("HS256", secret) if secret else None

    def headers(self) -> dict[str, str]:
        signing = self.signing()
        if signing and signing[0] == "RS256" and self.key_id:
            return {"kid": self.key_id}
        return {}

    def claims(self, room, participant, not_before, expires_at) -> dict:
        return {
            "iss": self.app_id,
            "aud": self._get("JITSI_AUDIENCE") or "jitsi",
            "sub": self.xmpp_domain(),
            "room": room,
            "nbf": _timestamp(not_before),
            "exp": _timestamp(expires_at),
            "context": {
                "user": {
                    "id": participant.id,
                    "name": participant.name,
                    "email": participant.email,
                    "moderator": participant.moderator,
                    # mod_token_affiliation reads this; "member" keeps Jicofo from promoting.
                    "affiliation": "owner" if participant.moderator else "member",
                },
            },
        }


class JaasProvider(VideoProvider):
    """8x8 JaaS: RS256 only, rooms under ``https://8x8.vc/<AppID>/``."""

    mode = "jaas"
    FEATURES = ("livestreaming", "recording", "transcription", "outbound-call", "sip-outbound-call")

    def domain(self) -> str | None:
        return self._get("JITSI_DOMAIN") or JAAS_DOMAIN

    def signing(self) -> tuple[str, str] | None:
        key = self.private_key()
        if not (key and self.app_id and self.key_id):
            return None
        return "RS256", key

    def headers(self) -> dict[str, str]:
        return {"kid": f"{self.app_id}/{self.key_id}", "typ": "JWT"}

    def iframe_room(self, room: str) -> str:
        return f"{self.app_id}/{room}"

    def external_api_url(self) -> str | None:
        return (
            self._get("JITSI_EXTERNAL_API_URL")
            or f"https://{self.domain()}/{self.app_id}/external_api.js"
        )

    def claims(self, room, participant, not_before, expires_at) -> dict:
        # JaaS documents the flags as the strings "true"/"false".
        flag = "true" if participant.moderator else "false"
        return {
            "iss": "chat",
            "aud": "jitsi",
            "sub": self.app_id,
            "room": room,
            "nbf": _timestamp(not_before),
            "exp": _timestamp(expires_at),
            "context": {
                "user": {
                    "id": participant.id,
                    "name": participant.name,
                    "email": participant.email,
                    "avatar": "",
                    "moderator": flag,
                },
                "features": {name: "false" for name in self.FEATURES},
            },
        }


PROVIDERS: dict[str, type[VideoProvider]] = {"selfhosted": SelfHostedProvider, "jaas": JaasProvider}


def provider(config: dict[str, Any] | None = None) -> VideoProvider:
    """The provider ``JITSI_MODE`` names, for the app's configuration or the one given."""
    config = current_app.config if config is None else config
    mode = (config.get("JITSI_MODE") or "selfhosted").strip().lower()
    try:
        return PROVIDERS[mode](config)
    except KeyError:
        from app.config import ConfigError

        raise ConfigError(f"JITSI_MODE must be one of {', '.join(MODES)}, not {mode!r}") from None


def check_config(config: dict[str, Any]) -> None:
    """Refuse to start with an unknown ``JITSI_MODE`` (a typo would silently disable video)."""
    provider(config)
