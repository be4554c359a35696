"""``otklik drivers`` at store scale: the whole analysis against the plain metric query.

Generates N items (default 1,000,000) over 2025 (``bench_metrics.generate``: NPS, CSAT, CES,
contacts, reviews), gives 60% of them one to three of 30 topics as machine labels, and writes
them with the house writers into a fresh SQLite store with 50,000 customers (10% churned). Then,
for a period (default ``2025-Q4``, compared with Q3), times the median of ``--repeat`` runs of:

* **plain**: ``otklik.metrics.compute("nps", …)`` over the period — one number with its
  interval, the query a dashboard tile makes;
* **drivers**: ``otklik.drivers.analyse(metric="nps", …)`` — every topic's impact with a
  1,000-replicate bootstrap for both periods, trend, revenue at risk, open cases;
* **relative weights**: the same with ``method="relative-weights"``.

    python benchmarks/bench_drivers.py [--items 1000000] [--period 2025-Q4] [--repeat 3]
                                       [--dir DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import generate, load_sqlite, timed

from otklik.classify import MachineLabel, write_machine_labels
from otklik.drivers import analyse
from otklik.ledger import make_engine, write_customers
from otklik.metrics import Period, compute, get_zone

TOPICS = [f"topic{j:02d}" for j in range(30)]


def label(engine: object, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        ids = [row[0] for row in conn.execute(text("SELECT id FROM feedback_items ORDER BY id"))]
    weights = 1 / np.arange(1, 31)
    weights /= weights.sum()
    batch: list[MachineLabel] = []
    for item_id in ids:
        if rng.random() >= 0.6:
            continue
        count = int(rng.integers(1, 4))
        topics = sorted({TOPICS[j] for j in rng.choice(30, size=count, p=weights)})
        batch.append(
            MachineLabel(item_id, "complaint", "negative", topics, {}, "ru", None, "rules", 0.9, {})
        )
        if len(batch) == 20_000:
            write_machine_labels(engine, batch)  # type: ignore[arg-type]
            batch = []
    if batch:
        write_machine_labels(engine, batch)  # type: ignore[arg-type]


def customers(engine: object, count: int = 50_000, seed: int = 9) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(count):
        customer = f"c{number}"
        churned = (
            datetime(2025, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
            if rng.random() < 0.1
            else None
        )
        rows.append(
            {
                "customer_id": customer,
                "revenue": float(round(rng.lognormal(9, 1), 2)),
                "churned_at": churned,
                "content_hash": hashlib.sha256(customer.encode()).hexdigest(),
            }
        )
    write_customers(engine, run_id=None, source="bench", customers=rows)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--period", default="2025-Q4")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="time the store already in --dir (no rebuild)"
    )
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="otklik-bench-drivers-"))
    path = folder / "drivers.db"
    if args.reuse and path.exists():
        engine = make_engine(f"sqlite:///{path}")
        print(f"store: reused {path}")
    else:
        began = time.perf_counter()
        data = generate(args.items)
        data["customer_id"] = data["customer_id"] % 50_000
        load_sqlite(path, data)
        engine = make_engine(f"sqlite:///{path}")
        label(engine, args.items)
        customers(engine)
        built = time.perf_counter() - began
        print(f"store: {args.items:,} items, built in {built:.0f} s ({path})")
    period = Period.parse(args.period)
    zone = get_zone("UTC")
    plain_ms, rows = timed(
        lambda: compute("nps", engine, start=period.start, end=period.end, rollups=False),
        args.repeat,
    )
    drivers_ms, report = timed(
        lambda: analyse(engine, metric="nps", period=period, timezone=zone, cases=True),
        args.repeat,
    )
    weights_ms, _ = timed(
        lambda: analyse(
            engine, metric="nps", period=period, timezone=zone, method="relative-weights"
        ),
        args.repeat,
    )
    load = os.getloadavg()[0]
    print(f"period {period.label}: {report.total_items:,} items, NPS n = {rows[0].n:,}")
    print(f"load average {load:.1f}")
    print("| query | median ms | ratio to plain |")
    print("| --- | ---: | ---: |")
    print(f"| plain compute('nps') | {plain_ms:,.0f} | 1.0 |")
    print(f"| drivers (impact, bootstrap) | {drivers_ms:,.0f} | {drivers_ms / plain_ms:.1f} |")
    print(f"| drivers (relative weights) | {weights_ms:,.0f} | {weights_ms / plain_ms:.1f} |")
    engine.dispose()


if __name__ == "__main__":
    main()
