"""facets: a zone change leaves alone a search row whose facets are already right

SQLite only. The trigger ``feedback_search_facets`` (migration 0021_search) rewrites an item's
row of the FTS5 search table when its zone, channel or time changes; FTS5 reads, deletes and
inserts the whole row, ≈ 100 µs at 100k items. It now rewrites only a row whose facets differ
from the item's, so a writer that changes many zones at once (routing) writes the rows in bulk
first (``otklik.ledger.write_owner_facets``, ≈ 30 µs a row) and the trigger finds nothing
left to do. The index holds the same rows; nothing is rebuilt.

Revision ID: 0023_facets
Revises: 0022_rollup_counts
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0023_facets"
down_revision = "0022_rollup_counts"
branch_labels = None
depends_on = None

_FIELDS = ("owner_team", "channel", "occurred_at")


def _trigger(guarded: bool) -> None:
    from otklik.ledger.search import facets_sql

    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in _FIELDS)
    facets = facets_sql("new")
    guard = f" AND facets IS NOT {facets}" if guarded else ""
    op.execute("DROP TRIGGER IF EXISTS feedback_search_facets")
    op.execute(
        "CREATE TRIGGER feedback_search_facets AFTER UPDATE OF owner_team, channel, occurred_at "
        f"ON feedback_items WHEN {changed} BEGIN "
        f"UPDATE feedback_search SET facets = {facets} WHERE rowid = new.id{guard}; END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _trigger(guarded=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _trigger(guarded=False)
