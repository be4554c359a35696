"""The item count that migration 0022 keeps for the rollup cubes' freshness check (PostgreSQL).

Statement triggers on ``feedback_items`` keep ``metric_rollup_counts`` equal to ``count(*)``.
Where they did not fire — a restore with ``pg_restore --disable-triggers``, a logical replica,
``ALTER TABLE … DISABLE TRIGGER`` — the kept count falls behind for good, and every freshness
check then finds the cube stale and rebuilds it (a full scan per check). ``otklik doctor``
compares the two (:func:`count_drift`) and ``otklik doctor --recount`` resets the kept count
(:func:`recount`).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from otklik.ledger.models_rollups import ROLLUP_COUNTS_TABLE

__all__ = ["count_drift", "recount"]


def _kept(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql" and inspect(engine).has_table(ROLLUP_COUNTS_TABLE)


def count_drift(engine: Engine) -> tuple[int, int] | None:
    """(kept count, ``count(*)``) of the store's items, read in one snapshot; None where no
    count is kept (SQLite, or a PostgreSQL store before migration 0022). A full scan of the
    items: for a health check, not for every answer."""
    if not _kept(engine):
        return None
    with engine.connect() as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        kept = conn.exec_driver_sql(
            f"SELECT coalesce(sum(items), 0) FROM {ROLLUP_COUNTS_TABLE}"
        ).scalar_one()
        actual = conn.exec_driver_sql("SELECT count(*) FROM feedback_items").scalar_one()
    return int(kept), int(actual)


def recount(engine: Engine) -> int | None:
    """Reset the kept count to ``count(*)`` and return it (None where no count is kept).
    Writers wait meanwhile (a SHARE lock on the items: no insert or delete can slip between
    the count and its write)."""
    if not _kept(engine):
        return None
    with engine.begin() as conn:
        conn.exec_driver_sql("LOCK TABLE feedback_items IN SHARE MODE")
        conn.exec_driver_sql(f"DELETE FROM {ROLLUP_COUNTS_TABLE}")
        conn.exec_driver_sql(
            f"INSERT INTO {ROLLUP_COUNTS_TABLE} (slot, items) "
            "SELECT 0, count(*) FROM feedback_items"
        )
        total = conn.exec_driver_sql(f"SELECT items FROM {ROLLUP_COUNTS_TABLE}").scalar_one()
    return int(total)
