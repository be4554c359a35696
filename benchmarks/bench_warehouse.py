"""What the column mapping costs: otklik on the user's Parquet (through a mapping file) against
hand-written DuckDB SQL over the same file, and against otklik on a ledger-shaped copy.

Generates N rows (default 1,000,000) over one year in the warehouse's own terms (coded kinds and
scales, integer answers, times with a zone) and the same rows in the ledger's columns, writes
both as Parquet, then times NPS and AHT by month × channel three ways, interleaved:

* otklik through the mapping (``open_warehouse``: the projection, recodes and casts in the query);
* otklik on the ledger-shaped Parquet (no projection: the baseline for the mapping's cost);
* otklik through an identity mapping of the ledger-shaped Parquet (a projection, no recodes);
* hand-written DuckDB SQL over the warehouse Parquet returning the same counts and sums.

    python benchmarks/bench_warehouse.py [--items 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from otklik.metrics import compute, connect, open_warehouse

YEAR = datetime(2025, 1, 1, tzinfo=UTC)
CHANNELS = np.array(["app", "web", "call", "chat"])
MAPPING = """\
parquet: contacts.parquet
columns: {occurred_at: created, kind: rec_type, scale: question, score: answer, channel: chan,
          handle_time_s: talk_sec}
recode:
  kind: {S: survey, C: contact}
  scale: {NPS: nps, CSAT: csat5}
"""
IDENTITY = """\
parquet: ledger.parquet
columns: {occurred_at: occurred_at, kind: kind, scale: scale, score: score, channel: channel,
          handle_time_s: handle_time_s}
"""
SQL = {
    "nps": """
        SELECT date_trunc('month', created AT TIME ZONE 'UTC') AS p, chan, count(*) AS n,
               sum(CASE WHEN answer >= 9 THEN 1 ELSE 0 END) AS promoters,
               sum(CASE WHEN answer <= 6 THEN 1 ELSE 0 END) AS detractors
        FROM read_parquet('{path}')
        WHERE question = 'NPS' AND answer IS NOT NULL
        GROUP BY 1, 2""",
    "aht": """
        SELECT date_trunc('month', created AT TIME ZONE 'UTC') AS p, chan, count(*) AS n,
               sum(talk_sec::DOUBLE) AS s1, sum(talk_sec::DOUBLE * talk_sec::DOUBLE) AS s2
        FROM read_parquet('{path}')
        WHERE rec_type = 'C' AND talk_sec IS NOT NULL
        GROUP BY 1, 2""",
}


def write(folder: Path, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, 365 * 86400, n)
    created = pa.array(
        (np.datetime64("2025-01-01T00:00:00") + seconds.astype("timedelta64[s]")).astype(
            "datetime64[us]"
        ),
        pa.timestamp("us", tz="UTC"),
    )
    contact = rng.random(n) < 0.4
    question = np.where(contact, None, np.where(rng.random(n) < 0.6, "NPS", "CSAT"))
    answer = np.where(question == "NPS", rng.integers(0, 11, n), rng.integers(1, 6, n))
    talk = rng.integers(20, 900, n)
    chan = CHANNELS[rng.integers(0, len(CHANNELS), n)]
    rec_type = np.where(contact, "C", "S")
    warehouse = pa.table(
        {
            "created": created,
            "rec_type": rec_type,
            "question": pa.array(question, pa.string()),
            "answer": pa.array(np.where(contact, None, answer), pa.int16()),
            "chan": chan,
            "talk_sec": pa.array(np.where(contact, talk, None), pa.int32()),
        }
    )
    pq.write_table(warehouse, folder / "contacts.parquet")
    ledger = pa.table(
        {
            "occurred_at": created.cast(pa.timestamp("us")),
            "kind": np.where(contact, "contact", "survey"),
            "scale": pa.array(
                np.where(question == "NPS", "nps", np.where(contact, None, "csat5")), pa.string()
            ),
            "score": pa.array(np.where(contact, None, answer), pa.float64()),
            "channel": chan,
            "customer_id": pa.nulls(n, pa.string()),
            "handle_time_s": pa.array(np.where(contact, talk, None), pa.float64()),
        }
    )
    pq.write_table(ledger, folder / "ledger.parquet")
    (folder / "warehouse.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "identity.yaml").write_text(IDENTITY, encoding="utf-8")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder, args.items)
        plain = ibis.duckdb.connect()
        plain.read_parquet(str(folder / "ledger.parquet"), table_name="feedback_items")
        ledger = connect(plain)
        raw = duckdb.connect()
        raw.execute("SET TimeZone = 'UTC'")
        print(f"{args.items:,} rows; load average {os.getloadavg()[0]:.1f} at start")
        print(
            "| query | mapped, ms | identity mapping, ms | ledger-shaped, ms | hand SQL, ms "
            "| mapped / SQL | groups |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        identity = open_warehouse(folder / "identity.yaml")
        with open_warehouse(folder / "warehouse.yaml") as source:
            for metric in ("nps", "aht"):
                times: dict[str, list[float]] = {
                    "mapped": [],
                    "identity": [],
                    "ledger": [],
                    "sql": [],
                }
                sql = SQL[metric].format(path=folder / "contacts.parquet")
                for _ in range(args.repeat):
                    ms, rows = timed(
                        lambda m=metric: compute(m, source, by="month", segments=["channel"])
                    )
                    times["mapped"].append(ms)
                    ms, same = timed(
                        lambda m=metric: compute(m, ledger, by="month", segments=["channel"])
                    )
                    times["ledger"].append(ms)
                    ms, _ = timed(
                        lambda m=metric: compute(m, identity, by="month", segments=["channel"])
                    )
                    times["identity"].append(ms)
                    assert [r.to_dict() for r in rows] == [r.to_dict() for r in same]
                    ms, hand = timed(lambda q=sql: raw.execute(q).fetchall())
                    times["sql"].append(ms)
                    assert len(hand) == len(rows)
                med = {k: statistics.median(v) for k, v in times.items()}
                print(
                    f"| {metric} by month × channel | {med['mapped']:.1f} | {med['identity']:.1f} "
                    f"| {med['ledger']:.1f} "
                    f"| {med['sql']:.1f} | {med['mapped'] / med['sql']:.2f} | {len(rows)} |"
                )
        identity.close()
        print(f"load average {os.getloadavg()[0]:.1f} at end; DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
