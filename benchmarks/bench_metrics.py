"""Metric speed at dashboard scale: otklik's ``compute`` against hand-written SQL.

Generates N items (default 1,000,000) over one year with a simple random generator — NPS,
CSAT and CES answers, contacts with handle times, reviews — writes them into a fresh SQLite store
through ``otklik.ledger.write_items`` (one transaction per batch) and into DuckDB from the same
arrays, then times typical dashboard queries (12 months, and 12 months × channel):

* otklik on the engine (``compute(..., rollups=False)``) next to the hand-written SQL that
  returns the same counts and sums, on SQLite and on DuckDB, and the ratio;
* otklik from the in-memory rollup (``enable_rollups``), whose build is timed once;
* with ``--index``, SQLite again after creating the covering index proposed for the store.

    python benchmarks/bench_metrics.py [--items 1000000] [--repeat 5] [--index] [--dir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import numpy as np
import pyarrow as pa

from otklik.ledger import make_engine, upgrade, write_items
from otklik.metrics import MetricSource, compute, connect, enable_rollups

YEAR = datetime(2025, 1, 1)
CHANNELS = np.array(["app", "web", "call", "chat", "email", "store"])
KINDS = np.array(["survey", "survey", "survey", "employee", "contact", "review"])
SCALES = np.array(["nps", "csat5", "ces7", "nps", None, "rating5"], dtype=object)
SHARES = [0.35, 0.15, 0.10, 0.02, 0.28, 0.10]
BATCH = 20_000
COVERING_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_feedback_items_scale_occurred_at_cover "
    "ON feedback_items (scale, occurred_at, kind, channel, score)"
)


def generate(n: int, seed: int = 42) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    family = rng.choice(len(KINDS), size=n, p=SHARES)
    seconds = rng.integers(0, 365 * 86400, size=n)
    micros = rng.integers(0, 1_000_000, size=n)
    at = (
        np.datetime64(YEAR, "us")
        + seconds.astype("timedelta64[s]")
        + micros.astype("timedelta64[us]")
    )
    high = np.array([11, 5, 7, 11, 1, 5])[family]
    low = np.array([0, 1, 1, 0, 0, 1])[family]
    score = (low + rng.integers(0, 1 << 30, size=n) % (high - low + 1)).astype(float)
    contact = KINDS[family] == "contact"
    score[contact] = np.nan
    handle = np.where(contact, np.round(rng.exponential(180, size=n), 1), np.nan)
    transfers = np.where(contact, rng.choice([0, 0, 0, 1, 2], size=n), -1)
    ended = np.where(contact, rng.choice(np.array(["customer", "agent", "system"]), size=n), "")
    return {
        "kind": KINDS[family],
        "scale": SCALES[family],
        "channel": rng.choice(CHANNELS, size=n),
        "occurred_at": at,
        "score": score,
        "handle_time_s": handle,
        "transfers": transfers,
        "ended_by": ended,
        "customer_id": rng.integers(0, n // 5, size=n),
    }


def _rows(data: dict[str, np.ndarray], start: int, stop: int) -> Iterator[dict[str, Any]]:
    at = data["occurred_at"][start:stop].astype(datetime)
    for i in range(start, stop):
        contact = data["kind"][i] == "contact"
        yield {
            "external_id": str(i),
            "kind": str(data["kind"][i]),
            "scale": data["scale"][i],
            "channel": str(data["channel"][i]),
            "occurred_at": at[i - start],
            "customer_id": f"c{data['customer_id'][i]}",
            "score": None if contact else float(data["score"][i]),
            "handle_time_s": float(data["handle_time_s"][i]) if contact else None,
            "transfers": int(data["transfers"][i]) if contact else None,
            "ended_by": str(data["ended_by"][i]) if contact else None,
            "text": "Комментарий клиента средней длины, как в настоящей выгрузке",
        }


def load_sqlite(path: Path, data: dict[str, np.ndarray]) -> float:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    began = time.perf_counter()
    n = len(data["kind"])
    for start in range(0, n, BATCH):
        write_items(
            engine, run_id=None, source="bench", items=_rows(data, start, min(n, start + BATCH))
        )
    engine.dispose()
    return time.perf_counter() - began


def load_duckdb(data: dict[str, np.ndarray]) -> Any:
    n = len(data["kind"])
    contact = data["kind"] == "contact"
    table = pa.table(
        {
            "id": pa.array(np.arange(1, n + 1)),
            "kind": pa.array(data["kind"]),
            "scale": pa.array(data["scale"], pa.string()),
            "channel": pa.array(data["channel"]),
            "occurred_at": pa.array(data["occurred_at"]),
            "customer_id": pa.array(np.char.add("c", data["customer_id"].astype(str))),
            "score": pa.array(data["score"], mask=contact),
            "handle_time_s": pa.array(data["handle_time_s"], mask=~contact),
            "transfers": pa.array(data["transfers"], mask=~contact),
            "ended_by": pa.array(data["ended_by"], mask=~contact),
            "source": pa.array(np.full(n, "bench")),
            "product": pa.nulls(n, pa.string()),
            "region": pa.nulls(n, pa.string()),
            "team": pa.nulls(n, pa.string()),
            "agent": pa.nulls(n, pa.string()),
            "owner_team": pa.nulls(n, pa.string()),
            "touchpoint": pa.nulls(n, pa.string()),
            "language": pa.nulls(n, pa.string()),
        }
    )
    con = ibis.duckdb.connect()
    con.con.from_arrow(table).create("feedback_items")
    return con


MONTH = {
    "sqlite": "strftime('%Y-%m-01', occurred_at)",
    "duckdb": "date_trunc('month', occurred_at)",
}
RANGE = "occurred_at >= '2025-01-01' AND occurred_at < '2026-01-01'"


def hand_sql(engine: str, metric: str, by_channel: bool) -> str:
    keys = MONTH[engine] + (", channel" if by_channel else "")
    if metric == "nps":
        stats = (
            "count(*), sum(CASE WHEN score >= 9 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN score <= 6 THEN 1 ELSE 0 END)"
        )
        where = "scale = 'nps' AND kind <> 'employee' AND score IS NOT NULL"
    elif metric == "csat":
        stats = "count(*), sum(CASE WHEN score >= 4 THEN 1 ELSE 0 END)"
        where = "scale = 'csat5' AND kind <> 'employee' AND score IS NOT NULL"
    else:
        stats = "count(*), sum(handle_time_s), sum(handle_time_s * handle_time_s)"
        where = "kind = 'contact' AND handle_time_s IS NOT NULL"
    return f"SELECT {keys}, {stats} FROM feedback_items WHERE {where} AND {RANGE} GROUP BY {keys}"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm the page cache and any lazily built state
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, result


QUERIES = [("nps", False), ("nps", True), ("csat", True), ("aht", True)]


def bench(
    name: str,
    dialect: str,
    source: MetricSource,
    raw: Callable[[str], list[Any]],
    repeat: int,
    rollups: bool = False,
) -> list[tuple[str, ...]]:
    lines: list[tuple[str, ...]] = []
    for metric, by_channel in QUERIES:
        segments = ["channel"] if by_channel else []

        def ours(metric: str = metric, segments: list[str] = segments) -> Any:
            return compute(
                metric,
                source,
                by="month",
                segments=segments,
                start=date(2025, 1, 1),
                end=date(2026, 1, 1),
                rollups=rollups,
            )

        def theirs(metric: str = metric, by_channel: bool = by_channel) -> Any:
            return raw(hand_sql(dialect, metric, by_channel))

        ms, rows = timed(ours, repeat)
        hand_ms, hand_rows = timed(theirs, repeat)
        assert sum(r.n for r in rows) == sum(
            int(h[-3 if metric != "csat" else -2]) for h in hand_rows
        ), "different n"
        label = f"{metric} by month" + (" × channel" if by_channel else "")
        lines.append(
            (label, name, f"{ms:.1f}", f"{hand_ms:.1f}", f"{ms / hand_ms:.2f}", str(len(rows)))
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--index", action="store_true", help="also time with a covering index")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the SQLite store")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="fetch_arrow_table", category=DeprecationWarning)

    folder = args.dir or Path(tempfile.mkdtemp(prefix="otklik-bench-"))
    path = folder / "bench_metrics.db"
    path.unlink(missing_ok=True)
    data = generate(args.items)
    load_s = load_sqlite(path, data)
    print(
        f"{args.items:,} items; SQLite store {path} loaded through write_items in {load_s:.1f} s "
        f"({path.stat().st_size / 2**20:.0f} MiB)"
    )
    lines: list[tuple[str, ...]] = []

    with connect(f"sqlite:///{path}") as source:
        cursor = source.con.con

        def raw(sql: str) -> list[Any]:
            return list(cursor.execute(sql).fetchall())

        lines += bench("SQLite, engine", "sqlite", source, raw, args.repeat)
        cube = enable_rollups(source, dimensions=["channel"])
        began = time.perf_counter()
        cube.refresh()
        build_s = time.perf_counter() - began
        lines += bench("SQLite, rollup", "sqlite", source, raw, args.repeat, rollups=True)
        if args.index:
            began = time.perf_counter()
            cursor.execute(COVERING_INDEX)
            cursor.execute("ANALYZE")
            index_s = time.perf_counter() - began
            lines += bench("SQLite + index, engine", "sqlite", source, raw, args.repeat)

    con = load_duckdb(data)
    duckdb_raw = con.con

    def raw_duck(sql: str) -> list[Any]:
        return list(duckdb_raw.execute(sql).fetchall())

    lines += bench("DuckDB, engine", "duckdb", connect(con), raw_duck, args.repeat)

    print(f"rollup build (one scan, all additive metrics, day × kind × channel): {build_s:.2f} s")
    if args.index:
        print(f"covering index built in {index_s:.1f} s")
    print(f"median of {args.repeat} runs after one warm-up; duckdb {duckdb.__version__}\n")
    print("| query | where | otklik ms | hand SQL ms | ratio | rows |")
    print("|---|---|---:|---:|---:|---:|")
    for line in lines:
        print("| " + " | ".join(line) + " |")
    if args.dir is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
