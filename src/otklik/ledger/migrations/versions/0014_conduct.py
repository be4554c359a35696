"""conduct: abuse flags, policy events, risk flags

Revision ID: 0014
Revises: 0018
Create Date: 2026-11-30 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conduct_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('obscenity', 'insult', 'threat', 'harassment')",
            name=op.f("ck_conduct_flags_category"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_conduct_flags_item_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_flags")),
        sa.UniqueConstraint("item_id", "rule", "start", name="uq_conduct_flags_item_rule_start"),
    )
    with op.batch_alter_table("conduct_flags", schema=None) as batch_op:
        batch_op.create_index("ix_conduct_flags_detected_at", ["detected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conduct_flags_item_id"), ["item_id"], unique=False)
    op.create_table(
        "conduct_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=True),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("recording_url", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("reverses", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "step IN ('warning', 'end', 'block', 'review', 'confirm', 'reverse', 'appeal', "
            "'report')",
            name=op.f("ck_conduct_events_step"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_conduct_events_item_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_events")),
    )
    with op.batch_alter_table("conduct_events", schema=None) as batch_op:
        batch_op.create_index("ix_conduct_events_customer_at", ["customer_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conduct_events_item_id"), ["item_id"], unique=False)
    op.create_table(
        "conduct_risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('customer', 'address')", name=op.f("ck_conduct_risks_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_risks")),
    )
    with op.batch_alter_table("conduct_risks", schema=None) as batch_op:
        batch_op.create_index("ix_conduct_risks_kind_value", ["kind", "value"], unique=False)
    op.create_table(
        "conduct_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("last_item_id", sa.Integer(), nullable=False),
        sa.Column("scanned", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_scans")),
    )


def downgrade() -> None:
    op.drop_table("conduct_scans")
    with op.batch_alter_table("conduct_risks", schema=None) as batch_op:
        batch_op.drop_index("ix_conduct_risks_kind_value")
    op.drop_table("conduct_risks")
    with op.batch_alter_table("conduct_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conduct_events_item_id"))
        batch_op.drop_index("ix_conduct_events_customer_at")
    op.drop_table("conduct_events")
    with op.batch_alter_table("conduct_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conduct_flags_item_id"))
        batch_op.drop_index("ix_conduct_flags_detected_at")
    op.drop_table("conduct_flags")
