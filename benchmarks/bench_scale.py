"""Scale on PostgreSQL: import, metrics, the overview page and classification at N items.

Creates a database of its own (``--database``, dropped at the end unless ``--keep``) and, at
``--items`` N, measures four costs, each next to a baseline from the same run:

1. **import**: N rows of the awkward CSV of ``bench_import.py`` through otklik's
   ``import_file`` (COPY into a staging table, ``INSERT … ON CONFLICT``) vs a raw psycopg
   ``COPY`` of the same rows already parsed into the same table (rows/s);
2. **metrics**: NPS by month and by month × channel over the year with ``compute`` on the
   engine and from the rollup cube (its build timed once) vs the hand-written SQL (ms, median
   of ``--repeat`` after a warm-up);
3. **overview**: ``otklik serve --workers 2`` on loopback, ``--clients`` concurrent signed-in
   clients each asking for ``/`` ``--requests`` times (p50/p95 as the client sees it, and the
   app's own Server-Timing) vs ``/healthz`` (the same server's floor) under the same clients;
4. **classification**: ``--classify`` of the N items queued as arrivals and worked by 2
   ``otklik worker`` processes (items/s, first job queued to the arrival chain's last job
   done; scheduled jobs the workers run meanwhile, such as incident detection on start-up,
   are reported apart) vs
   ``classify_and_route`` in this process on the same number of the same rows in a fresh
   schema of their own.

    python benchmarks/bench_scale.py --items 1000000 [--classify 10000] [--clients 8]
                                     [--requests 25] [--repeat 5] [--keep] [--no-floor]
                                     [--phases import,metrics,web,classify]
                                     [--db postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import bench_import
import bench_metrics
import httpx
import psycopg
import soak
from soak import create_database, drop_database, free_port, login, percentile, server_env, start
from sqlalchemy import text

from otklik.auth import add_user
from otklik.config import load_settings
from otklik.errors import ConfigError
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine
from otklik.metrics import compute, connect, enable_rollups
from otklik.routing import classify_and_route

ADMIN = "soak-admin@example.org"  # soak.login signs in as this user
PASSWORD = "soak password 2026"
bench_metrics.MONTH["postgres"] = "date_trunc('month', occurred_at)"
QUERIES = [("nps", False), ("nps", True)]  # the CSV holds NPS answers


def _say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {line}", flush=True)


def phase_import(
    url: str, admin_dsn: str, path: Path, parsed: list[Any], rows: int, *, floor: bool = True
) -> dict[str, float]:
    """otklik's import into ``url`` and (unless ``floor`` is false) a raw COPY into a schema
    beside it: seconds each (``floor_s`` is NaN without the floor)."""
    floor_s = float("nan")
    if floor:
        floor_s = bench_import.pg_floor(admin_dsn, parsed)
        _say(f"raw COPY: {floor_s:.1f} s")
    ours_s, imported, _cpu = bench_import.otklik_import(url, path)
    assert imported == rows, imported
    _say(f"otklik import: {ours_s:.1f} s")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE feedback_items"))
        size = conn.execute(text("SELECT pg_total_relation_size('feedback_items')")).scalar_one()
    engine.dispose()
    return {"floor_s": floor_s, "otklik_s": ours_s, "table_mib": size / 2**20}


def phase_metrics(url: str, repeat: int) -> tuple[list[tuple[str, ...]], float]:
    """bench_metrics' queries on PostgreSQL: engine, rollup (and its build time), hand SQL."""
    bench_metrics.QUERIES = QUERIES
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as raw_conn, connect(url) as source:

        def raw(sql: str) -> list[Any]:
            return list(raw_conn.execute(sql).fetchall())  # type: ignore[arg-type]

        lines = bench_metrics.bench("PostgreSQL, engine", "postgres", source, raw, repeat)
        cube = enable_rollups(source, dimensions=["channel"])
        began = time.perf_counter()
        cube.refresh()
        build_s = time.perf_counter() - began
        lines += bench_metrics.bench(
            "PostgreSQL, rollup", "postgres", source, raw, repeat, rollups=True
        )
        # the same answer from the cube as from the engine
        a = compute("nps", source, by="month", start=date(2025, 1, 1), end=date(2026, 1, 1))
        assert sum(r.n for r in a) > 0
    return lines, build_s


def _hammer(
    port: int, path: str, clients: int, requests: int
) -> tuple[list[float], list[float], int]:
    """``clients`` signed-in threads, each GETting ``path`` ``requests`` times.

    Returns (client ms, Server-Timing ms, errors)."""
    client_ms: list[float] = []
    server_ms: list[float] = []
    errors = [0]
    lock = threading.Lock()
    ready = threading.Barrier(clients)

    def run() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            login(client)
            ready.wait()
            for _ in range(requests):
                began = time.perf_counter()
                answer = client.get(path)
                took = (time.perf_counter() - began) * 1000
                found = re.search(r"dur=([\d.]+)", answer.headers.get("server-timing", ""))
                with lock:
                    if answer.status_code != 200:
                        errors[0] += 1
                        continue
                    client_ms.append(took)
                    if found:
                        server_ms.append(float(found.group(1)))

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return client_ms, server_ms, errors[0]


