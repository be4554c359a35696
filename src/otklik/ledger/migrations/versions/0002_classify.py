"""classify: classifications (machine and human), teams, cases, case events; item owner source

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Field by field, a human label wins over the machine's; an explicit owner from the import wins
# over both. The same merge as otklik.classify.store.current_labels().
CURRENT_VIEW_SQL = """
CREATE VIEW current_classifications AS
SELECT
    i.id AS item_id,
    COALESCE(h.type, m.type) AS type,
    COALESCE(h.sentiment, m.sentiment) AS sentiment,
    COALESCE(h.topics, m.topics) AS topics,
    COALESCE(h.tags, m.tags) AS tags,
    COALESCE(h.language, m.language, i.language) AS language,
    COALESCE(
        CASE WHEN i.owner_team_source IS NULL THEN i.owner_team END, h.owner_team, m.owner_team
    ) AS owner_team,
    CASE WHEN h.id IS NOT NULL THEN 'human' ELSE m.method END AS method,
    CASE WHEN h.id IS NOT NULL THEN 1.0 ELSE m.confidence END AS confidence,
    m.model_version AS model_version
FROM feedback_items i
LEFT JOIN classifications m ON m.item_id = i.id AND m.origin = 'machine'
LEFT JOIN classifications h ON h.item_id = i.id AND h.origin = 'human'
WHERE m.id IS NOT NULL OR h.id IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_team_source", sa.String(length=10), nullable=True))

    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=True),
        sa.Column("sentiment", sa.String(length=10), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("owner_team", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("labelled_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('machine', 'human')", name=op.f("ck_classifications_origin")
        ),
        sa.CheckConstraint(
            "method IN ('rules', 'model', 'llm', 'human')", name=op.f("ck_classifications_method")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_classifications_item_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifications")),
        sa.UniqueConstraint("item_id", "origin", name="uq_classifications_item_id_origin"),
    )
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_classifications_origin_confidence", ["origin", "confidence"], unique=False
        )

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("sla_hours", sa.Float(), nullable=False),
        sa.Column("first_response_hours", sa.Float(), nullable=True),
        sa.Column("escalate_to", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("first_response_due_at", sa.DateTime(), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'closed')", name=op.f("ck_cases_status")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_cases_item_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("item_id", name=op.f("uq_cases_item_id")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_status_due_at", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_cases_team_status", ["team", "status"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_events_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.execute(CURRENT_VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW current_classifications")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))
    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_team_status")
        batch_op.drop_index("ix_cases_status_due_at")
    op.drop_table("cases")
    op.drop_table("teams")
    with op.batch_alter_table("classifications", schema=None) as batch_op:
        batch_op.drop_index("ix_classifications_origin_confidence")
    op.drop_table("classifications")
    with op.batch_alter_table("feedback_items", schema=None) as batch_op:
        batch_op.drop_column("owner_team_source")
