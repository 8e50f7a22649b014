"""Plan uploads: a document uploaded in the browser, kept until "Lưu kế hoạch"

Revision ID: i18a_uploads
Revises: i21_scan_texts
"""

import sqlalchemy as sa
from alembic import op

revision = "i18a_uploads"
down_revision = "i21_scan_texts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.id"],
            name=op.f("fk_plan_uploads_officer_id_officers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
            name=op.f("fk_plan_uploads_plan_id_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_plan_uploads_token")),
    )
    with op.batch_alter_table("plan_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_uploads_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_uploads_created_at"))
    op.drop_table("plan_uploads")
