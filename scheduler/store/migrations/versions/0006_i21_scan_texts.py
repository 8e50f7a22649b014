"""scan texts: OCR results kept by file SHA-256 (issue 21)

Revision ID: i21_scan_texts
Revises: audit_log
"""

import sqlalchemy as sa
from alembic import op

revision = "i21_scan_texts"
down_revision = "audit_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_texts",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("milliseconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_scan_texts")),
    )


def downgrade() -> None:
    op.drop_table("scan_texts")
