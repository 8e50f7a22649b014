"""The outbox index in the claim's order: (state, next_attempt_at, id)

A PostgreSQL worker's claim read every due row and sorted it; with the id in the index it
reads the rows in order and stops after a batch.

Revision ID: i16_claim_index
Revises: i17b_indexes
"""

from alembic import op

revision = "i16_claim_index"
down_revision = "i17b_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reminders_state_due", table_name="reminders")
    op.create_index("ix_reminders_state_due", "reminders", ["state", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_reminders_state_due", table_name="reminders")
    op.create_index("ix_reminders_state_due", "reminders", ["state", "next_attempt_at"])
