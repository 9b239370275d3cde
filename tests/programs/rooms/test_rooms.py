"""Video rooms and their tokens: every claim checked with the configured secret or public key
in both modes, and once more with an independent JWT implementation (node's jsonwebtoken)."""

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, time, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app import audit
from app.auth.models import Role
from app.config import ConfigError
from app.errors import Forbidden
from app.extensions import db
from programs.rooms import services as rooms
from programs.rooms.models import VideoRoom
from programs.schedule.models import Session
from tests.conftest import ROOT  # noqa: E402
from tests.factories import InstructorFactory, ProgramFactory, SessionFactory, UserFactory

START = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
END = START + timedelta(hours=1)
CENTER = rooms.Participant(id="center-7", name="봉성2리 경로당", moderator=False)
TEACHER = rooms.Participant(id="instructor-3", name="김미숙", moderator=True)


@pytest.fixture(scope="module")
def rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _decode(token, key, algorithm, audience):
    # The tokens are for 2026-11-24; "now" in the check is the session's time, not the test's.
    claims = jwt.decode(
        token,
        key,
        algorithms=[algorithm],
        audience=audience,
        options={"verify_exp": False, "verify_nbf": False, "require": ["nbf", "exp", "room"]},
    )
    return jwt.get_unverified_header(token), claims


# --- rooms ----------------------------------------------------------------------------------


def test_room_names_are_lowercase_unguessable_and_short():
    names = {rooms.new_room_name() for _ in range(200)}
    assert len(names) == 200
    for name in names:
        assert rooms.ROOM_NAME_RE.match(name) and len(name) < 100
        # 26 characters from a 32-letter alphabet after the readable prefix: 130 random bits.
        prefix, body = name.split("-", 1)
        assert (
            prefix == "ieum"
            and len(body) == 26
            and set(body) <= set("abcdefghijklmnopqrstuvwxyz234567")
        )


def test_a_new_session_gets_its_room_when_created_and_keeps_it_when_edited():
    program, instructor = ProgramFactory(), InstructorFactory()
    session = Session(
        program=program,
        instructor=instructor,
        date=datetime(2026, 11, 24).date(),
        start_time=time(10, 0),
        duration_minutes=60,
        status="draft",
    )
    db.session.add(session)
    db.session.commit()
    name = session.room.name
    assert rooms.ROOM_NAME_RE.match(name)
    session.start_time = time(14, 0)
    session.duration_minutes = 90
    session.status = "published"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Session, session.id).room.name == name


def test_replacing_a_room_gives_a_new_name_and_is_audited():
    session = SessionFactory()
    coordinator = UserFactory(role=Role.COORDINATOR)
    old = session.room.name
    room = rooms.replace_room(coordinator, session, source="api")
    db.session.commit()
    assert room.name != old and rooms.ROOM_NAME_RE.match(room.name)
    assert db.session.query(VideoRoom).count() == 1
    entry = audit.history("session", session.id)[-1]
    assert (entry.action, entry.before, entry.after, entry.source) == (
        "room.replace",
        {"room": old},
        {"room": room.name},
        "api",
    )


def test_only_staff_replace_rooms(app):
    session = SessionFactory()
    instructor_user = UserFactory(role=Role.INSTRUCTOR, instructor_id=session.instructor_id)
    with app.test_request_context(), pytest.raises(Forbidden):
        rooms.replace_room(instructor_user, session)


