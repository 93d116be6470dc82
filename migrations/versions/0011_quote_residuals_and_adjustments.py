"""quote residuals and adjustments

Instant quotes: the residual of each published plan (what it left free, one JSON document) and the
adjustments made to it since (held quotes, stock movements no document made).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_residuals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('base_adjustment_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['planning_runs.id'], name=op.f('fk_quote_residuals_run_id_planning_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_residuals')),
    sa.UniqueConstraint('run_id', name=op.f('uq_quote_residuals_run_id'))
    )
    op.create_table('quote_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('order_number', sa.String(length=64), nullable=True),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quote_adjustments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_adjustments'))
    )
    with op.batch_alter_table('quote_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_adjustments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_adjustments_order_number'), ['order_number'], unique=False)


def downgrade():
    with op.batch_alter_table('quote_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_adjustments_order_number'))
        batch_op.drop_index(batch_op.f('ix_quote_adjustments_created_at'))
    op.drop_table('quote_adjustments')
    op.drop_table('quote_residuals')