def phase_web(url: str, clients: int, requests: int, log: Path) -> dict[str, Any]:
    """The overview under concurrent clients on ``serve --workers 2``, and /login beside it."""
    from soak import wait_port

    engine = make_engine(url)
    with contextlib.suppress(ConfigError):  # there from an earlier --keep run
        add_user(engine, email=ADMIN, role="admin", password=PASSWORD)
    engine.dispose()
    port = free_port()
    server = start(["serve", "--workers", "2", "--port", str(port)], server_env(url), log)
    try:
        wait_port(port, server)
        began = time.perf_counter()
        cold, _, _ = _hammer(port, "/", 2, 1)  # each worker builds its cube on first use
        warm_s = time.perf_counter() - began
        _say(f"overview: first requests {[round(c) for c in cold]} ms")
        login_ms, _, login_errors = _hammer(port, "/healthz", clients, requests)
        page_ms, page_server, errors = _hammer(port, "/", clients, requests)
    finally:
        server.terminate()
        server.wait(60)
    return {
        "warm_s": warm_s,
        "cold_ms": max(cold) if cold else float("nan"),
        "overview_p50": statistics.median(page_ms) if page_ms else float("nan"),
        "overview_p95": percentile(page_ms, 0.95) if page_ms else float("nan"),
        "server_p50": statistics.median(page_server) if page_server else float("nan"),
        "server_p95": percentile(page_server, 0.95) if page_server else float("nan"),
        "login_p50": statistics.median(login_ms) if login_ms else float("nan"),
        "login_p95": percentile(login_ms, 0.95) if login_ms else float("nan"),
        "errors": errors + login_errors,
        "n": len(page_ms),
    }


def _wait_workers(engine: Any, count: int) -> None:
    deadline = time.monotonic() + 300
    while True:
        with engine.connect() as conn:
            up = conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar()
        if up == count:
            return
        if time.monotonic() > deadline:
            sys.exit("the workers did not start")
        time.sleep(0.5)


SCHEDULED = "otklik.periodic.%"  # the queue's scheduled tasks


