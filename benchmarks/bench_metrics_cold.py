"""Cold metrics: the first answer of a fresh process (the CLI, a new web worker) on a big store.

Every measurement runs in a new Python process on the same store (default: the 1M-item demo
store of ``bench_web.py``), so nothing is cached in memory; the page cache is warm (a store in
use). For each query it prints, median of ``--repeat`` processes:

* **stored rollups**: ``compute`` with ``enable_rollups(source, store=engine)`` (what the CLI and
  the web app do): load the cube from ``metric_rollups``, check freshness, answer;
* **direct query** (baseline): ``compute(..., rollups=False)``, the Ibis SQL on the store;
* **hand SQL** (baseline): the same counts by a hand-written ``GROUP BY`` in raw ``sqlite3``;
* **DuckDB over the store** (the embedded-engine alternative): the needed columns read from
  the SQLite file into Arrow, then DuckDB's ``GROUP BY`` (DuckDB's ``sqlite`` extension is not
  installed here and cannot be downloaded, so the copy goes through Python);

each as the time inside the process (after imports and, for otklik, after opening the Ibis
connection) and the process's wall time. Then it imports 1,000 items and corrects the owner
team of the 100 newest (what routing does after an import), and times the next fresh process
again (the top-up). Checked: the stored rollups' n and value per group equal the direct
query's.

    python benchmarks/bench_metrics_cold.py [--db sqlite:///benchmarks/out/demo-1m.db]
                                            [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from otklik.ledger import make_engine, write_items

QUERIES = [
    ("nps", ["channel"], {}),
    ("csat", ["channel"], {}),
    ("aht", ["channel"], {}),
    ("nps", [], {"owner_team": "digital"}),
]

OTKLIK = """
import json, sys, time
t0 = time.perf_counter()
from otklik.config import load_settings
from otklik.ledger import make_engine
from otklik.metrics import compute, connect, enable_rollups
t1 = time.perf_counter()
url, metric, segments, filters, mode = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), \
    json.loads(sys.argv[4]), sys.argv[5]
engine = make_engine(url)
with connect(engine) as source:
    source.table("feedback_items")  # opening the connection imports Ibis's SQLite backend
    t1 = time.perf_counter()
    if mode == "stored":
        settings = load_settings()
        cube = enable_rollups(source, dimensions=settings.rollup_dimensions, store=engine)
    rows = compute(metric, source, by="month", segments=segments, filters=filters,
                   rollups=mode == "stored")
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "work": t2 - t1,
                  "rows": [[str(r.period), sorted(r.segment.items()), r.n, r.value]
                           for r in rows]}))
"""

DUCK = """
import json, sqlite3, sys, time
t0 = time.perf_counter()
import duckdb, pyarrow as pa
t1 = time.perf_counter()
path, metric, segments, filters = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), \
    json.loads(sys.argv[4])
con = sqlite3.connect(path)
cur = con.execute("SELECT kind, channel, owner_team, occurred_at, score, scale, handle_time_s "
                  "FROM feedback_items")
names = [c[0] for c in cur.description]
columns = list(zip(*cur.fetchall()))
items = pa.table({n: list(c) for n, c in zip(names, columns)})
where = {
    "nps": "scale = 'nps' AND score IS NOT NULL AND kind IN ('survey', 'review')",
    "csat": "scale = 'csat5' AND score IS NOT NULL AND kind IN ('survey', 'review')",
    "aht": "kind = 'contact' AND handle_time_s IS NOT NULL",
}[metric]
for field, value in filters.items():
    where += f" AND {field} = '{value}'"
keys = ", ".join(["date_trunc('month', CAST(occurred_at AS TIMESTAMP)) AS m", *segments])
sql = f"SELECT {keys}, count(*) AS n FROM items WHERE {where} GROUP BY ALL"
rows = duckdb.connect().execute(sql).fetchall()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "work": t2 - t1, "groups": len(rows)}))
"""

HAND = """
import json, sqlite3, sys, time
t0 = time.perf_counter()
path, metric, segments, filters = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), \
    json.loads(sys.argv[4])
