"""search: SQLite's search index answers a zone, a channel and a date range with the words

The FTS5 table ``feedback_search`` gets a second column, ``facets``: per item, its zone and
its channel (one token per value, hex-coded) and the UTC year, month and day it occurred
(``otklik.ledger.search.facets_sql``). A search with a zone, a channel or a date range is
then answered in the index alone (the doclists of the words and of the facets intersected),
where it used to read each matching item's row (0.1–0.3 s at 1M items; docs/benchmarks.md).
A trigger rewrites an item's facets when its zone, channel or time changes (routing assigns
zones by UPDATE), so the index stays in step whoever writes.

The table is built again from the stored stems (no comment is stemmed again), then merged
into one segment.

PostgreSQL, where the ``btree_gin`` extension (contrib) is available: the GIN index of
``search_vector`` becomes a GIN index of (``search_vector``, ``owner_team``, ``channel``), so
a search in a zone or a channel intersects their entries inside the index and reads only the
rows that match all (a word in 50k comments, a zone and a channel: 7,756 rows read for 1,438
matches before). Without the extension nothing changes.

Revision ID: 0021_search
Revises: 0020
Create Date: 2026-11-30 13:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0021_search"
down_revision = "0020"
branch_labels = None
depends_on = None

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
_DELETE = (
    "CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback_items BEGIN "
    "DELETE FROM feedback_search WHERE rowid = old.id; END"
)
_UPDATE = (
    "CREATE TRIGGER feedback_search_update AFTER UPDATE OF text ON feedback_items "
    "WHEN old.text IS NOT new.text BEGIN "
    "DELETE FROM feedback_search WHERE rowid = old.id; "
    "INSERT OR IGNORE INTO feedback_search_pending (item_id) VALUES (new.id); END"
)


def _rebuild(columns: str, select: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS feedback_search_facets")
    op.execute("DROP TRIGGER IF EXISTS feedback_search_update")
    op.execute("DROP TRIGGER IF EXISTS feedback_search_delete")
    op.execute(f"CREATE VIRTUAL TABLE feedback_search_new USING fts5({columns}, {_TOKENIZE})")
    op.execute(f"INSERT INTO feedback_search_new (rowid, {columns}) {select}")
    op.execute("DROP TABLE feedback_search")
    op.execute("ALTER TABLE feedback_search_new RENAME TO feedback_search")
    op.execute(_DELETE)
    op.execute(_UPDATE)


def _has_btree_gin() -> bool:
    found = op.get_bind().exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gin'"
    )
    return found.first() is not None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        if _has_btree_gin():
            # in public, not in the store's schema: one copy for the database, whichever
            # schema (a test's, a tenant's) installed it first
            op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public")
            op.execute(
                "CREATE INDEX ix_feedback_items_search_facets ON feedback_items "
                "USING gin (search_vector, owner_team, channel)"
            )
            op.execute("DROP INDEX IF EXISTS ix_feedback_items_search_vector")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    from otklik.ledger.search import facets_sql, index_new_items, optimize_index

    _rebuild(
        "terms, facets",
        f"SELECT s.rowid, s.terms, {facets_sql('i')} FROM feedback_search AS s "
        "JOIN feedback_items AS i ON i.id = s.rowid ORDER BY s.rowid",
    )
    changed = " OR ".join(
        f"old.{column} IS NOT new.{column}" for column in ("owner_team", "channel", "occurred_at")
    )
    op.execute(
        "CREATE TRIGGER feedback_search_facets AFTER UPDATE OF owner_team, channel, occurred_at "
        f"ON feedback_items WHEN {changed} BEGIN "
        f"UPDATE feedback_search SET facets = {facets_sql('new')} WHERE rowid = new.id; END"
    )
    index_new_items(op.get_bind())
    optimize_index(op.get_bind())  # one segment: look-ups by rowid 10-100× faster


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_feedback_items_search_vector ON feedback_items "
            "USING gin (search_vector)"
        )
        op.execute("DROP INDEX IF EXISTS ix_feedback_items_search_facets")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild("terms", "SELECT rowid, terms FROM feedback_search ORDER BY rowid")
