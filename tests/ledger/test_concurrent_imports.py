"""Imports that run at the same time: both finish, and every row is accounted for.

Each case starts its imports together (a barrier for threads; two ``otklik import`` processes
for the CLI) with small batches, so their transactions interleave, and repeats on fresh ids
for several rounds. Expected totals come from the files themselves, computed here: the
distinct ids a file holds, and the last version of each customer in file order.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from otklik.ingest import import_file
from otklik.ingest.report import ImportReport
from otklik.ledger import (
    Customer,
    FeedbackItem,
    ImportRun,
    in_write_transaction,
    make_engine,
    upgrade,
)

ROUNDS = 3
BATCH = 7


def _customers_csv(path: Path, ids: list[str], revenue: Callable[[int, str], int]) -> Path:
    lines = ["customer_id,started_at,churned_at,revenue,segment"]
    lines += [f"{cid},2024-01-15,,{revenue(n, cid)},mass" for n, cid in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _last_revenue(path: Path) -> dict[str, float]:
    """The revenue of each customer's last row in the file (what the ledger must end with)."""
    last: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cid, _started, _churned, revenue, _segment = line.split(",")
        last[cid] = float(revenue)
    return last


def _customer_file(tmp_path: Path, prefix: str, name: str, first: int, last: int) -> Path:
    """Customers ``first``..``last - 1``; every tenth appears again later with a changed
    revenue, every seventh again unchanged (a re-sent row)."""
    ids = [f"{prefix}C{n:04d}" for n in range(first, last)]
    repeated = [cid for n, cid in enumerate(ids) if n % 10 == 3]
    resent = [cid for n, cid in enumerate(ids) if n % 7 == 5]
    rows = ids + repeated + resent
    changed_from = len(ids)
    changed_to = len(ids) + len(repeated)

    def revenue(n: int, cid: str) -> int:
        base = int(cid[-4:]) * 10 + (1 if name == "b" else 0)
        return base + 5 if changed_from <= n < changed_to else base

    return _customers_csv(tmp_path / f"{prefix}{name}.csv", rows, revenue)


def _items_file(tmp_path: Path, prefix: str, count: int) -> Path:
    """Survey answers with ids; every fifth id is sent twice (a duplicate inside the file)."""
    lines = ["id,date,score,comment"]
    ids = [f"{prefix}R{n:04d}" for n in range(count)]
    ids += [rid for n, rid in enumerate(ids) if n % 5 == 0]
    lines += [
        f"{rid},2025-03-{1 + n % 28:02d} 10:00,{n % 11},answer {rid}" for n, rid in enumerate(ids)
    ]
    path = tmp_path / f"{prefix}items.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp_path / "nps.yaml"
    mapping.write_text("scale: nps\n", encoding="utf-8")
    return path


def _data_rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


def _distinct_first_column(*paths: Path) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found |= {line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]}
    return found


def _together(engine: Engine, jobs: list[dict[str, object]]) -> list[ImportReport]:
    """Run every import in its own thread, all released at once; re-raise any failure."""
    barrier = threading.Barrier(len(jobs))
    reports: list[ImportReport | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def work(position: int, job: dict[str, object]) -> None:
        try:
            barrier.wait()
            reports[position] = import_file(engine, batch_size=BATCH, **job)  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised by _together
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    assert all(report is not None for report in reports)
    return [report for report in reports if report is not None]


def _balanced(report: ImportReport, rows: int) -> None:
    assert report.read == rows
    assert report.read == (
        report.imported + report.updated + report.duplicates + report.quarantined
    ), report


def _customers(engine: Engine, prefix: str) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Customer.customer_id, Customer.revenue).where(
                Customer.customer_id.startswith(prefix)
            )
        )
        return {row.customer_id: row.revenue for row in rows}


def _items(engine: Engine, source: str) -> set[str]:
    with engine.connect() as conn:
        query = select(FeedbackItem.external_id).where(FeedbackItem.source == source)
        return set(conn.execute(query).scalars())


