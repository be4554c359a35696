"""Import speed: otklik's full import against the physical floor of the same store.

Generates N survey/contact rows as a semicolon CSV (Russian headers, dd.mm.yyyy dates, decimal
commas: the awkward export the importer is for), then in one run:

* otklik: ``import_file`` on SQLite (read, detect, map, validate, normalise, dedupe, write;
  the column-wise path, the default), and with ``--row-wise`` also the row-wise reference;
* floor: the same rows, already parsed, written with raw ``sqlite3.executemany`` into the same
  table with the same indexes (no reading, no validation); and again into the table without
  its secondary indexes, then building them (what otklik's bulk load does);
* DuckDB ``read_csv`` of the same file into its own table (if duckdb is installed);
* the same pair on PostgreSQL: otklik (COPY inside) against a raw psycopg COPY of parsed rows.

    python benchmarks/bench_import.py [--rows 1000000] [--row-wise]
        [--pg postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text

from otklik.ingest import MappingFile, import_file
from otklik.ledger import ITEM_COLUMNS, make_engine, normalize_url, upgrade

HEADER = [
    "ID",
    "Дата",
    "Оценка",
    "Комментарий",
    "Канал",
    "Клиент",
    "Оператор",
    "Длительность",
    "Переводы",
    "Сумма",
]
CHANNELS = ["Приложение", "Сайт", "Звонок", "Чат", "Офис"]
COMMENTS = [
    "Всё отлично, спасибо",
    "Долго ждал ответа оператора",
    "Приложение не открывается",
    "Комиссия слишком высокая",
    "",
    "",
    "Great service",
    "Перевели три раза",
]


def generate(
    path: Path, rows: int, seed: int = 7, *, keep_parsed: bool = True
) -> list[tuple[Any, ...]]:
    """Write the CSV and return the same rows parsed, as the floor inserts them (an empty list
    with ``keep_parsed=False``: the same file, without holding N tuples in memory)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    parsed: list[tuple[Any, ...]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for n in range(rows):
            moment = start + timedelta(seconds=rng.randrange(365 * 86400))
            score = rng.randrange(11)
            comment = rng.choice(COMMENTS)
            channel = rng.choice(CHANNELS)
            customer = f"C{rng.randrange(rows // 3 + 1):07d}"
            agent = f"agent{rng.randrange(60):02d}"
            handle_time = rng.randrange(30, 900)
            transfers = rng.choice((0, 0, 0, 1, 2))
            amount = rng.randrange(100, 100000) / 100
            writer.writerow(
                [
                    n,
                    moment.strftime("%d.%m.%Y %H:%M:%S"),
                    score,
                    comment,
                    channel,
                    customer,
                    agent,
                    handle_time,
                    transfers,
                    f"{amount:.2f}".replace(".", ","),
                ]
            )
            if not keep_parsed:
                continue
            parsed.append(
                (
                    "bench",
                    str(n),
                    "survey",
                    channel,
                    moment,
                    customer,
                    float(score),
                    "nps",
                    comment or None,
                    agent,
                    float(handle_time),
                    transfers,
                    amount,
                )
            )
    return parsed


FLOOR_COLUMNS = (
    "source",
    "external_id",
    "kind",
    "channel",
    "occurred_at",
    "customer_id",
    "score",
    "scale",
    "text",
    "agent",
    "handle_time_s",
    "transfers",
    "revenue",
)


def sqlite_floor(
    db: Path, parsed: list[tuple[Any, ...]], *, indexes: bool = True
) -> tuple[float, float]:
    """Seconds to write the parsed rows with raw ``executemany`` into the same table: with its
    indexes (``indexes``), or without its secondary indexes; and the seconds to build those
    indexes afterwards (0 with ``indexes``)."""
    import sqlite3

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    secondary = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'feedback_items' AND sql IS NOT NULL"
    ).fetchall()
    if not indexes:
        for name, _ in secondary:
            conn.execute(f"DROP INDEX {name}")
    placeholders = ", ".join("?" for _ in FLOOR_COLUMNS)
    sql = f"INSERT INTO feedback_items ({', '.join(FLOOR_COLUMNS)}) VALUES ({placeholders})"
    rows = [
        (*row[:4], row[4].isoformat(sep=" ", timespec="microseconds"), *row[5:]) for row in parsed
    ]
    began = time.perf_counter()
    for start in range(0, len(rows), 5000):
        with conn:
            conn.executemany(sql, rows[start : start + 5000])
    elapsed = time.perf_counter() - began
    built = 0.0
    if not indexes:
        began = time.perf_counter()
        with conn:
            for _, statement in secondary:
                conn.execute(statement)
        built = time.perf_counter() - began
    conn.close()
    return elapsed, built


