"""Writing to the ledger in batches: each batch is one transaction, so an interrupted import
leaves whole batches behind and a re-run completes it (rows already there count as duplicates).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, bindparam, insert, select, update

from otklik.ledger.models import Customer, FeedbackItem, ImportRun, QuarantineRow

__all__ = [
    "ITEM_COLUMNS",
    "BatchResult",
    "finish_run",
    "start_run",
    "write_customers",
    "write_items",
]

# Columns an importer may fill; id is the store's own, owner_team_source is routing's.
ITEM_COLUMNS: tuple[str, ...] = tuple(
    column.name
    for column in FeedbackItem.__table__.columns
    if column.name not in ("id", "owner_team_source")
)
_CUSTOMER_COLUMNS: tuple[str, ...] = tuple(
    column.name for column in Customer.__table__.columns if column.name != "id"
)


@dataclass
class BatchResult:
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(
    engine: Engine, *, source: str, kind: str, path: str, file_sha256: str | None = None
) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(ImportRun).values(
                source=source,
                kind=kind,
                path=path,
                file_sha256=file_sha256,
                status="running",
                started_at=_now(),
                read=0,
                imported=0,
                updated=0,
                duplicates=0,
                quarantined=0,
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


def finish_run(
    engine: Engine, run_id: int, *, status: str, detected: dict[str, Any] | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": _now()}
    if detected is not None:
        values["detected"] = detected
    with engine.begin() as conn:
        conn.execute(update(ImportRun).where(ImportRun.id == run_id).values(**values))


def _existing_ids(conn: Connection, source: str, ids: Sequence[str]) -> set[str]:
    query = select(FeedbackItem.external_id).where(
        FeedbackItem.source == source,
        FeedbackItem.external_id.in_(bindparam("ids", expanding=True)),
    )
    return set(conn.execute(query, {"ids": list(ids)}).scalars())


def _copy_items(
    conn: Connection, source: str, run_id: int | None, rows: list[dict[str, Any]]
) -> int:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING.

    COPY is the fast path into PostgreSQL, but it cannot skip duplicates; the staging table
    lets the unique key do that in one statement, whose row count is the number imported.
    Rows keep their file order, so the first of two equal ids in a batch wins.
    """
    if not rows:
        return 0
    names = ", ".join(f'"{name}"' for name in ITEM_COLUMNS)
    dbapi: Any = conn.connection.dbapi_connection
    with dbapi.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE otklik_staging ON COMMIT DROP AS "
            f"SELECT {names}, 0 AS ord FROM feedback_items WITH NO DATA"
        )
        with cursor.copy(f"COPY otklik_staging ({names}, ord) FROM STDIN") as copy:
            for ord_, row in enumerate(rows):
                values = [row.get(name) for name in ITEM_COLUMNS]
                values[_AT_SOURCE], values[_AT_RUN] = source, run_id
                if values[_AT_ATTRIBUTES] is not None:
                    values[_AT_ATTRIBUTES] = json.dumps(values[_AT_ATTRIBUTES], ensure_ascii=False)
                values.append(ord_)
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO feedback_items ({names}) SELECT {names} FROM otklik_staging "
            "ORDER BY ord ON CONFLICT (source, external_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE otklik_staging")
    return int(inserted)


_AT_SOURCE = ITEM_COLUMNS.index("source")
_AT_RUN = ITEM_COLUMNS.index("import_run_id")
_AT_ATTRIBUTES = ITEM_COLUMNS.index("attributes")

_DATETIME_COLUMNS = frozenset(
    column.name for column in FeedbackItem.__table__.columns if isinstance(column.type, DateTime)
)


def _insert_sqlite(
    conn: Connection, source: str, run_id: int | None, rows: list[dict[str, Any]]
) -> int:
    """SQLite: one prepared statement; the unique key skips duplicates, counted by SQLite.

    ``ON CONFLICT (source, external_id) DO NOTHING`` targets only the identity key, so any
    other constraint still fails loudly. Values are converted as SQLAlchemy stores them; going
    around its per-value processing and the look-up query halves the cost of a large import.
    """
    if not rows:
        return 0
    present = set().union(*rows)
    columns = [name for name in ITEM_COLUMNS if name in present or name in _BATCH_COLUMNS]
    dates = [i for i, name in enumerate(columns) if name in _DATETIME_COLUMNS]
    attributes = columns.index("attributes") if "attributes" in columns else -1
    at_source, at_run = columns.index("source"), columns.index("import_run_id")
    params = []
    for row in rows:
        values: list[Any] = [row.get(name) for name in columns]
        values[at_source], values[at_run] = source, run_id
        for i in dates:
            if values[i] is not None:
                values[i] = values[i].isoformat(sep=" ", timespec="microseconds")
        if attributes >= 0 and values[attributes] is not None:
            values[attributes] = json.dumps(values[attributes], ensure_ascii=False)
        params.append(tuple(values))
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    dbapi: Any = conn.connection.dbapi_connection
    before = dbapi.total_changes
    conn.exec_driver_sql(
        f"INSERT INTO feedback_items ({names}) VALUES ({marks}) "
        "ON CONFLICT (source, external_id) DO NOTHING",
        params,
    )
    return int(dbapi.total_changes - before)