def test_same_customer_list_imported_twice_at_once(engine: Engine, tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        prefix = f"S{round_}-"
        path = _customer_file(tmp_path, prefix, "a", 0, 60)
        reports = _together(
            engine, [{"path": path, "kind": "customers", "source": "crm"} for _ in range(2)]
        )
        for report in reports:
            _balanced(report, _data_rows(path))
        expected = _last_revenue(path)
        assert sum(report.imported for report in reports) == len(expected)
        assert _customers(engine, prefix) == expected


def test_overlapping_customer_lists_at_once(engine: Engine, tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        prefix = f"O{round_}-"
        first = _customer_file(tmp_path, prefix, "a", 0, 50)
        second = _customer_file(tmp_path, prefix, "b", 25, 75)
        reports = _together(
            engine,
            [
                {"path": first, "kind": "customers", "source": "crm"},
                {"path": second, "kind": "customers", "source": "billing"},
            ],
        )
        _balanced(reports[0], _data_rows(first))
        _balanced(reports[1], _data_rows(second))
        union = _distinct_first_column(first, second)
        assert sum(report.imported for report in reports) == len(union)
        stored = _customers(engine, prefix)
        assert set(stored) == union
        a, b = _last_revenue(first), _last_revenue(second)
        for cid, revenue in stored.items():
            assert revenue in {a.get(cid), b.get(cid)}, cid


def test_items_and_customers_at_once(engine: Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "nps.yaml"
    for round_ in range(ROUNDS):
        prefix = f"I{round_}-"
        items = _items_file(tmp_path, prefix, 40)
        customers = _customer_file(tmp_path, prefix, "a", 0, 40)
        jobs: list[dict[str, object]] = [
            {"path": items, "kind": "survey", "source": f"{prefix}x", "mapping": mapping},
            {"path": items, "kind": "survey", "source": f"{prefix}x", "mapping": mapping},
            {"path": items, "kind": "survey", "source": f"{prefix}y", "mapping": mapping},
            {"path": customers, "kind": "customers", "source": "crm"},
        ]
        reports = _together(engine, jobs)
        for report, job in zip(reports, jobs, strict=True):
            _balanced(report, _data_rows(job["path"]))  # type: ignore[arg-type]
        distinct = _distinct_first_column(items)
        assert reports[0].imported + reports[1].imported == len(distinct)
        assert reports[2].imported == len(distinct)
        assert _items(engine, f"{prefix}x") == distinct
        assert _items(engine, f"{prefix}y") == distinct
        assert reports[3].imported == len(_last_revenue(customers))
        assert _customers(engine, prefix) == _last_revenue(customers)


def test_changed_customer_twice_in_one_file(engine: Engine, tmp_path: Path) -> None:
    """The same customer_id twice in a file (in one batch and across batches): the first row
    is imported, a changed later row updates it, an identical later row is a duplicate."""
    rows = ["A1", "B1", "A1", "A1", "C1", "B1"]
    revenues = [100, 200, 150, 150, 300, 200]
    path = _customers_csv(tmp_path / "twice.csv", rows, lambda n, _cid: revenues[n])
    for batch_size in (5000, 1, 2):
        with engine.begin() as conn:
            conn.execute(delete(Customer))
        report = import_file(engine, path, kind="customers", batch_size=batch_size)
        _balanced(report, 6)
        # A1: new, changed (→150), same; B1: new, same; C1: new.
        assert (report.imported, report.updated, report.duplicates) == (3, 1, 2)
        assert _customers(engine, "") == {"A1": 150.0, "B1": 200.0, "C1": 300.0}


def _cli(path: Path, url: str, kind: str, source: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "otklik.cli",
        "import",
        str(path),
        "--kind",
        kind,
        "--source",
        source,
        "--db",
        url,
        "--format",
        "json",
    ]


def test_two_cli_imports_of_one_customer_list(store_url: str, tmp_path: Path) -> None:
    """Two ``otklik import`` processes on the same file at the same moment, twice."""
    engine = make_engine(store_url)
    upgrade(engine)
    env = {**os.environ, "OTKLIK_IMPORT_BATCH_SIZE": str(BATCH)}
    try:
        for round_ in range(2):
            prefix = f"P{round_}-"
            path = _customer_file(tmp_path, prefix, "a", 0, 80)
            command = _cli(path, store_url, "customers", "crm")
            processes = [
                subprocess.Popen(
                    command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                for _ in range(2)
            ]
            outputs = [process.communicate(timeout=120) for process in processes]
            for process, (_out, err) in zip(processes, outputs, strict=True):
                assert process.returncode == 0, err
                assert "Traceback" not in err
            reports = [json.loads(out) for out, _err in outputs]
            for report in reports:
                assert report["read"] == _data_rows(path)
                assert report["read"] == (
                    report["imported"]
                    + report["updated"]
                    + report["duplicates"]
                    + report["quarantined"]
                )
            expected = _last_revenue(path)
            assert sum(report["imported"] for report in reports) == len(expected)
            assert _customers(engine, prefix) == expected
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        assert total == 2 * 80
    finally:
        engine.dispose()


def test_reimport_during_import_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    """A second round of the same pair finds everything stored: no new row anywhere."""
    path = _customer_file(tmp_path, "R-", "a", 0, 30)
    _together(engine, [{"path": path, "kind": "customers"}, {"path": path, "kind": "customers"}])
    again = _together(
        engine, [{"path": path, "kind": "customers"}, {"path": path, "kind": "customers"}]
    )
    for report in again:
        _balanced(report, _data_rows(path))
        assert report.imported == 0
    assert _customers(engine, "R-") == _last_revenue(path)


def test_item_files_overlapping_in_opposite_orders(engine: Engine, tmp_path: Path) -> None:
    """Two files of one source sharing half their ids, one in reverse order: on PostgreSQL
    each batch inserts in id order, so neither import waits on the other in a cycle."""
    mapping = tmp_path / "nps.yaml"
    for round_ in range(ROUNDS):
        prefix = f"V{round_}-"
        forward = _items_file(tmp_path, prefix, 60)
        lines = forward.read_text(encoding="utf-8").splitlines()
        backward = tmp_path / f"{prefix}backward.csv"
        shifted = [line.replace(f"{prefix}R00", f"{prefix}R10", 1) for line in lines[31:]]
        backward.write_text(
            "\n".join([lines[0], *reversed(lines[1:31] + shifted)]) + "\n", encoding="utf-8"
        )
        jobs: list[dict[str, object]] = [
            {"path": forward, "kind": "survey", "source": prefix, "mapping": mapping},
            {"path": backward, "kind": "survey", "source": prefix, "mapping": mapping},
        ]
        reports = _together(engine, jobs)
        _balanced(reports[0], _data_rows(forward))
        _balanced(reports[1], _data_rows(backward))
        union = _distinct_first_column(forward, backward)
        assert sum(report.imported for report in reports) == len(union)
        assert _items(engine, prefix) == union


def test_a_batch_meeting_a_held_sqlite_lock_is_written_again(sqlite_url: str) -> None:
    """Another connection holds SQLite's write lock; with no busy wait the batch fails with
    SQLITE_BUSY, is rolled back and run again once the lock is released. Other errors are
    not retried."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    holder = sqlite3.connect(engine.url.database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    attempts = 0

    def work(conn: Connection) -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 2:
            holder.execute("COMMIT")  # the other writer finishes between the two attempts
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        conn.execute(insert(ImportRun).values(**_RUN))
        return attempts

    try:
        assert in_write_transaction(engine, work) == 2
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(ImportRun)).scalar_one() == 1
        attempts = 0
        run_id = _stored_run(engine)
        with pytest.raises(IntegrityError):
            in_write_transaction(
                engine,
                lambda conn: conn.execute(insert(ImportRun).values(id=run_id, **_RUN)),
            )
    finally:
        holder.close()
        engine.dispose()


_RUN = {
    "source": "s",
    "kind": "survey",
    "path": "p",
    "status": "running",
    "started_at": datetime(2025, 1, 1),
    "read": 0,
    "imported": 0,
    "updated": 0,
    "duplicates": 0,
    "quarantined": 0,
}


def _stored_run(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(ImportRun.id)).scalar_one())
