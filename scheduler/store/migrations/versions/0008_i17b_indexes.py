"""Indexes for the web pages: items by deadline, open items by deadline, observances
ahead, items given to a unit

Revision ID: i17b_indexes
Revises: i18a_uploads
"""

from alembic import op

revision = "i17b_indexes"
down_revision = "i18a_uploads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_due_end", "events", ["due_date", "end_date"])
    op.create_index("ix_events_status_due", "events", ["status", "due_date", "end_date"])
    op.create_index("ix_events_kind_start", "events", ["kind", "start_date"])
    op.create_index("ix_assignments_unit_id", "assignments", ["unit_id", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_assignments_unit_id", table_name="assignments")
    op.drop_index("ix_events_kind_start", table_name="events")
    op.drop_index("ix_events_status_due", table_name="events")
    op.drop_index("ix_events_due_end", table_name="events")
