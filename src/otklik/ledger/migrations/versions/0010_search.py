"""search: full-text search of comments that understands Russian word forms

PostgreSQL: an expression GIN index on to_tsvector('russian', …) of the comment (ё folded,
Cyrillic lower-cased by translate). SQLite: an FTS5 table of each item's Snowball stems (filled
here for the items already stored; kept up to date by every writer through
``otklik.ledger.search.index_new_items``) and a trigger that drops an item's row with the item.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-30 03:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Must equal otklik.ledger.search.PG_DOCUMENT_SQL (tests/ledger/test_search.py checks that
# the query uses this index).
_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё"
_LOWER = _UPPER.lower().replace("ё", "е")
_DOCUMENT = (
    f"to_tsvector('russian'::regconfig, translate(coalesce(text, ''), '{_UPPER}', '{_LOWER}'))"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_feedback_items_text_search ON feedback_items USING gin ({_DOCUMENT})"
        )
    elif bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE feedback_search USING fts5("
            "terms, tokenize = 'unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback_items BEGIN "
            "DELETE FROM feedback_search WHERE rowid = old.id; END"
        )
        from otklik.ledger.search import index_new_items

        index_new_items(bind, pending=False, facets=False)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX ix_feedback_items_text_search")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER feedback_search_delete")
        op.execute("DROP TABLE feedback_search")
