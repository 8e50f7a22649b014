"""wrong link codes, counted to slow guessing

Revision ID: i15_link_attempts
Revises: i20_inbound
"""

import sqlalchemy as sa
from alembic import op

revision = "i15_link_attempts"
down_revision = "i20_inbound"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    with op.batch_alter_table("link_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_attempts_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_link_attempts_attempted_at"), ["attempted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("link_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_attempts_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_link_attempts_chat_id"))
    op.drop_table("link_attempts")
