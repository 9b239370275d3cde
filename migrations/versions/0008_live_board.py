"""live board: help requests, disconnect counts, centers' contact phone (issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:00:00

Disconnects are two counters on the attendance record (one row per session and center, which
the first join creates anyway): the times the center came back after dropping out, as the
tablet's IFrame events saw it and as Jitsi's event_sync saw it. The board shows the larger.
"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN = "resolved_at IS NULL"


def upgrade():
    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=30), nullable=True))

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iframe_disconnects', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('jitsi_disconnects', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            'disconnects_not_negative', 'iframe_disconnects >= 0 AND jitsi_disconnects >= 0'
        )

    op.create_table('help_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('resolved_at', app.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('resolved_at IS NULL OR resolved_at >= requested_at', name=op.f('ck_help_requests_resolved_after_requested')),
    sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_help_requests_center_id_centers')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_help_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_help_requests_resolved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_help_requests_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_center_id_requested_at', ['center_id', 'requested_at'], unique=False)
        batch_op.create_index('ix_help_requests_session_id_center_id', ['session_id', 'center_id'], unique=False)
        batch_op.create_index('uq_help_requests_open', ['session_id', 'center_id'], unique=True, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_help_requests_open', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_help_requests_session_id_center_id')
        batch_op.drop_index('ix_help_requests_center_id_requested_at')

    op.drop_table('help_requests')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_constraint('disconnects_not_negative', type_='check')
        batch_op.drop_column('jitsi_disconnects')
        batch_op.drop_column('iframe_disconnects')

    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.drop_column('contact_phone')
