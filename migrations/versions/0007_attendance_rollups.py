"""attendance rollups: the report's figures per center and day, members per center and day,
the counties each published session invites (issue 12)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00

Filled from the existing rows here (the same aggregate as ``flask reports rebuild-rollups``),
up to a couple of million records; beyond that the command must be run after the upgrade.
Then kept current by the application on every write.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BACKFILL_LIMIT = 2_000_000


def _minutes(dialect: str, column: str) -> str:
    if dialect == 'postgresql':
        return f"CAST(extract(hour FROM {column}) * 60 + extract(minute FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%H', {column}) AS INTEGER) * 60 + CAST(strftime('%M', {column}) AS INTEGER)"


def upgrade():
    op.create_table('attendance_rollups',
    sa.Column('center_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ends', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Integer(), nullable=False),
    sa.Column('technical_issue', sa.Integer(), nullable=False),
    sa.Column('excused', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('attended_headcount', sa.Integer(), nullable=False),
    sa.CheckConstraint('attended >= 0 AND absent >= 0 AND technical_issue >= 0 AND excused >= 0 AND attended + absent + technical_issue + excused <= invited', name=op.f('ck_attendance_rollups_counts')),
    sa.CheckConstraint('ends > 0 AND ends <= 2880', name=op.f('ck_attendance_rollups_ends_range')),
    sa.CheckConstraint('headcount >= 0 AND attended_headcount >= 0 AND attended_headcount <= headcount', name=op.f('ck_attendance_rollups_headcounts')),
    sa.CheckConstraint('invited > 0', name=op.f('ck_attendance_rollups_invited_positive')),
    sa.PrimaryKeyConstraint('center_id', 'day', 'program_id', 'ends', name=op.f('pk_attendance_rollups'))
    )
    with op.batch_alter_table('attendance_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_rollups_day', ['day'], unique=False)

    op.create_table('attendance_member_rollups',
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('record_day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_attendance_member_rollups_center_id_centers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_attendance_member_rollups_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_attendance_member_rollups_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('center_id', 'day', 'program_id', 'member_id', 'record_day', name=op.f('pk_attendance_member_rollups'))
    )
    with op.batch_alter_table('attendance_member_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_member_rollups_day', ['day'], unique=False)

    op.create_table('session_county_rollups',
    sa.Column('session_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('county_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('session_id', 'county_id', name=op.f('pk_session_county_rollups'))
    )
    with op.batch_alter_table('session_county_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_session_county_rollups_county_id_day', ['county_id', 'day'], unique=False)
        batch_op.create_index('ix_session_county_rollups_day', ['day'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        rows = op.get_bind().execute(sa.text(
            "SELECT reltuples FROM pg_class WHERE relname = 'attendance'")).scalar() or 0
        if rows > BACKFILL_LIMIT:
            # Millions of records: not in one migration transaction. Run
            # `flask reports rebuild-rollups` (a month per transaction) before serving reports.
            print(f"attendance_rollups left empty ({rows:,.0f} records): "
                  "run `flask reports rebuild-rollups` now")
            return
        op.execute("SET LOCAL work_mem = '256MB'")  # one big GROUP BY: sort in memory
    ends = f"{_minutes(dialect, 's.start_time')} + s.duration_minutes"
    op.execute(f"""
        INSERT INTO attendance_rollups (center_id, day, program_id, ends, invited, attended, absent,
            technical_issue, excused, headcount, attended_headcount)
        SELECT sc.center_id, s.date, s.program_id, {ends}, count(*),
            count(a.id) FILTER (WHERE a.status = 'attended'),
            count(a.id) FILTER (WHERE a.status = 'absent'),
            count(a.id) FILTER (WHERE a.status = 'technical_issue'),
            count(a.id) FILTER (WHERE a.status = 'excused'),
            coalesce(sum(a.headcount), 0),
            coalesce(sum(a.headcount) FILTER (WHERE a.status = 'attended'), 0)
        FROM session_centers sc JOIN sessions s ON s.id = sc.session_id
        LEFT JOIN attendance a ON a.session_id = sc.session_id AND a.center_id = sc.center_id
        WHERE s.status = 'published'
        GROUP BY sc.center_id, s.date, s.program_id, {ends}""")
    op.execute("""
        INSERT INTO attendance_member_rollups (center_id, day, program_id, member_id, record_day)
        SELECT DISTINCT a.center_id, s.date, s.program_id, am.member_id, a.session_date
        FROM attendance a JOIN sessions s ON s.id = a.session_id
        JOIN attendance_members am ON am.attendance_id = a.id
        WHERE s.status = 'published'""")
    op.execute("""
        INSERT INTO session_county_rollups (session_id, county_id, day, program_id)
        SELECT DISTINCT s.id, c.county_id, s.date, s.program_id
        FROM sessions s JOIN session_centers sc ON sc.session_id = s.id
        JOIN centers c ON c.id = sc.center_id
        WHERE s.status = 'published'""")


def downgrade():
    with op.batch_alter_table('session_county_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_session_county_rollups_day')
        batch_op.drop_index('ix_session_county_rollups_county_id_day')
    op.drop_table('session_county_rollups')
    with op.batch_alter_table('attendance_member_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_member_rollups_day')
    op.drop_table('attendance_member_rollups')
    with op.batch_alter_table('attendance_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_rollups_day')
    op.drop_table('attendance_rollups')
