"""invariants kept by the database: applied attendance submissions by idempotency key, one
active follow-up per case, no instructor in two overlapping published sessions (PostgreSQL),
64-bit ids for the audit log and room presence

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ACTIVE_MEMBER = "member_id IS NOT NULL AND status IN ('open', 'in_progress')"
ACTIVE_CENTER = "kind = 'center_silent' AND status IN ('open', 'in_progress')"
INSTRUCTOR_SLOT = (
    "tsrange(date + start_time, date + start_time + duration_minutes * interval '1 minute')"
)
BIG_IDS = ('audit_log', 'room_presence')


def _backfill_submissions(bind):
    """Every client_ref already applied: the record's current one and those in its audit log."""
    attendance = sa.table('attendance', sa.column('id'), sa.column('client_ref'))
    audit_log = sa.table(
        'audit_log', sa.column('entity_type'), sa.column('entity_id'), sa.column('after', sa.JSON)
    )
    submissions = sa.table(
        'attendance_submissions',
        sa.column('attendance_id'),
        sa.column('client_ref'),
        sa.column('applied_at', app.database.UTCDateTime(timezone=True)),
    )
    applied = set(
        bind.execute(
            sa.select(attendance.c.id, attendance.c.client_ref).where(
                attendance.c.client_ref.is_not(None)
            )
        ).all()
    )
    existing = {row.id for row in bind.execute(sa.select(attendance.c.id))}
    for entity_id, after in bind.execute(
        sa.select(audit_log.c.entity_id, audit_log.c.after).where(
            audit_log.c.entity_type == 'attendance'
        )
    ):
        ref = (after or {}).get('client_ref') if isinstance(after, dict) else None
        if ref and entity_id in existing:
            applied.add((entity_id, str(ref)[:64]))
    if applied:
        now = app.database.utcnow()
        op.bulk_insert(
            submissions,
            [{'attendance_id': a, 'client_ref': r, 'applied_at': now} for a, r in sorted(applied)],
        )


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    op.create_table('attendance_submissions',
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=False),
    sa.Column('applied_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_attendance_submissions_attendance_id_attendance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attendance_id', 'client_ref', name=op.f('pk_attendance_submissions'))
    )
    _backfill_submissions(bind)
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('uq_follow_ups_active_center', ['kind', 'center_id'], unique=True, postgresql_where=sa.text(ACTIVE_CENTER), sqlite_where=sa.text(ACTIVE_CENTER))
        batch_op.create_index('uq_follow_ups_active_member', ['kind', 'member_id'], unique=True, postgresql_where=sa.text(ACTIVE_MEMBER), sqlite_where=sa.text(ACTIVE_MEMBER))

    if postgres:
        # SQLite keeps INTEGER (its rowid alias); there the ids are already 64-bit.
        for table in BIG_IDS:
            op.alter_column(table, 'id', type_=sa.BigInteger(), existing_type=sa.Integer())
            op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS bigint")
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE sessions ADD CONSTRAINT ex_sessions_instructor_overlap "
            f"EXCLUDE USING gist (instructor_id WITH =, {INSTRUCTOR_SLOT} WITH &&) "
            "WHERE (status = 'published')"
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("ALTER TABLE sessions DROP CONSTRAINT IF EXISTS ex_sessions_instructor_overlap")
        for table in BIG_IDS:
            op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS integer")
            op.alter_column(table, 'id', type_=sa.Integer(), existing_type=sa.BigInteger())
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('uq_follow_ups_active_member', postgresql_where=sa.text(ACTIVE_MEMBER), sqlite_where=sa.text(ACTIVE_MEMBER))
        batch_op.drop_index('uq_follow_ups_active_center', postgresql_where=sa.text(ACTIVE_CENTER), sqlite_where=sa.text(ACTIVE_CENTER))

    op.drop_table('attendance_submissions')