where = {
    "nps": "scale = 'nps' AND score IS NOT NULL AND kind IN ('survey', 'review')",
    "csat": "scale = 'csat5' AND score IS NOT NULL AND kind IN ('survey', 'review')",
    "aht": "kind = 'contact' AND handle_time_s IS NOT NULL",
}[metric]
for field, value in filters.items():
    where += f" AND {field} = '{value}'"
keys = ", ".join(["substr(occurred_at, 1, 7)", *segments])
rows = sqlite3.connect(path).execute(
    f"SELECT {keys}, count(*), sum(score) FROM feedback_items WHERE {where} GROUP BY {keys}"
).fetchall()
print(json.dumps({"import": 0.0, "work": time.perf_counter() - t0, "groups": len(rows)}))
"""


def _run(code: str, *args: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


def _median(code: str, args: list[str], repeat: int) -> tuple[float, float, dict[str, object]]:
    walls, works, out = [], [], {}
    for _ in range(repeat):
        wall, out = _run(code, *args)
        walls.append(wall)
        works.append(float(out["work"]))  # type: ignore[arg-type]
    return statistics.median(works) * 1000, statistics.median(walls) * 1000, out


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///benchmarks/out/demo-1m.db")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = args.db.removeprefix("sqlite:///")
    engine = make_engine(args.db)
    with engine.connect() as conn:
        items = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
    print(f"{items:,} items in {args.db}; load average {_load()}", flush=True)
    print("| query | how | in-process ms | process wall ms | groups |")
    print("|---|---|---:|---:|---:|")

    def row(
        label: str, how: str, code: str, qargs: list[str], repeat: int = args.repeat
    ) -> dict[str, object]:
        work, wall, out = _median(code, qargs, repeat)
        groups = len(out["rows"]) if "rows" in out else out["groups"]  # type: ignore[arg-type]
        print(f"| {label} | {how} | {work:.0f} | {wall:.0f} | {groups} |", flush=True)
        return out

    # The first process ever stores the cube (what the web app's start-up does once).
    work, wall, _ = _median(OTKLIK, [args.db, "nps", "[]", "{}", "stored"], 1)
    print(
        f"| (first process: builds and stores the cube) | stored rollups | {work:.0f} "
        f"| {wall:.0f} | |",
        flush=True,
    )
    for metric, segments, filters in QUERIES:
        label = f"{metric} by month" + "".join(f" × {s}" for s in segments)
        label += "".join(f", {k}={v}" for k, v in filters.items())
        qargs = [metric, json.dumps(segments), json.dumps(filters)]
        stored = row(label, "stored rollups", OTKLIK, [args.db, *qargs, "stored"])
        direct = row(label, "direct query", OTKLIK, [args.db, *qargs, "direct"])
        assert stored["rows"] == direct["rows"], label
        row(label, "hand SQL (sqlite3)", HAND, [path, *qargs])
        row(label, "DuckDB over the store", DUCK, [path, *qargs])
    # An import and a correction, then a fresh process: the top-up.
    late = datetime(2025, 12, 1)
    write_items(
        engine,
        run_id=None,
        source=f"bench-cold-{time.time_ns()}",
        items=[
            {
                "external_id": f"b{i}",
                "kind": "survey",
                "scale": "nps",
                "score": float(i % 11),
                "channel": "app",
                "occurred_at": late + timedelta(minutes=37 * i),
            }
            for i in range(1000)
        ],
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE feedback_items SET owner_team = CASE WHEN owner_team = 'digital' "
                "THEN NULL ELSE 'digital' END WHERE id IN "
                "(SELECT id FROM feedback_items ORDER BY id DESC LIMIT 100)"
            )
        )
    qargs = ["nps", json.dumps(["channel"]), json.dumps({})]
    topped = row(
        "nps by month × channel, after +1,000 items and 100 corrections",
        "stored rollups (top-up)",
        OTKLIK,
        [args.db, *qargs, "stored"],
        1,
    )
    direct = row(
        "nps by month × channel, after +1,000 items and 100 corrections",
        "direct query",
        OTKLIK,
        [args.db, *qargs, "direct"],
    )
    assert topped["rows"] == direct["rows"]
    print(f"load average after: {_load()}")
    engine.dispose()


if __name__ == "__main__":
    main()
