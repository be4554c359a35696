"""Classification and routing through the job queue with 2 workers vs in one process.

Needs PostgreSQL (``OTKLIK_TEST_DATABASE_URL`` or ``--db``, a database where schemas may be
created). Writes ``--items`` items (the 12 comments of tests/data/feedback_classify.csv, over
and over, each with its own id) into two fresh schemas, then:

* **direct**: ``classify_and_route`` on all of them in this process (what `otklik classify` does);
* **queue**: the same items queued as arrivals (batches of ``--batch``), worked by ``--workers``
  ``otklik worker`` processes started here, timed from the first job queued to the last job
  finished (workers' start-up excluded: they are started and idle first).

Checks that both stores end with the same labels and cases, and prints items/s of each.

    python benchmarks/bench_jobs.py [--items 20000] [--workers 2] [--batch 1000]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from otklik.config import load_settings
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine, normalize_url, upgrade, write_items
from otklik.ledger.writer import finish_run, start_run
from otklik.routing import classify_and_route

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "feedback_classify.csv"


def _schema(admin_url: str) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    separator = "&" if "?" in admin_url else "?"
    return name, f"{admin_url}{separator}options=-csearch_path%3D{name}"


def _fill(url: str, count: int) -> None:
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    engine = make_engine(url)
    upgrade(engine)
    start = datetime(2025, 3, 1)
    run_id = start_run(engine, source="bench", kind="survey", path="bench")
    items = [
        {
            "external_id": f"b{i}",
            "kind": "survey",
            "occurred_at": start + timedelta(minutes=i),
            "score": float(rows[i % len(rows)]["score"]),
            "scale": "nps",
            "text": rows[i % len(rows)]["comment"] or None,
        }
        for i in range(count)
    ]
    for first in range(0, count, 5000):
        write_items(engine, run_id=run_id, source="bench", items=items[first : first + 5000])
    finish_run(engine, run_id, status="completed")
    engine.dispose()


def _labels(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.external_id, c.type, c.sentiment, k.team FROM feedback_items i "
                "LEFT JOIN classifications c ON c.item_id = i.id AND c.origin = 'machine' "
                "LEFT JOIN cases k ON k.item_id = i.id ORDER BY i.external_id"
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--db", default=os.environ.get("OTKLIK_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.db:
        sys.exit("give --db postgresql://… or set OTKLIK_TEST_DATABASE_URL")
    admin_url = normalize_url(args.db)
    schemas = []
    try:
        name_a, direct_url = _schema(admin_url)
        name_b, queue_url = _schema(admin_url)
        schemas = [name_a, name_b]
        _fill(direct_url, args.items)
        _fill(queue_url, args.items)

        engine = make_engine(direct_url)
        started = time.perf_counter()
        classify_and_route(engine)
        direct_s = time.perf_counter() - started
        engine.dispose()

        env = {**os.environ, "OTKLIK_CLASSIFY_BATCH_SIZE": str(args.batch)}
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "otklik.cli", "worker", "--db", queue_url],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        engine = make_engine(queue_url)
        try:
            deadline = time.monotonic() + 120
            while True:  # both workers up (heartbeat) before the clock starts
                with engine.connect() as conn:
                    up = conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar()
                if up == args.workers:
                    break
                if time.monotonic() > deadline:
                    sys.exit("the workers did not start")
                time.sleep(0.2)
            settings = load_settings(classify_batch_size=args.batch)
            with engine.connect() as conn:
                ids = list(conn.execute(text("SELECT id FROM feedback_items")).scalars())
            started = time.perf_counter()
            queue = Queue.for_store(engine, settings).open()
            jobs = len(queue.defer_arrival(ids))
            queue.close()
            while True:
                with engine.connect() as conn:
                    left = conn.execute(
                        text(
                            "SELECT count(*) FROM procrastinate_jobs "
                            "WHERE status NOT IN ('succeeded', 'failed')"
                        )
                    ).scalar_one()
                if left == 0:
                    break
                time.sleep(0.05)
            queue_s = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(60)
            engine.dispose()
        same = _labels(direct_url) == _labels(queue_url)
        load = os.getloadavg()
        print(f"items: {args.items}, batches: {jobs} of {args.batch}, workers: {args.workers}")
        print(f"direct (one process):  {direct_s:6.1f} s  {args.items / direct_s:8.0f} items/s")
        rate = args.items / queue_s
        print(f"queue ({args.workers} workers):     {queue_s:6.1f} s  {rate:8.0f} items/s")
        print(f"same labels and cases: {same}; load average {load[0]:.1f} {load[1]:.1f}")
        if not same:
            sys.exit(1)
    finally:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
