"""The audit log's and room presence's ids are 64-bit (migration 0005; SQLite's rowid already is)."""

import sqlalchemy as sa

from app import audit
from app.extensions import db
from centers.presence.models import RoomPresence


def test_audit_and_presence_ids_are_64_bit():
    big = 2**31 + 7
    db.session.add(audit.AuditLog(id=big, action="x", entity_type="x", source="system"))
    db.session.commit()
    assert db.session.get(audit.AuditLog, big).id == big
    columns = {
        t: {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns(t)}
        for t in ("audit_log", "room_presence")
    }
    expected = sa.BigInteger if db.engine.dialect.name == "postgresql" else sa.Integer
    assert all(isinstance(c["id"], expected) for c in columns.values())
    assert isinstance(RoomPresence.__table__.c.id.type.dialect_impl(db.engine.dialect), expected)