def test_an_unknown_mode_refuses_to_start():
    from app import create_app

    with pytest.raises(ConfigError):
        create_app(
            {"JITSI_MODE": "zoom", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
        )


# --- self-hosted ----------------------------------------------------------------------------


def test_selfhosted_hs256_token_has_every_claim():
    config = {
        "JITSI_MODE": "selfhosted",
        "JITSI_DOMAIN": "meet.example.org",
        "JITSI_APP_ID": "ieum",
        "JITSI_APP_SECRET": "s3cret-of-at-least-32-bytes-for-hs256!!",
        "JITSI_AUDIENCE": "ieum-aud",
        "JITSI_XMPP_DOMAIN": "xmpp.meet.example.org",
    }
    provider = rooms.provider(config)
    assert isinstance(provider, rooms.SelfHostedProvider) and provider.configured
    token = provider.token(
        "ieum-abc", CENTER, START - timedelta(minutes=15), END + timedelta(hours=2)
    )
    header, claims = _decode(token, config["JITSI_APP_SECRET"], "HS256", "ieum-aud")
    assert header["alg"] == "HS256" and "kid" not in header
    assert claims == {
        "iss": "ieum",
        "aud": "ieum-aud",
        "sub": "xmpp.meet.example.org",
        "room": "ieum-abc",
        "nbf": int((START - timedelta(minutes=15)).timestamp()),
        "exp": int((END + timedelta(hours=2)).timestamp()),
        "context": {
            "user": {
                "id": "center-7",
                "name": "봉성2리 경로당",
                "email": "",
                "moderator": False,
                "affiliation": "member",
            }
        },
    }
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(token, "another-secret-of-at-least-32-bytes!!!", "HS256", "ieum-aud")


def test_selfhosted_rs256_token_carries_the_kid_and_moderator(rsa_key):
    private, public = rsa_key
    config = {
        "JITSI_DOMAIN": "meet.example.org",
        "JITSI_APP_ID": "ieum",
        "JITSI_PRIVATE_KEY": private,
        "JITSI_KEY_ID": "ieum-key-1",
    }
    provider = rooms.provider(config)
    token = provider.token("ieum-abc", TEACHER, START, END)
    header, claims = _decode(token, public, "RS256", "jitsi")
    assert header == {"alg": "RS256", "kid": "ieum-key-1", "typ": "JWT"}
    assert claims["sub"] == "meet.example.org"  # the XMPP domain defaults to JITSI_DOMAIN
    assert claims["aud"] == "jitsi" and claims["iss"] == "ieum" and claims["room"] == "ieum-abc"
    assert claims["context"]["user"] == {
        "id": "instructor-3",
        "name": "김미숙",
        "email": "",
        "moderator": True,
        "affiliation": "owner",
    }


def test_private_key_can_come_from_a_file(tmp_path, rsa_key):
    private, public = rsa_key
    path = tmp_path / "jitsi.pem"
    path.write_text(private)
    provider = rooms.provider(
        {"JITSI_DOMAIN": "meet.example.org", "JITSI_PRIVATE_KEY_PATH": str(path)}
    )
    token = provider.token("r", CENTER, START, END)
    assert _decode(token, public, "RS256", "jitsi")[1]["room"] == "r"


def test_no_secret_no_token():
    provider = rooms.provider({"JITSI_DOMAIN": "meet.example.org"})
    assert not provider.configured
    assert provider.token("r", CENTER, START, END) is None
    assert not rooms.provider({"JITSI_APP_SECRET": "x" * 40}).configured  # no domain either


def test_join_window_and_details_for_a_session(app_config):
    app_config(
        JITSI_DOMAIN="meet.example.org", JITSI_APP_ID="ieum", JITSI_APP_SECRET="k" * 40
    )
    session = SessionFactory()
    details = rooms.provider().join(session, CENTER)
    claims = _decode(details.jwt, "k" * 40, "HS256", "jitsi")[1]
    assert details.room == session.room.name == claims["room"] == details.iframe_room
    assert details.url == f"https://meet.example.org/{session.room.name}?jwt={details.jwt}"
    assert details.external_api_url == "https://meet.example.org/external_api.js"
    # nbf a few minutes before the start (and before the button opens), exp well after the end.
    assert claims["nbf"] == int(session.starts_at.timestamp()) - 15 * 60
    assert details.opens_at == session.starts_at - timedelta(minutes=10)
    assert claims["exp"] == int(session.ends_at.timestamp()) + 2 * 3600
    app_config(JITSI_EXTERNAL_API_URL="http://127.0.0.1:9/stand-in.js")
    assert (
        rooms.provider().join(session, CENTER).external_api_url == "http://127.0.0.1:9/stand-in.js"
    )


# --- JaaS -----------------------------------------------------------------------------------

APP_ID = "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"


def test_jaas_token_has_every_claim(rsa_key):
    private, public = rsa_key
    config = {
        "JITSI_MODE": "jaas",
        "JITSI_APP_ID": APP_ID,
        "JITSI_PRIVATE_KEY": private.replace("\n", "\\n"),
        "JITSI_KEY_ID": "4f4910",
    }
    provider = rooms.provider(config)
    assert isinstance(provider, rooms.JaasProvider) and provider.configured
    token = provider.token("ieum-abc", TEACHER, START, END)
    header, claims = _decode(token, public, "RS256", "jitsi")
    assert header == {"alg": "RS256", "kid": f"{APP_ID}/4f4910", "typ": "JWT"}
    assert claims == {
        "iss": "chat",
        "aud": "jitsi",
        "sub": APP_ID,
        "room": "ieum-abc",
        "nbf": int(START.timestamp()),
        "exp": int(END.timestamp()),
        "context": {
            "user": {
                "id": "instructor-3",
                "name": "김미숙",
                "email": "",
                "avatar": "",
                "moderator": "true",
            },
            "features": {
                "livestreaming": "false",
                "recording": "false",
                "transcription": "false",
                "outbound-call": "false",
                "sip-outbound-call": "false",
            },
        },
    }
    assert provider.room_url("ieum-abc") == f"https://8x8.vc/{APP_ID}/ieum-abc"
    assert provider.iframe_room("ieum-abc") == f"{APP_ID}/ieum-abc"
    assert provider.external_api_url() == f"https://8x8.vc/{APP_ID}/external_api.js"


def test_jaas_needs_key_app_id_and_key_id(rsa_key):
    private, _ = rsa_key
    assert not rooms.provider(
        {"JITSI_MODE": "jaas", "JITSI_APP_ID": APP_ID, "JITSI_KEY_ID": "k"}
    ).configured
    assert not rooms.provider(
        {"JITSI_MODE": "jaas", "JITSI_PRIVATE_KEY": private, "JITSI_KEY_ID": "k"}
    ).configured
    # A shared secret is not enough for JaaS: it only takes RS256.
    assert not rooms.provider(
        {"JITSI_MODE": "jaas", "JITSI_APP_ID": APP_ID, "JITSI_APP_SECRET": "x" * 40}
    ).configured


# --- an independent implementation ----------------------------------------------------------

NODE_VERIFY = """
const jwt = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
try {
  const out = jwt.verify(input.token, input.key, input.options);
  process.stdout.write(JSON.stringify({ok: true, header: out.header, payload: out.payload}));
} catch (e) {
  process.stdout.write(JSON.stringify({ok: false, name: e.name, message: e.message}));
}
"""


def node_verify(token: str, key: str, **options) -> dict:
    node = shutil.which("node")
    module = ROOT / "node_modules" / "jsonwebtoken"
    assert node and module.exists(), "node and node_modules/jsonwebtoken are needed (npm ci)"
    result = subprocess.run(
        [node, "-e", NODE_VERIFY, str(module)],
        input=json.dumps({"token": token, "key": key, "options": {"complete": True, **options}}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def test_jsonwebtoken_accepts_selfhosted_and_jaas_tokens(rsa_key):
    private, public = rsa_key
    secret = "an-hs256-secret-that-is-long-enough!!"
    at = int(START.timestamp())
    selfhosted = rooms.provider(
        {"JITSI_DOMAIN": "meet.example.org", "JITSI_APP_ID": "ieum", "JITSI_APP_SECRET": secret}
    )
    token = selfhosted.token(
        "ieum-room", CENTER, START - timedelta(minutes=15), END + timedelta(hours=2)
    )
    out = node_verify(
        token,
        secret,
        algorithms=["HS256"],
        audience="jitsi",
        issuer="ieum",
        subject="meet.example.org",
        clockTimestamp=at,
    )
    assert out["ok"], out
    assert out["payload"]["room"] == "ieum-room"
    assert out["payload"]["context"]["user"] == {
        "id": "center-7",
        "name": "봉성2리 경로당",
        "email": "",
        "moderator": False,
        "affiliation": "member",
    }
    # Jitsi allows no skew: before nbf and after exp the same library refuses it.
    early = node_verify(token, secret, algorithms=["HS256"], clockTimestamp=at - 16 * 60)
    late = node_verify(
        token, secret, algorithms=["HS256"], clockTimestamp=int(END.timestamp()) + 2 * 3600 + 1
    )
    assert (early["name"], late["name"]) == ("NotBeforeError", "TokenExpiredError")

    jaas = rooms.provider(
        {
            "JITSI_MODE": "jaas",
            "JITSI_APP_ID": APP_ID,
            "JITSI_PRIVATE_KEY": private,
            "JITSI_KEY_ID": "4f4910",
        }
    )
    token = jaas.token("ieum-room", TEACHER, START, END)
    out = node_verify(
        token,
        public,
        algorithms=["RS256"],
        audience="jitsi",
        issuer="chat",
        subject=APP_ID,
        clockTimestamp=at + 60,
    )
    assert out["ok"], out
    assert out["header"]["kid"] == f"{APP_ID}/4f4910"
    assert out["payload"]["context"]["user"]["moderator"] == "true"
    assert out["payload"]["context"]["features"]["recording"] == "false"
    wrong = node_verify(token, secret, algorithms=["HS256"], clockTimestamp=at + 60)
    assert not wrong["ok"]


def test_room_regex_matches_what_jitsi_accepts():
    assert re.fullmatch(rooms.ROOM_NAME_RE, "ieum-abc234")
    assert not rooms.ROOM_NAME_RE.match("Ieum Room")