def phase_classify(url: str, admin_dsn: str, count: int, log: Path) -> dict[str, Any]:
    """``count`` of the store's items through the queue with 2 workers, and the same number of
    the same rows classified in this process in a fresh schema."""
    # baseline: the first `count` rows of the same CSV generator, in a small store of their own
    schema, small_url = bench_import.pg_schema(admin_dsn)
    try:
        with tempfile.TemporaryDirectory() as folder:
            small = Path(folder) / "small.csv"
            bench_import.generate(small, count)
            bench_import.otklik_import(small_url, small)
        engine = make_engine(small_url)
        began = time.perf_counter()
        classify_and_route(engine)
        direct_s = time.perf_counter() - began
        engine.dispose()
    finally:
        bench_import.drop_schema(admin_dsn, schema)
    _say(f"direct classification of {count:,}: {direct_s:.1f} s")

    env = server_env(url)
    workers = [start(["worker"], env, log) for _ in range(2)]
    engine = make_engine(url)
    try:
        _wait_workers(engine, 2)
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    text("SELECT id FROM feedback_items ORDER BY id LIMIT :n"), {"n": count}
                ).scalars()
            )
            before = conn.execute(text("SELECT coalesce(max(id), 0) FROM procrastinate_jobs"))
            first_job = int(before.scalar_one())
        began = time.perf_counter()
        queue = Queue.for_store(engine, load_settings(database_url=url)).open()
        jobs = len(queue.defer_arrival(ids))
        queue.close()
        # The arrival's chain only: a scheduled job the workers run meanwhile (incident
        # detection on start-up) takes a worker but is not part of it (reported apart).
        while True:
            with engine.connect() as conn:
                left = conn.execute(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE id > :first "
                        f"AND task_name NOT LIKE '{SCHEDULED}' "
                        "AND status NOT IN ('succeeded', 'failed')"
                    ),
                    {"first": first_job},
                ).scalar_one()
            if left == 0:
                break
            time.sleep(0.2)
        queue_s = time.perf_counter() - began
        with engine.connect() as conn:
            failed = conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
            ).scalar_one()
            scheduled = conn.execute(
                text(
                    "SELECT j.task_name, extract(epoch FROM coalesce(max(e.at) FILTER (WHERE "
                    "e.type <> 'started'), now()) - min(e.at)), bool_or(e.type <> 'started') "
                    "FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id "
                    f"WHERE j.task_name LIKE '{SCHEDULED}' AND e.type IN ('started', "
                    "'succeeded', 'failed') GROUP BY j.id, j.task_name ORDER BY j.id"
                )
            ).all()
            labelled = conn.execute(
                text("SELECT count(DISTINCT item_id) FROM classifications WHERE origin='machine'")
            ).scalar_one()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
        engine.dispose()
    return {
        "direct_s": direct_s,
        "queue_s": queue_s,
        "jobs": jobs,
        "failed": failed,
        "labelled": labelled,
        "scheduled": ", ".join(
            f"{name} {float(took or 0):.1f} s{'' if done else ' and still running'}"
            for name, took, done in scheduled
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--classify", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="otklik_scale")
    parser.add_argument("--out", default="benchmarks/out")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="import without the raw-COPY baseline (about an hour at 10M; measured once)",
    )
    parser.add_argument(
        "--phases",
        default="import,metrics,web,classify",
        help="which to run; without import the database of a --keep run is used again",
    )
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"bench-scale-{args.items}.log"
    n = args.items
    if "import" in phases:
        url = create_database(args.db, args.database)
    else:
        url = soak.database_url(args.db, args.database)
    admin_dsn = url  # schemas for the baselines go in the same database
    failed = False
    try:
        if "import" in phases:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.csv"
                began = time.perf_counter()
                parsed = bench_import.generate(path, n, keep_parsed=not args.no_floor)
                _say(
                    f"generated {n:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
                    f"{time.perf_counter() - began:.0f} s"
                )
                imp = phase_import(url, admin_dsn, path, parsed, n, floor=not args.no_floor)
                del parsed
            floor = (
                "raw COPY not measured (--no-floor), "
                if args.no_floor
                else f"raw COPY {n / imp['floor_s']:,.0f} rows/s ({imp['floor_s']:.1f} s), "
            )
            ratio = (
                "" if args.no_floor else f", otklik/floor {imp['floor_s'] / imp['otklik_s']:.2f}"
            )
            _report(
                f"import of {n:,}: {floor}otklik {n / imp['otklik_s']:,.0f} rows/s "
                f"({imp['otklik_s']:.1f} s){ratio}; feedback_items {imp['table_mib']:,.0f} MiB"
            )
        for phase in ("metrics", "web", "classify"):
            if phase not in phases:
                continue
            try:
                _run_phase(phase, url, admin_dsn, args, log)
            except Exception as exc:
                failed = True
                _report(f"{phase}: FAILED {type(exc).__name__}: {exc}")
    finally:
        if not args.keep:
            drop_database(args.db, args.database)
    if failed:
        sys.exit(1)


def _report(line: str) -> None:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"RESULT [{time.strftime('%H:%M:%S')} load {load}] {line}", flush=True)


def _run_phase(phase: str, url: str, admin_dsn: str, args: argparse.Namespace, log: Path) -> None:
    n = args.items
    if phase == "metrics":
        metrics, build_s = phase_metrics(url, args.repeat)
        lines = [f"metrics at {n:,}: rollup cube build {build_s:.2f} s"]
        lines.append("| query | where | otklik ms | hand SQL ms | ratio | rows |")
        lines.append("|---|---|---:|---:|---:|---:|")
        lines += ["| " + " | ".join(line) + " |" for line in metrics]
        _report("\n".join(lines))
    elif phase == "web":
        web = phase_web(url, args.clients, args.requests, log)
        _report(
            f"overview at {n:,}, {args.clients} clients × {args.requests}: "
            f"p50 {web['overview_p50']:.0f} ms, p95 {web['overview_p95']:.0f} ms "
            f"(Server-Timing {web['server_p50']:.0f}/{web['server_p95']:.0f} ms); "
            f"/healthz p50 {web['login_p50']:.0f} ms, p95 {web['login_p95']:.0f} ms; "
            f"first requests (cube build) {web['cold_ms']:.0f} ms; errors {web['errors']}"
        )
    else:
        jobs = phase_classify(url, admin_dsn, args.classify, log)
        _report(
            f"classification of {args.classify:,} at {n:,}: queue, 2 workers "
            f"{args.classify / jobs['queue_s']:,.0f} items/s ({jobs['queue_s']:.1f} s, "
            f"{jobs['jobs']} jobs, {jobs['failed']} failed, {jobs['labelled']:,} labelled); "
            f"direct in one process {args.classify / jobs['direct_s']:,.0f} items/s "
            f"({jobs['direct_s']:.1f} s); scheduled jobs run meanwhile (not in the queue's "
            f"time): {jobs['scheduled'] or 'none'}"
        )


if __name__ == "__main__":
    main()
