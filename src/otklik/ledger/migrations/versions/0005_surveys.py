"""surveys: surveys, invitations (signed one-time links) and the contact-policy log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("texts", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("reasons", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "type IN ('nps', 'csat', 'ces', 'enps', 'exit')", name=op.f("ck_surveys_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("name", name=op.f("uq_surveys_name")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("survey", sa.String(length=200), nullable=False),
        sa.Column("survey_type", sa.String(length=10), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("mechanic", sa.String(length=20), nullable=False),
        sa.Column("transaction_id", sa.String(length=200), nullable=True),
        sa.Column("operation_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_mode", sa.String(length=20), nullable=True),
        sa.Column("seconds_to_answer", sa.Float(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_invitations_item_id_feedback_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_invitations_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("item_id", name=op.f("uq_invitations_item_id")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitations_customer_id_sent_at", ["customer_id", "sent_at"], unique=False
        )
        batch_op.create_index("ix_invitations_sent_at", ["sent_at"], unique=False)
        batch_op.create_index(
            "ix_invitations_survey_id_sent_at", ["survey_id", "sent_at"], unique=False
        )
    op.create_table(
        "policy_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "decision IN ('refused', 'forced')", name=op.f("ck_policy_events_decision")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_policy_events_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_policy_events_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_events")),
    )
    with op.batch_alter_table("policy_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_policy_events_customer_id_at", ["customer_id", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_events", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_events_customer_id_at")
    op.drop_table("policy_events")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_survey_id_sent_at")
        batch_op.drop_index("ix_invitations_sent_at")
        batch_op.drop_index("ix_invitations_customer_id_sent_at")
    op.drop_table("invitations")
    op.drop_table("surveys")
