"""The audit log: who changed what, when, from where, before and after."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import BigId, utcnow
from app.extensions import db

SOURCES = ("page", "api", "tablet", "jitsi", "cli", "system")


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(10), default="system")
    action: Mapped[str] = mapped_column(sa.String(40))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)


def record(
    user,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source: str = "system",
    note: str | None = None,
) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditLog(
        user_id=getattr(user, "id", None),
        source=source,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(entry)
    return entry


def history(entity_type: str, entity_id: int) -> list[AuditLog]:
    stmt = (
        sa.select(AuditLog)
        .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.at, AuditLog.id)
    )
    return list(db.session.scalars(stmt))


def histories(entity_type: str, entity_ids) -> dict[int, list[AuditLog]]:
    """:func:`history` of many entities in one query: ``{entity_id: entries}`` (every id given
    is a key, with an empty list when it has no entry)."""
    ids = set(entity_ids)
    found: dict[int, list[AuditLog]] = {entity_id: [] for entity_id in ids}
    if not ids:
        return found
    stmt = (
        sa.select(AuditLog)
        .where(AuditLog.entity_type == entity_type, AuditLog.entity_id.in_(ids))
        .order_by(AuditLog.at, AuditLog.id)
    )
    for entry in db.session.scalars(stmt):
        found[entry.entity_id].append(entry)
    return found
