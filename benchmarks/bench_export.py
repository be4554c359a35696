"""Exports: otklik's streamed CSV and XLSX next to a plain ``csv.writer`` and xlsxwriter in
constant-memory mode over the same query, memory at several sizes, and the overview's
latency while an XLSX export runs (not a timed test).

1. Builds (once) a demo store of --demo items, then copies its items (new external ids)
   until it holds --rows and the largest of --sizes.
2. Time: the items export of the web page (every stored field, newest first; people's
   dialect ``excel-ru``: labels, rounding, local times, safe cells; and ``rfc``: stored codes
   and values, local times, safe cells) through
   :func:`otklik.web.exports.table_chunks` over :func:`otklik.ledger.iter_items`, against
   the same SELECT written by ``csv.writer`` (``writerows`` of the raw rows) and by
   ``xlsxwriter.Workbook(..., {"constant_memory": True})`` (``write_row`` of the raw rows),
   --rows rows each, best of --repeat, each to a temporary file.
3. Memory: the peak of Python allocations (tracemalloc) and the growth of the process's peak
   RSS (VmHWM, reset through /proc/self/clear_refs) while exporting each of --sizes rows
   (CSV) and --xlsx-sizes rows (XLSX: slower, so smaller by default).
4. The overview under an export: serves the app with uvicorn on 127.0.0.1 in this process,
   signs in, and times ``GET /`` (--requests, from the client: queueing included) with no
   export running, with XLSX exports of ``/items`` running back to back on another
   connection, and the same with the export's giving way to pages switched off
   (``Busy.most = 0``, as exports ran before).

    python benchmarks/bench_export.py [--rows 100000] [--sizes 10000,100000,300000] [--demo 20000]
                                      [--xlsx-sizes 10000,30000,100000] [--repeat 1]
                                      [--db sqlite:///benchmarks/out/export.db]
                                      [--requests 60] [--skip-overview]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import os
import re
import socket
import statistics
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import xlsxwriter
from sqlalchemy import Engine, func, select, text

from otklik.auth import add_user
from otklik.config import Settings
from otklik.demo import generate, load_demo
from otklik.errors import ConfigError
from otklik.ledger import FeedbackItem, iter_items, make_engine
from otklik.metrics import get_zone
from otklik.web import create_app
from otklik.web.exports import DIALECTS, table_chunks
from otklik.web.names import labels_for
from otklik.web.pages.items import _EXPORT_COLUMNS as COLUMNS

PASSWORD = "benchmark password"
EMAIL = "bench-export@example.org"


def _ensure_store(url: str, rows: int, largest: int) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
    except Exception:
        count = 0
    if count < rows:
        print(f"loading a demo of {rows:,} items into {url} (once) …", flush=True)
        load_demo(engine, generate(rows, 42))
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
    names = [c.name for c in FeedbackItem.__table__.columns if c.name not in ("id",)]
    copy = 0
    while count < largest:  # copies of the items with new external ids
        copy += 1
        picked = ", ".join(
            f"external_id || '~{copy}'" if name == "external_id" else name for name in names
        )
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO feedback_items ({', '.join(names)}) SELECT {picked} "
                    f"FROM feedback_items WHERE external_id NOT LIKE '%~%' LIMIT {largest - count}"
                )
            )
            count = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
    with contextlib.suppress(ConfigError):
        add_user(engine, email=EMAIL, role="admin", password=PASSWORD, team=None)
    engine.dispose()


def _query(limit: int) -> Any:
    table = FeedbackItem.__table__.columns
    return (
        select(*(table[name] for name in COLUMNS))
        .order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
        .limit(limit)
    )


def _raw_rows(engine: Engine, limit: int) -> Iterator[Any]:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(_query(limit))
        for part in result.partitions():
            yield from part


def plain_csv(engine: Engine, limit: int, out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        writer.writerows(_raw_rows(engine, limit))


def plain_xlsx(engine: Engine, limit: int, out: Path) -> None:
    book = xlsxwriter.Workbook(
        str(out), {"constant_memory": True, "default_date_format": "yyyy-mm-dd h:mm:ss"}
    )
    sheet = book.add_worksheet("items")
    sheet.write_row(0, 0, COLUMNS)
    for index, row in enumerate(_raw_rows(engine, limit), start=1):
        # JSON attributes as text: xlsxwriter writes no dicts (otklik writes them as JSON too).
        sheet.write_row(index, 0, [v if not isinstance(v, dict) else str(v) for v in row])
    book.close()


def otklik_export(
    fmt: str, settings: Settings, dialect: str = "excel-ru"
) -> Callable[[Engine, int, Path], None]:
    labels = labels_for(settings, "ru")

    def run(engine: Engine, limit: int, out: Path) -> None:
        rows = iter_items(engine, COLUMNS, limit=limit)
        chunks = table_chunks(
            fmt,
            COLUMNS,
            rows,
            zone=get_zone("Europe/Moscow"),
            labels=labels,
            dialect=DIALECTS[dialect],
            sheet_name="otklik-items",
        )
        with out.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)

    return run


def _best(
    run: Callable[[Engine, int, Path], None], engine: Engine, rows: int, repeat: int
) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            gc.collect()
            started = time.perf_counter()
            run(engine, rows, Path(folder) / "out")
            best = min(best, time.perf_counter() - started)
    return best


def _hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _memory(
    run: Callable[[Engine, int, Path], None], engine: Engine, rows: int
) -> tuple[float, float]:
    """(peak of Python allocations, growth of peak RSS) in MiB while exporting ``rows``, in
    one pass (tracemalloc's own bookkeeping counts in the RSS too, alike for every size)."""
    with tempfile.TemporaryDirectory() as folder:
        gc.collect()
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        before = _hwm_kib()
        tracemalloc.start()
        run(engine, rows, Path(folder) / "out")
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rss = (_hwm_kib() - before) / 1024
    return peak, rss


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  max={max(times):7.1f} ms"


def _login(client: httpx.Client) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code in (200, 303), response.text[:300]


def overview_under_export(url: str, requests: int) -> None:
    settings = Settings(  # development: session cookies over plain http on 127.0.0.1
        database_url=url,
        secret_key="x" * 48,
        metrics_check_every_s=5.0,
        environment="development",
        cookie_secure=False,
    )
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        app.state.web.metrics.warm().result()
        with (
            httpx.Client(base_url=base, timeout=600) as pages,
            httpx.Client(base_url=base, timeout=600) as exports,
        ):
            _login(pages)
            _login(exports)
            for _ in range(5):  # warm the caches
                pages.get("/")

            def measure() -> list[float]:
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = pages.get("/")
                    assert response.status_code == 200
                    times.append(1000 * (time.perf_counter() - started))
                return times

            print(f"overview, no export {'':<29} {_percentiles(measure())}", flush=True)
            for label, most in (("giving way (default)", 0.1), ("not giving way", 0.0)):
                app.state.busy.most = most
                stop = threading.Event()
                done: list[float] = []

                def export_loop(stop: threading.Event = stop, done: list[float] = done) -> None:
                    while not stop.is_set():
                        started = time.perf_counter()
                        with exports.stream("GET", "/items?format=xlsx") as response:
                            assert response.status_code == 200
                            for _ in response.iter_bytes():
                                if stop.is_set():
                                    break  # the connection closes: the server stops too
                            else:
                                done.append(time.perf_counter() - started)

                worker = threading.Thread(target=export_loop)
                worker.start()
                time.sleep(1.0)  # the export is under way
                times = measure()
                stop.set()
                worker.join()
                print(f"overview, XLSX export {label:<22} {_percentiles(times)}", flush=True)
                each = f", {statistics.mean(done):.1f} s each" if done else ""
                print(f"  (XLSX exports of /items finished meanwhile: {len(done)}{each})")
            app.state.busy.most = 0.1
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--xlsx-sizes", default="10000,30000,100000")
    parser.add_argument("--demo", type=int, default=20_000, help="demo items; then copies")
    parser.add_argument("--db", default="sqlite:///benchmarks/out/export.db")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--skip-overview", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    xlsx_sizes = [int(size) for size in args.xlsx_sizes.split(",") if size]
    if args.db.startswith("sqlite:///"):
        Path(args.db.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _ensure_store(args.db, args.demo, max([args.rows, *sizes]))
    settings = Settings(database_url=args.db, secret_key="x" * 48)
    engine = make_engine(args.db)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(FeedbackItem)).scalar_one()
    print(f"store: {args.db} ({stored:,} items); load {os.getloadavg()}")
    runs = {
        ("csv", "csv.writer"): plain_csv,
        ("csv", "otklik (excel-ru, for people)"): otklik_export("csv", settings),
        ("csv", "otklik (rfc, for programs)"): otklik_export("csv", settings, "rfc"),
        ("xlsx", "xlsxwriter constant_memory"): plain_xlsx,
        ("xlsx", "otklik"): otklik_export("xlsx", settings),
    }
    print(f"time for {args.rows:,} rows (best of {args.repeat}; × = time / baseline's):")
    seconds: dict[str, float] = {}
    for (fmt, who), run in runs.items():
        value = seconds[fmt + who] = _best(run, engine, args.rows, args.repeat)
        base = seconds[fmt + next(w for f, w in runs if f == fmt)]
        print(
            f"  {fmt:<4} {who:<30} {value:6.2f} s  {args.rows / value:9,.0f} rows/s  "
            f"{value / base:4.2f}×",
            flush=True,
        )
    print("memory (peak Python allocations / peak RSS growth, MiB):")
    for (fmt, who), run in runs.items():
        cells = []
        for size in sizes if fmt == "csv" else xlsx_sizes:
            peak, rss = _memory(run, engine, size)
            cells.append(f"{size:>7,}: {peak:6.1f} / {rss:6.1f}")
        print(f"  {fmt:<4} {who:<30} " + "   ".join(cells), flush=True)
    engine.dispose()
    if not args.skip_overview:
        overview_under_export(args.db, args.requests)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
