"""llm: cached answers, runs with tokens and cost, failures with reasons

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-30 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_version", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_llm_cache")),
    )
    op.create_table(
        "llm_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_versions", sa.String(length=400), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("cached", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_runs")),
    )
    with op.batch_alter_table("llm_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_runs_started_at"), ["started_at"], unique=False)
    op.create_table(
        "llm_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["llm_runs.id"],
            name=op.f("fk_llm_failures_run_id_llm_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_failures")),
    )
    with op.batch_alter_table("llm_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_failures_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("llm_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_failures_run_id"))
    op.drop_table("llm_failures")
    with op.batch_alter_table("llm_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_runs_started_at"))
    op.drop_table("llm_runs")
    op.drop_table("llm_cache")
