"""Writing to the ledger in batches: each batch is one transaction, so an interrupted import
leaves whole batches behind and a re-run completes it (rows already there count as duplicates).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Index,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from otklik.ledger.db import SQLITE_BUSY_TIMEOUT_MS
from otklik.ledger.models import Customer, FeedbackItem, ImportRun, QuarantineRow
from otklik.ledger.search import index_new_items

__all__ = [
    "EMPLOYEE_KINDS",
    "ITEM_COLUMNS",
    "BatchResult",
    "anonymous",
    "bulk_load",
    "finish_run",
    "in_write_transaction",
    "restore_indexes",
    "start_run",
    "write_customers",
    "write_item_rows",
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


T = TypeVar("T")

# PostgreSQL: serialization failure, deadlock detected. SQLite: busy, locked (any extended code).
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
_RETRY_SQLITE_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def _transient(exc: DBAPIError) -> bool:
    """Whether ``exc`` is a lock conflict with another writer that a retry resolves."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        return (int(code) & 0xFF) in _RETRY_SQLITE_CODES
    return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


def in_write_transaction(
    engine: Engine, work: Callable[[Connection], T], *, timeout_s: float | None = None
) -> T:
    """Run ``work`` in one transaction; if another writer makes it fail with a lock conflict
    (SQLite ``SQLITE_BUSY``/``SQLITE_LOCKED`` past its busy timeout, or a stale snapshot;
    PostgreSQL deadlock or serialization failure), roll back and run it again, with growing
    pauses, for up to ``timeout_s`` seconds (default: the SQLite busy timeout, 30 s).

    ``work`` must be safe to repeat: everything it wrote is rolled back before a retry. Other
    errors, and a conflict that outlasts the timeout, propagate unchanged.
    """
    deadline = time.monotonic() + (
        SQLITE_BUSY_TIMEOUT_MS / 1000 if timeout_s is None else timeout_s
    )
    pause = 0.005
    while True:
        try:
            with engine.begin() as conn:
                return work(conn)
        except DBAPIError as exc:
            if not _transient(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


BULK_LOAD_MIN_ROWS = 50_000


@contextmanager
def bulk_load(engine: Engine, incoming: int) -> Iterator[bool]:
    """Around a large import: when ``incoming`` rows (at least :data:`BULK_LOAD_MIN_ROWS`)
    outnumber the items already stored, the secondary indexes of ``feedback_items`` (the
    model's; not the unique key, nor PostgreSQL's full-text GIN index) are dropped for the
    load and built again at the end, whatever happens in between; yields whether it did.
    Built once over the whole table, they cost a fraction of keeping them up to date row by
    row (measured in docs/benchmarks.md: 2–9× on SQLite, 2× on PostgreSQL). Queries still
    give the same answers meanwhile, only slower. Any index missing after a killed process is
    built again by the next import (:func:`restore_indexes`). SQLite and PostgreSQL; other
    engines: nothing (yields False).
    """
    if engine.dialect.name not in ("sqlite", "postgresql"):
        yield False
        return
    restore_indexes(engine)
    with engine.connect() as conn:
        stored = int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT 1 FROM feedback_items LIMIT "
                f"{max(int(incoming), 0)}) AS stored"
            ).scalar()
            or 0
        )
    if incoming < BULK_LOAD_MIN_ROWS or stored >= incoming:
        yield False
        return
    indexes = _secondary_indexes()

    def drop(conn: Connection) -> None:
        for index in indexes:
            index.drop(conn, checkfirst=True)

    in_write_transaction(engine, drop)
    try:
        yield True
    finally:
        restore_indexes(engine)


def _secondary_indexes() -> list[Index]:
    table = FeedbackItem.__table__
    assert isinstance(table, Table)
    return sorted((index for index in table.indexes if not index.unique), key=lambda i: str(i.name))


# PostgreSQL: memory for building an index after a bulk load (sorting in memory instead of on
# disk), unless the server already allows more; for this transaction only.
_PG_INDEX_MEMORY = "256MB"


