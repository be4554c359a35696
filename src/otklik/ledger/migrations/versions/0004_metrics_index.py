"""metrics: a covering index for score metrics by period and channel

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 03:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_feedback_items_scale_occurred_at_cover",
        "feedback_items",
        ["scale", "occurred_at", "kind", "channel", "score"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_items_scale_occurred_at_cover", table_name="feedback_items")