def duckdb_floor(path: Path) -> float | None:
    """DuckDB's read_csv of the same file into a table of its own, or None without duckdb."""
    try:
        import duckdb
    except ImportError:
        return None
    conn = duckdb.connect()
    began = time.perf_counter()
    conn.execute(
        "CREATE TABLE items AS SELECT * FROM read_csv(?, delim=';', header=true)", [str(path)]
    )
    elapsed = time.perf_counter() - began
    conn.close()
    return elapsed


def otklik_import(url: str, path: Path, *, columnar: bool = True) -> tuple[float, int, float]:
    """Seconds, rows imported, and CPU seconds of this process (PostgreSQL's own work is not
    in them; on SQLite everything is, but waiting for the disk)."""
    engine = make_engine(url)
    upgrade(engine)
    began, cpu = time.perf_counter(), time.process_time()
    report = import_file(
        engine,
        path,
        kind="survey",
        source="bench",
        mapping=MappingFile(scale="nps"),
        columnar=columnar,
    )
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    engine.dispose()
    assert report.accounted and report.quarantined == 0, report
    return elapsed, report.imported, cpu


def pg_schema(admin_url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = normalize_url(admin_url)
    return schema, f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def drop_schema(admin_url: str, schema: str) -> None:
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def pg_floor(admin_url: str, parsed: list[tuple[Any, ...]]) -> float:
    schema, url = pg_schema(admin_url)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, options=f"-csearch_path={schema}") as conn:
            began = time.perf_counter()
            for start in range(0, len(parsed), 5000):
                with (
                    conn.cursor() as cursor,
                    cursor.copy(
                        f"COPY feedback_items ({', '.join(FLOOR_COLUMNS)}) FROM STDIN"
                    ) as copy,
                ):
                    for row in parsed[start : start + 5000]:
                        copy.write_row(row)
                conn.commit()
            return time.perf_counter() - began
    finally:
        drop_schema(admin_url, schema)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (Linux), to print next to the figures."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--pg",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL URL; empty to skip",
    )
    parser.add_argument(
        "--row-wise", action="store_true", help="also time the row-wise reference path"
    )
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    assert len(ITEM_COLUMNS) > len(FLOOR_COLUMNS)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "export.csv"
        began = time.perf_counter()
        parsed = generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB CSV) in "
            f"{time.perf_counter() - began:.1f} s"
        )
        floor, _ = sqlite_floor(work / "floor.db", parsed)
        bare, built = sqlite_floor(work / "bare.db", parsed, indexes=False)
        duck = duckdb_floor(path)
        ours, imported, cpu = otklik_import(f"sqlite:///{work / 'otklik.db'}", path)
        assert imported == args.rows
        n = args.rows
        print(f"SQLite  raw executemany (floor): {n / floor:>10,.0f} rows/s")
        print(f"SQLite  raw, no 2nd indexes    : {n / bare:>10,.0f} rows/s")
        print(f"SQLite  raw, indexes built after: {n / (bare + built):>9,.0f} rows/s")
        if duck is not None:
            print(f"DuckDB  read_csv, own table    : {n / duck:>10,.0f} rows/s")
        print(f"SQLite  otklik import          : {n / ours:>10,.0f} rows/s")
        print(f"SQLite  otklik, per CPU second : {n / cpu:>10,.0f} rows/s")
        print(f"SQLite  ratio otklik/floor     : {floor / ours:>10.2f}")
        print(f"SQLite  ratio otklik/raw+build : {(bare + built) / ours:>10.2f}")
        if duck is not None:
            print(f"SQLite  ratio otklik/DuckDB    : {duck / ours:>10.2f}")
        if args.row_wise:
            slow, imported, _ = otklik_import(
                f"sqlite:///{work / 'row_wise.db'}", path, columnar=False
            )
            assert imported == args.rows
            print(f"SQLite  otklik row-wise (ref.) : {n / slow:>10,.0f} rows/s")
        if args.pg:
            floor = pg_floor(args.pg, parsed)
            schema, url = pg_schema(args.pg)
            try:
                ours, imported, cpu = otklik_import(url, path)
            finally:
                drop_schema(args.pg, schema)
            print(f"Postgres raw COPY (floor)      : {n / floor:>10,.0f} rows/s")
            print(f"Postgres otklik import (COPY)  : {n / ours:>10,.0f} rows/s")
            print(f"Postgres otklik, client CPU    : {n / cpu:>10,.0f} rows/s")
            print(f"Postgres ratio otklik/floor    : {floor / ours:>10.2f}")
            if args.row_wise:
                schema, url = pg_schema(args.pg)
                try:
                    slow, imported, _ = otklik_import(url, path, columnar=False)
                finally:
                    drop_schema(args.pg, schema)
                print(f"Postgres otklik row-wise (ref.): {n / slow:>10,.0f} rows/s")
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
