"""rollup counts: the number of items kept by triggers, so a cube's freshness check is O(1)

A rollup cube checks before answering that it counts as many items as the store holds (an
insert that commits after a later id has been scanned has an id below the cube's top and is
found only by the count). On PostgreSQL ``count(*)`` reads the whole table (MVCC keeps no row
count): 2.6 s per answer at 10M items (docs/benchmarks.md). ``metric_rollup_counts`` keeps the
count instead: statement triggers on ``feedback_items`` (transition tables) add the number of
rows each INSERT, COPY or DELETE statement inserted or deleted to the row of the writing
backend (``slot`` = ``pg_backend_pid()``), so concurrent writers never wait for each other
(two live backends never share a pid; a transaction runs on one backend). TRUNCATE empties
the table. The items are the sum of ``items`` over the rows, exactly ``count(*)`` in every
snapshot (each change commits with its count). Slot 0 holds the count at this migration and
what ``otklik.metrics.rollups`` folds into it from the other rows (``SKIP LOCKED``: never the
row of a transaction still running).

PostgreSQL only: on SQLite ``count(*)`` is a scan of the smallest index in C, and a row
trigger would slow every import; the cube counts there as before.

Revision ID: 0022_rollup_counts
Revises: 0021_search
Create Date: 2026-11-30 17:30:00.000000
"""

from __future__ import annotations

from alembic import op

from otklik.ledger.models_rollups import ROLLUP_COUNTS_TABLE

revision = "0022_rollup_counts"
down_revision = "0021_search"
branch_labels = None
depends_on = None

_T = ROLLUP_COUNTS_TABLE
_ADD = f"ON CONFLICT (slot) DO UPDATE SET items = {_T}.items + excluded.items"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE TABLE {_T} (slot integer PRIMARY KEY, items bigint NOT NULL)")
    for name, sign, rows in (("insert", "", "new_rows"), ("delete", "-", "old_rows")):
        op.execute(
            f"CREATE FUNCTION metric_rollup_count_{name}() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN "
            f"INSERT INTO {_T} (slot, items) SELECT pg_backend_pid(), {sign}count(*) "
            f"FROM {rows} HAVING count(*) > 0 {_ADD}; "
            "RETURN NULL; END $$"
        )
        table = "NEW TABLE AS new_rows" if rows == "new_rows" else "OLD TABLE AS old_rows"
        op.execute(
            f"CREATE TRIGGER metric_rollup_count_{name} AFTER {name.upper()} ON feedback_items "
            f"REFERENCING {table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION metric_rollup_count_{name}()"
        )
    op.execute(
        "CREATE FUNCTION metric_rollup_count_truncate() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN DELETE FROM {_T}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER metric_rollup_count_truncate AFTER TRUNCATE ON feedback_items "
        "FOR EACH STATEMENT EXECUTE FUNCTION metric_rollup_count_truncate()"
    )
    # After the triggers: CREATE TRIGGER holds a lock that waits for every writer and keeps
    # new ones out until this migration commits, so the count below misses none and doubles
    # none.
    op.execute(f"INSERT INTO {_T} (slot, items) SELECT 0, count(*) FROM feedback_items")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("insert", "delete", "truncate"):
        op.execute(f"DROP TRIGGER metric_rollup_count_{name} ON feedback_items")
        op.execute(f"DROP FUNCTION metric_rollup_count_{name}()")
    op.execute(f"DROP TABLE {_T}")