def restore_indexes(engine: Engine) -> None:
    """Build any secondary index of ``feedback_items`` that is missing (see :func:`bulk_load`)."""

    def build(conn: Connection) -> None:
        missing = [
            index
            for index in _secondary_indexes()
            if not engine.dialect.has_index(conn, "feedback_items", str(index.name))
        ]
        if missing and conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "SELECT set_config('maintenance_work_mem', %(memory)s, true) WHERE pg_size_bytes("
                "current_setting('maintenance_work_mem')) < pg_size_bytes(%(memory)s)",
                {"memory": _PG_INDEX_MEMORY},
            )
        threads = conn.dialect.name == "sqlite" and len(missing) > 0
        if threads:  # sort the keys with helper threads: 3.9 → 3.4 s wall at 1M rows
            conn.exec_driver_sql(f"PRAGMA threads = {min(os.cpu_count() or 1, 8)}")
        try:
            for index in missing:
                index.create(conn)
        finally:
            if threads:
                conn.exec_driver_sql("PRAGMA threads = 0")

    in_write_transaction(engine, build)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(
    engine: Engine, *, source: str, kind: str, path: str, file_sha256: str | None = None
) -> int:
    def work(conn: Connection) -> int:
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

    return in_write_transaction(engine, work)


def finish_run(
    engine: Engine, run_id: int, *, status: str, detected: dict[str, Any] | None = None
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": _now()}
    if detected is not None:
        values["detected"] = detected
    in_write_transaction(
        engine,
        lambda conn: conn.execute(update(ImportRun).where(ImportRun.id == run_id).values(**values)),
    )


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
    Rows go in id order (one lock order for every writer: two imports of overlapping files
    cannot deadlock), and in file order within an id, so the first of two equal ids wins.
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
            "ORDER BY external_id, ord ON CONFLICT (source, external_id) DO NOTHING"
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
            if isinstance(values[i], datetime):  # the column-wise import passes ISO strings
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
    inserted = int(dbapi.total_changes - before)
    if inserted:
        index_new_items(conn)  # the comments' stems, for search (same transaction)
    return inserted


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


EMPLOYEE_KINDS: frozenset[str] = frozenset({"employee", "employee-exit"})
# Attribute names (lower case) that would name the employee who answered.
_IDENTIFYING = frozenset(
    {"employee_id", "employee", "email", "e-mail", "name", "full_name", "phone", "login"}
    | {"табельный номер", "сотрудник", "фио", "почта", "телефон"}
)


def anonymous(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` without who gave it when it is an employee's answer (else ``row`` itself)."""
    if row.get("kind") not in EMPLOYEE_KINDS:
        return row
    clean = {**row, "customer_id": None, "agent": None}
    attributes = row.get("attributes")
    if attributes:
        kept = {k: v for k, v in attributes.items() if str(k).strip().lower() not in _IDENTIFYING}
        clean["attributes"] = kept or None
    return clean


def write_items(
    engine: Engine,
    *,
    run_id: int | None,
    source: str,
    items: Iterable[dict[str, Any]],
    quarantine: Sequence[dict[str, Any]] = (),
    read: int | None = None,
    keep_employee_ids: bool = False,
) -> BatchResult:
    """Store one batch of normalised items of one source, in one transaction.

    Items whose ``external_id`` is already in the ledger (or earlier in the batch) count as
    duplicates; ``quarantine`` rows (``file``, ``line``, ``field``, ``reason``, ``raw``) are
    stored with the run. Employee answers (kinds in :data:`EMPLOYEE_KINDS`) are stored
    anonymous unless ``keep_employee_ids`` (the setting ``OTKLIK_EX_KEEP_EMPLOYEE_IDS``): who
    answered (``customer_id``, ``agent`` and identifying attributes) is dropped before writing.
    """
    rows = list(items) if keep_employee_ids else [anonymous(row) for row in items]
    bad = list(quarantine)

    def work(conn: Connection) -> BatchResult:
        result = BatchResult(quarantined=len(bad))
        if conn.dialect.name == "sqlite":
            imported = _insert_sqlite(conn, source, run_id, rows)
        elif conn.dialect.name == "postgresql":
            imported = _copy_items(conn, source, run_id, rows)
        else:
            imported = _insert_new(conn, source, run_id, rows)
        result.imported = imported
        result.duplicates = len(rows) - imported
        if run_id is not None:
            _insert_quarantine(conn, run_id, bad)
            _bump_run(conn, run_id, len(rows) + len(bad) if read is None else read, result)
        return result

    return in_write_transaction(engine, work)


def write_item_rows(
    engine: Engine,
    *,
    run_id: int | None,
    rows: list[tuple[Any, ...]],
    quarantine: Sequence[dict[str, Any]] = (),
    columns: Sequence[str] = ITEM_COLUMNS,
) -> BatchResult:
    """:func:`write_items` for rows already laid out as ``columns`` (some of
    :data:`ITEM_COLUMNS`, in that order; the others are stored NULL), the column-wise import's:
    ``source`` and ``import_run_id`` filled in, dates as naive-UTC ISO strings, ``attributes``
    as JSON text, employee answers already anonymous, file order. One transaction; the same
    counting (the first of two equal ids wins)."""
    bad = list(quarantine)
    names = tuple(columns)
    unknown = set(names) - set(ITEM_COLUMNS)
    if unknown or not {"source", "external_id"} <= set(names):
        raise ValueError(f"write_item_rows: columns must name source, external_id: {names}")

    def work(conn: Connection) -> BatchResult:
        result = BatchResult(quarantined=len(bad))
        imported = 0
        if rows:
            if conn.dialect.name == "sqlite":
                imported = _insert_sqlite_rows(conn, names, rows)
            elif conn.dialect.name == "postgresql":
                imported = _copy_rows(conn, names, rows)
            else:
                items = [
                    {name: None for name in ITEM_COLUMNS} | dict(zip(names, row, strict=True))
                    for row in rows
                ]
                for item in items:
                    for name in _DATETIME_COLUMNS:
                        if isinstance(item[name], str):
                            item[name] = datetime.fromisoformat(item[name])
                    if isinstance(item["attributes"], str):
                        item["attributes"] = json.loads(item["attributes"])
                imported = _insert_new(conn, str(items[0]["source"]), run_id, items)
        result.imported = imported
        result.duplicates = len(rows) - imported
        if run_id is not None:
            _insert_quarantine(conn, run_id, bad)
            _bump_run(conn, run_id, len(rows) + len(bad), result)
        return result

    return in_write_transaction(engine, work)


def _insert_sqlite_rows(
    conn: Connection, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> int:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    dbapi: Any = conn.connection.dbapi_connection
    before = dbapi.total_changes
    conn.exec_driver_sql(
        f"INSERT INTO feedback_items ({names}) VALUES ({marks}) "
        "ON CONFLICT (source, external_id) DO NOTHING",
        rows,
    )
    inserted = int(dbapi.total_changes - before)
    if inserted:
        index_new_items(conn)
    return inserted


def _copy_rows(conn: Connection, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """:func:`_copy_items` for rows laid out as ``columns``.

    When no row can be a duplicate (the source has no items yet and the batch's ids are
    distinct), the rows are copied straight into ``feedback_items``, without the staging
    table and its sorted INSERT; should another import of the same source get there first,
    the unique key refuses the COPY, which is rolled back to a savepoint and done the staging
    way.
    """
    names = ", ".join(f'"{name}"' for name in columns)
    at_source, at_external_id = columns.index("source"), columns.index("external_id")
    dbapi: Any = conn.connection.dbapi_connection
    source = rows[0][at_source]
    distinct = len({row[at_external_id] for row in rows}) == len(rows)
    with dbapi.cursor() as cursor:
        if distinct and all(row[at_source] == source for row in rows):
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM feedback_items WHERE source = %s)", (source,)
            )
            found = cursor.fetchone()
            if found is not None and found[0]:
                from psycopg.errors import UniqueViolation  # PostgreSQL is psycopg here

                cursor.execute("SAVEPOINT otklik_direct")
                try:
                    with cursor.copy(f"COPY feedback_items ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                except UniqueViolation:
                    cursor.execute("ROLLBACK TO SAVEPOINT otklik_direct")
                else:
                    cursor.execute("RELEASE SAVEPOINT otklik_direct")
                    return len(rows)
        cursor.execute(
            f"CREATE TEMP TABLE otklik_staging ON COMMIT DROP AS "
            f"SELECT {names}, 0 AS ord FROM feedback_items WITH NO DATA"
        )
        with cursor.copy(f"COPY otklik_staging ({names}, ord) FROM STDIN") as copy:
            for ord_, row in enumerate(rows):
                copy.write_row((*row, ord_))
        cursor.execute(
            f"INSERT INTO feedback_items ({names}) SELECT {names} FROM otklik_staging "
            "ORDER BY external_id, ord ON CONFLICT (source, external_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE otklik_staging")
    return int(inserted)


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


def _rounds(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split a batch so that each customer appears at most once per round: round k holds the
    k-th row of every customer, in file order across rounds, sorted by id within a round (one
    lock order for every writer, so two imports cannot deadlock on each other's rows)."""
    seen: dict[str, int] = {}
    rounds: list[list[dict[str, Any]]] = []
    for row in rows:
        occurrence = seen.get(row["customer_id"], 0)
        seen[row["customer_id"]] = occurrence + 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append(row)
    return [sorted(round_, key=lambda row: str(row["customer_id"])) for round_ in rounds]


def _upsert_customers_postgresql(conn: Connection, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """COPY into a temporary table, then one INSERT … SELECT … ORDER BY customer_id
    ON CONFLICT DO UPDATE (only where the content changed) RETURNING ``xmax = 0``: a returned
    row with it true was inserted, any other returned row was updated, and an unchanged
    customer returns nothing. Id order is one lock order for every writer."""
    names = ", ".join(f'"{name}"' for name in _CUSTOMER_COLUMNS)
    changes = ", ".join(
        f'"{name}" = excluded."{name}"' for name in _CUSTOMER_COLUMNS if name != "customer_id"
    )
    json_at = _CUSTOMER_COLUMNS.index("attributes")
    dbapi: Any = conn.connection.dbapi_connection
    with dbapi.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE otklik_customer_staging ON COMMIT DROP AS "
            f"SELECT {names} FROM customers WITH NO DATA"
        )
        with cursor.copy(f"COPY otklik_customer_staging ({names}) FROM STDIN") as copy:
            for row in rows:
                values = [row.get(name) for name in _CUSTOMER_COLUMNS]
                if values[json_at] is not None:
                    values[json_at] = json.dumps(values[json_at], ensure_ascii=False)
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO customers ({names}) SELECT {names} FROM otklik_customer_staging "
            f"ORDER BY customer_id ON CONFLICT (customer_id) DO UPDATE SET {changes} "
            "WHERE customers.content_hash IS DISTINCT FROM excluded.content_hash "
            "RETURNING xmax = 0"
        )
        flags = [bool(found[0]) for found in cursor.fetchall()]
        cursor.execute("DROP TABLE otklik_customer_staging")
    inserted = sum(flags)
    return inserted, len(flags) - inserted


def _upsert_customers_sqlite(conn: Connection, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING the inserted ids, then an UPDATE of the rest
    whose content changed, counted by its row count. On SQLite the first statement takes the
    write lock, so nothing changes between the statements."""
    statement = sqlite.insert(Customer).on_conflict_do_nothing(
        index_elements=[Customer.customer_id]
    )
    inserted = set(conn.execute(statement.returning(Customer.customer_id), rows).scalars())
    rest = [row for row in rows if row["customer_id"] not in inserted]
    if rest:  # the write lock is held now: what this reads stays true until the commit
        query = select(Customer.customer_id, Customer.content_hash).where(
            Customer.customer_id.in_(bindparam("ids", expanding=True))
        )
        found = conn.execute(query, {"ids": [row["customer_id"] for row in rest]})
        stored = {found_row.customer_id: found_row.content_hash for found_row in found}
        rest = [row for row in rest if stored.get(row["customer_id"]) != row["content_hash"]]
    if not rest:
        return len(inserted), 0
    changes = update(Customer).where(
        Customer.customer_id == bindparam("b_customer_id"),
        Customer.content_hash != bindparam("b_content_hash"),
    )
    params = [{f"b_{name}": row[name] for name in row} for row in rest]
    values: dict[str, Any] = {
        name: bindparam(f"b_{name}") for name in rest[0] if name != "customer_id"
    }
    updated = conn.execute(changes.values(values), params).rowcount
    return len(inserted), int(updated)


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

    Every row is counted by what the store did with it: inserted (``imported``), changed an
    existing customer (``updated``) or found it identical (same content hash: a
    ``duplicate``). A customer twice in a batch is applied in file order, so the last row
    wins and a changed second row counts as an update. Safe against other imports writing the
    same customers at the same time (see :func:`in_write_transaction`).
    """
    rows = [
        {name: customer.get(name) for name in _CUSTOMER_COLUMNS}
        | {"source": source, "import_run_id": run_id}
        for customer in customers
    ]
    bad = list(quarantine)
    upsert = (
        _upsert_customers_postgresql
        if engine.dialect.name == "postgresql"
        else _upsert_customers_sqlite
    )

    def work(conn: Connection) -> BatchResult:
        result = BatchResult(quarantined=len(bad))
        for round_ in _rounds(rows):
            inserted, changed = upsert(conn, round_)
            result.imported += inserted
            result.updated += changed
        result.duplicates = len(rows) - result.imported - result.updated
        if run_id is not None:
            _insert_quarantine(conn, run_id, bad)
            _bump_run(conn, run_id, len(rows) + len(bad) if read is None else read, result)
        return result

    return in_write_transaction(engine, work)
