"""lists at scale and units of measure

Indexes for the workspace's lists over 100,000 orders (a run's confirmations by order, its proposals by
item, a run's deliveries by item and location for an order's pegging, orders by promise); the cost split kept with
a run; and each item's unit of measure: counted in whole units or to so many decimals.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PROPOSALS = ('purchase_proposals', 'production_proposals', 'transfer_proposals')


def upgrade():
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whole_units', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('decimals', sa.Integer(), server_default='6', nullable=False))
        batch_op.create_check_constraint('decimals_in_range', 'decimals BETWEEN 0 AND 6')
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('costs', sa.JSON(), nullable=True))
    with op.batch_alter_table('customer_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_orders_promised_at'), ['promised_at'], unique=False)
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('peg_inputs', sa.JSON(), nullable=True))
    with op.batch_alter_table('planned_confirmations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('requested_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('late_hours', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('previous_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('previous_promised_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('promise_moved', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_planned_confirmations_run_order', ['run_id', 'order_number'], unique=False)
        batch_op.create_index('ix_planned_confirmations_run_late', ['run_id', 'late_hours'], unique=False)
        batch_op.create_index('ix_planned_confirmations_run_moved', ['run_id', 'promise_moved'], unique=False)
    with op.batch_alter_table('planned_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_planned_deliveries_run_id_planning_runs'), 'planning_runs', ['run_id'], ['id']
        )
    op.execute(
        'UPDATE planned_deliveries SET run_id = (SELECT c.run_id FROM planned_confirmations c '
        'WHERE c.id = planned_deliveries.confirmation_id)'
    )
    with op.batch_alter_table('planned_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_planned_deliveries_run_sku_from', ['run_id', 'sku', 'from_location'], unique=False)
        batch_op.create_index('ix_planned_deliveries_run_depart', ['run_id', 'depart_at'], unique=False)
    for table in PROPOSALS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_{table}_run_sku', ['run_id', 'sku'], unique=False)


def downgrade():
    for table in PROPOSALS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_run_sku')
    with op.batch_alter_table('planned_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_planned_deliveries_run_depart')
        batch_op.drop_index('ix_planned_deliveries_run_sku_from')
        batch_op.drop_constraint(batch_op.f('fk_planned_deliveries_run_id_planning_runs'), type_='foreignkey')
        batch_op.drop_column('run_id')
    with op.batch_alter_table('planned_confirmations', schema=None) as batch_op:
        batch_op.drop_index('ix_planned_confirmations_run_moved')
        batch_op.drop_index('ix_planned_confirmations_run_late')
        batch_op.drop_index('ix_planned_confirmations_run_order')
        for column in ('promise_moved', 'previous_promised_at', 'previous_status', 'late_hours', 'requested_at', 'customer'):
            batch_op.drop_column(column)
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.drop_column('peg_inputs')
    with op.batch_alter_table('customer_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_orders_promised_at'))
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.drop_column('costs')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_constraint('ck_items_decimals_in_range', type_='check')
        batch_op.drop_column('decimals')
        batch_op.drop_column('whole_units')
