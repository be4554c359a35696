"""fts: the search index follows corrections and erasures; PostgreSQL keeps its document stored

SQLite: a trigger on a changed comment drops the item's row from the FTS5 table at once (the
old words stop matching in the same statement) and queues the item in
``feedback_search_pending``; ``otklik.ledger.search.index_new_items``, which every writer calls,
indexes the queued items again. The FTS5 table of migration 0010 is caught up here too.

PostgreSQL: the document (``to_tsvector('russian', …)`` of the comment, ё folded) becomes a
stored generated column ``search_vector`` with its own GIN index, in place of the expression
index of migration 0010: a page of a frequent word walks the time index and tests each row's
stored document instead of parsing and stemming its comment again (docs/benchmarks.md). Adding
the column fills it for every stored item (one rewrite of the table).

Both: an index on (owner_team, occurred_at), a team's zone newest first.

Revision ID: 0019_fts
Revises: 0016
Create Date: 2026-11-30 10:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0019_fts"
down_revision = "0016"
branch_labels = None
depends_on = None

# Must equal otklik.ledger.search.PG_DOCUMENT_SQL (tests/ledger/test_search.py checks it).
_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё"
_LOWER = _UPPER.lower().replace("ё", "е")
_DOCUMENT = (
    f"to_tsvector('russian'::regconfig, translate(coalesce(text, ''), '{_UPPER}', '{_LOWER}'))"
)


def upgrade() -> None:
    bind = op.get_bind()
    # A team's zone newest first, on both engines: a team user's search reads this index
    # instead of the table for its page and its count.
    op.create_index(
        "ix_feedback_items_owner_team_occurred_at", "feedback_items", ["owner_team", "occurred_at"]
    )
    if bind.dialect.name == "postgresql":
        # The old index first: the rewrite below would otherwise stem every comment for it too.
        op.execute("DROP INDEX IF EXISTS ix_feedback_items_text_search")
        op.execute(
            f"ALTER TABLE feedback_items ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_DOCUMENT}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_feedback_items_search_vector ON feedback_items "
            "USING gin (search_vector)"
        )
    elif bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE IF NOT EXISTS feedback_search_pending (item_id INTEGER PRIMARY KEY)"
        )
        op.execute(
            "CREATE TRIGGER feedback_search_update AFTER UPDATE OF text ON feedback_items "
            "WHEN old.text IS NOT new.text BEGIN "
            "DELETE FROM feedback_search WHERE rowid = old.id; "
            "INSERT OR IGNORE INTO feedback_search_pending (item_id) VALUES (new.id); END"
        )
        op.execute(
            "CREATE TRIGGER feedback_search_pending_delete AFTER DELETE ON feedback_items "
            "BEGIN DELETE FROM feedback_search_pending WHERE item_id = old.id; END"
        )
        from otklik.ledger.search import index_new_items

        index_new_items(bind, facets=False)


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index("ix_feedback_items_owner_team_occurred_at", table_name="feedback_items")
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_feedback_items_search_vector")
        op.execute("ALTER TABLE feedback_items DROP COLUMN search_vector")
        op.execute(
            f"CREATE INDEX ix_feedback_items_text_search ON feedback_items USING gin ({_DOCUMENT})"
        )
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS feedback_search_pending_delete")
        op.execute("DROP TRIGGER IF EXISTS feedback_search_update")
        op.execute("DROP TABLE IF EXISTS feedback_search_pending")
