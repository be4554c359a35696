"""contact: every outbound message, opt-outs and the per-customer lock of the contact policy

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-30 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "communications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "type IN ('survey_invitation', 'service', 'marketing', 'incident_update', 'reply')",
            name=op.f("ck_communications_type"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('delivered', 'opened', 'answered', 'unsubscribed', 'complained')",
            name=op.f("ck_communications_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_communications_invitation_id_invitations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
        sa.UniqueConstraint("external_id", name=op.f("uq_communications_external_id")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communications_customer_id_sent_at", ["customer_id", "sent_at"], unique=False
        )
        batch_op.create_index("ix_communications_sent_at", ["sent_at"], unique=False)
    op.create_table(
        "contact_optouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_optouts")),
    )
    with op.batch_alter_table("contact_optouts", schema=None) as batch_op:
        batch_op.create_index("ix_contact_optouts_customer_id", ["customer_id"], unique=False)
    op.create_table(
        "contact_locks",
        sa.Column("customer_id", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_contact_locks")),
    )


def downgrade() -> None:
    op.drop_table("contact_locks")
    with op.batch_alter_table("contact_optouts", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_optouts_customer_id")
    op.drop_table("contact_optouts")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index("ix_communications_sent_at")
        batch_op.drop_index("ix_communications_customer_id_sent_at")
    op.drop_table("communications")
