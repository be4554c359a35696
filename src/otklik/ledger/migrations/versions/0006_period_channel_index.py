"""ledger: index periods with their channel (volumes by channel without reading the table)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 04:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_feedback_items_occurred_at_channel",
        "feedback_items",
        ["occurred_at", "channel"],
        unique=False,
    )
    op.drop_index("ix_feedback_items_occurred_at", table_name="feedback_items")


def downgrade() -> None:
    op.create_index(
        "ix_feedback_items_occurred_at", "feedback_items", ["occurred_at"], unique=False
    )
    op.drop_index("ix_feedback_items_occurred_at_channel", table_name="feedback_items")