_BATCH_COLUMNS = frozenset({"source", "import_run_id"})


def _insert_quarantine(conn: Connection, run_id: int, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(QuarantineRow), [{**row, "run_id": run_id} for row in rows])


def _bump_run(conn: Connection, run_id: int, read: int, result: BatchResult) -> None:
    conn.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            read=ImportRun.read + read,
            imported=ImportRun.imported + result.imported,
            updated=ImportRun.updated + result.updated,
            duplicates=ImportRun.duplicates + result.duplicates,
            quarantined=ImportRun.quarantined + result.quarantined,
        )
    )


def write_items(
    engine: Engine,
    *,
    run_id: int | None,
    source: str,
    items: Iterable[dict[str, Any]],
    quarantine: Sequence[dict[str, Any]] = (),
    read: int | None = None,
) -> BatchResult:
    """Store one batch of normalised items of one source, in one transaction.

    Items whose ``external_id`` is already in the ledger (or earlier in the batch) count as
    duplicates; ``quarantine`` rows (``file``, ``line``, ``field``, ``reason``, ``raw``) are
    stored with the run.
    """
    rows = list(items)
    result = BatchResult(quarantined=len(quarantine))
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            imported = _insert_sqlite(conn, source, run_id, rows)
        elif conn.dialect.name == "postgresql":
            imported = _copy_items(conn, source, run_id, rows)
        else:
            imported = _insert_new(conn, source, run_id, rows)
        result.imported = imported
        result.duplicates = len(rows) - imported
        if run_id is not None:
            _insert_quarantine(conn, run_id, list(quarantine))
            _bump_run(conn, run_id, len(rows) + len(quarantine) if read is None else read, result)
    return result


def _insert_new(
    conn: Connection, source: str, run_id: int | None, rows: list[dict[str, Any]]
) -> int:
    """Insert the rows whose external_id is not stored yet (nor earlier in the batch)."""
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(row["external_id"], row)
    existing = _existing_ids(conn, source, list(unique)) if unique else set()
    new_rows = [
        {**row, "source": source, "import_run_id": run_id}
        for external_id, row in unique.items()
        if external_id not in existing
    ]
    if new_rows:
        conn.execute(
            insert(FeedbackItem),
            [{name: row.get(name) for name in ITEM_COLUMNS} for row in new_rows],
        )
    return len(new_rows)


def write_customers(
    engine: Engine,
    *,
    run_id: int | None,
    source: str,
    customers: Iterable[dict[str, Any]],
    quarantine: Sequence[dict[str, Any]] = (),
    read: int | None = None,
) -> BatchResult:
    """Insert new customers and update changed ones (a CRM export re-sent with churn dates).

    A row identical to the stored one (same content hash) counts as a duplicate.
    """
    unique: dict[str, dict[str, Any]] = {}
    seen = 0
    for customer in customers:
        seen += 1
        unique[customer["customer_id"]] = customer
    result = BatchResult(quarantined=len(quarantine))
    with engine.begin() as conn:
        stored: dict[str, str] = {}
        if unique:
            query = select(Customer.customer_id, Customer.content_hash).where(
                Customer.customer_id.in_(bindparam("ids", expanding=True))
            )
            stored = {
                row.customer_id: row.content_hash
                for row in conn.execute(query, {"ids": list(unique)})
            }
        fresh, changed = [], []
        for customer_id, customer in unique.items():
            row = {name: customer.get(name) for name in _CUSTOMER_COLUMNS} | {
                "source": source,
                "import_run_id": run_id,
            }
            if customer_id not in stored:
                fresh.append(row)
            elif stored[customer_id] != customer["content_hash"]:
                changed.append(row)
        if fresh:
            conn.execute(insert(Customer), fresh)
        for row in changed:
            conn.execute(
                update(Customer).where(Customer.customer_id == row["customer_id"]).values(**row)
            )
        result.imported = len(fresh)
        result.updated = len(changed)
        result.duplicates = seen - len(fresh) - len(changed)
        if run_id is not None:
            _insert_quarantine(conn, run_id, list(quarantine))
            _bump_run(conn, run_id, seen + len(quarantine) if read is None else read, result)
    return result
