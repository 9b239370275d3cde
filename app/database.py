"""Declarative base with a naming convention, and column helpers shared by every model."""

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The application's clock (see :mod:`app.clock`); the database's clock is never used."""
    from app.clock import now

    return now()


# A 64-bit primary key for tables that grow without bound (audit log, presence). SQLite keeps
# INTEGER so that the id stays its rowid alias and autoincrements.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class CodedEnum(enum.StrEnum):
    """A stored code with its translated label, declared once: ``DRAFT = "draft", _l("초안")``.

    The database CHECK (:func:`check_in`), the schema and form validation and the labels all
    come from the members; a member compares equal to its code string.
    """

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @property
    def lazy_label(self):
        """The label, translated when rendered (for values built before the locale is known)."""
        return self._label

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs for a form's select."""
        return [(m.value, m._label) for m in cls]


def check_in(column: str, codes: type[enum.Enum], *, name: str, nullable: bool = False) -> sa.CheckConstraint:
    """``column IN (...)`` over an enumeration's values, as a named CHECK constraint."""
    listed = ", ".join("'" + str(m.value).replace("'", "''") + "'" for m in codes)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=name)


@dataclass(frozen=True)
class Bounds:
    """An inclusive range of integers, declared once for constraints, schemas, forms, services."""

    min: int
    max: int

    def __contains__(self, value) -> bool:
        return self.min <= value <= self.max


def check_between(
    column: str, bounds: Bounds, *, name: str, nullable: bool = False
) -> sa.CheckConstraint:
    """``column BETWEEN min AND max`` of a :class:`Bounds`, as a named CHECK."""
    condition = f"{column} BETWEEN {bounds.min} AND {bounds.max}"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=name)


def paged(stmt: sa.Select, limit: int | None = None, offset: int = 0) -> sa.Select:
    """A list query's page, in SQL (``LIMIT``/``OFFSET``): API lists never load every row."""
    if offset:
        stmt = stmt.offset(offset)
    if limit:
        stmt = stmt.limit(limit)
    return stmt


def advisory_lock(session, namespace: int, keys, *, sqlite_table: sa.Table) -> None:
    """Take a transaction-level lock per key, held until commit or rollback.

    PostgreSQL: ``pg_advisory_xact_lock`` per key, in order (so two writers never deadlock).
    SQLite has one lock for the whole database: a write that changes nothing to
    ``sqlite_table`` takes it now, so the reads that follow see every committed writer.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(sqlite_table).where(sa.false()).values(id=sqlite_table.c.id))
        return
    for key in sorted(set(keys)):
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(namespace, key)))


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite drops the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
