"""webhook deliveries: a partial index of the pending ones in the order they are claimed

A plan of 100,000 orders leaves as many deliveries pending at one `next_attempt_at`: claiming the next 25 by
(next_attempt_at, id) sorted every pending row each time (28 a second); the index hands them over in order.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(
            'ix_webhook_deliveries_pending_due', ['next_attempt_at', 'id'], unique=False,
            postgresql_where=PENDING, sqlite_where=PENDING,
        )


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_pending_due')
