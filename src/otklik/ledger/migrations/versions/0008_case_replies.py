"""replies: what was sent to the customer of a case, and through which channel

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('sent', 'failed')", name=op.f("ck_case_replies_status")),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name=op.f("ck_case_replies_channel")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_replies_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_replies")),
    )
    with op.batch_alter_table("case_replies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_replies_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_replies_case_id"))
    op.drop_table("case_replies")
