"""rollups: metric rollup cubes kept in the store, and the days whose items changed

``metric_rollups`` holds each rollup cube (see ``otklik.ledger.models_rollups``);
``metric_rollup_changes`` holds, per UTC day, a version that triggers bump when an item of
that day is updated in a field a metric reads, or deleted, whichever code or tool writes it.
Inserts fire nothing (imports stay as fast as before): a cube finds new items by id.

SQLite: row triggers (``AFTER UPDATE OF … WHEN`` a tracked field really changed, and ``AFTER
DELETE``). PostgreSQL: statement triggers with transition tables (one upsert of the distinct
days per statement, in day order, so concurrent writers lock the day rows in the same order).

Revision ID: 0020
Revises: 0019_fts
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from otklik.ledger.models_rollups import ROLLUP_TRACKED_COLUMNS

revision = "0020"
down_revision = "0019_fts"
branch_labels = None
depends_on = None

_COLUMNS = ROLLUP_TRACKED_COLUMNS
_BUMP = "ON CONFLICT (day) DO UPDATE SET version = metric_rollup_changes.version + 1"


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _COLUMNS)
    return [
        f"CREATE TRIGGER metric_rollup_update AFTER UPDATE OF {', '.join(_COLUMNS)} "
        f"ON feedback_items WHEN {changed} BEGIN "
        "INSERT INTO metric_rollup_changes (day, version) "
        f"SELECT date(old.occurred_at), 1 WHERE true {_BUMP}; "
        "INSERT INTO metric_rollup_changes (day, version) "
        f"SELECT date(new.occurred_at), 1 WHERE date(new.occurred_at) IS NOT "
        f"date(old.occurred_at) {_BUMP}; "
        "END",
        "CREATE TRIGGER metric_rollup_delete AFTER DELETE ON feedback_items BEGIN "
        "INSERT INTO metric_rollup_changes (day, version) "
        f"SELECT date(old.occurred_at), 1 WHERE true {_BUMP}; "
        "END",
    ]


def _postgresql_triggers() -> list[str]:
    old = ", ".join(f"o.{c}" for c in _COLUMNS)
    new = ", ".join(f"n.{c}" for c in _COLUMNS)
    pairs = f"old_rows o JOIN new_rows n ON n.id = o.id WHERE ({old}) IS DISTINCT FROM ({new})"
    return [
        "CREATE FUNCTION metric_rollup_mark_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "INSERT INTO metric_rollup_changes (day, version) "
        "SELECT day, 1 FROM ("
        f"SELECT o.occurred_at::date AS day FROM {pairs} "
        f"UNION SELECT n.occurred_at::date FROM {pairs}"
        f") AS days ORDER BY day {_BUMP}; "
        "RETURN NULL; END $$",
        "CREATE FUNCTION metric_rollup_mark_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "INSERT INTO metric_rollup_changes (day, version) "
        "SELECT DISTINCT occurred_at::date AS day, 1 FROM old_rows ORDER BY day "
        f"{_BUMP}; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER metric_rollup_update AFTER UPDATE ON feedback_items "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION metric_rollup_mark_update()",
        "CREATE TRIGGER metric_rollup_delete AFTER DELETE ON feedback_items "
        "REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION metric_rollup_mark_delete()",
    ]


def upgrade() -> None:
    op.create_table(
        "metric_rollups",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("dimensions", sa.String(length=500), nullable=False),
        sa.Column("top_id", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("cube", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_metric_rollups")),
    )
    op.create_table(
        "metric_rollup_changes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_metric_rollup_changes")),
    )
    dialect = op.get_bind().dialect.name
    statements = _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER metric_rollup_delete ON feedback_items")
        op.execute("DROP TRIGGER metric_rollup_update ON feedback_items")
        op.execute("DROP FUNCTION metric_rollup_mark_delete()")
        op.execute("DROP FUNCTION metric_rollup_mark_update()")
    else:
        op.execute("DROP TRIGGER metric_rollup_delete")
        op.execute("DROP TRIGGER metric_rollup_update")
    op.drop_table("metric_rollup_changes")
    op.drop_table("metric_rollups")
