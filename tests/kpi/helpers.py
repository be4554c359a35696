"""Stores for the KPI tests: the demo bank, the real 1999 call-centre log, small synthetic ones.

Expected figures in the tests come from these rows (numpy, plain Python), never from otklik.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from otklik.demo import generate, load_demo
from otklik.ledger import make_engine, upgrade, write_items
from tests.conftest import SHARED_DATA

DEMO_ROWS = 20_000
DEMO_SEED = 42
BANK_FILE = SHARED_DATA / "callcenter_anonymous_bank_1999" / "data_anonymous_bank_february.txt.gz"


def demo_contacts() -> list[dict[str, Any]]:
    """The demo's contacts exactly as the generator makes them (for independent figures)."""
    return list(generate(DEMO_ROWS, seed=DEMO_SEED).iter_items("demo-contacts"))


def load_demo_store(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        load_demo(engine, generate(DEMO_ROWS, seed=DEMO_SEED))
    finally:
        engine.dispose()
    return url


def write_store(url: str, rows: Iterable[dict[str, Any]], source: str = "test") -> str:
    engine = make_engine(url)
    try:
        upgrade(engine)
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                write_items(engine, run_id=None, source=source, items=batch)
                batch = []
        if batch:
            write_items(engine, run_id=None, source=source, items=batch)
    finally:
        engine.dispose()
    return url


def bank_calls() -> list[dict[str, str]]:
    with gzip.open(BANK_FILE, "rt", encoding="ascii") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def call_time(call: dict[str, str]) -> datetime:
    day = datetime.strptime(call["date"], "%y%m%d")
    h, m, s = (int(part) for part in call["vru_entry"].split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


def bank_rows() -> list[dict[str, Any]]:
    """The log as ledger contacts. Mapping: ``server`` → agent (NO_SERVER → none),
    ``ser_time`` → handle time of answered calls (outcome AGENT), ``customer_id`` (0 = unknown)
    → customer, ``type`` → touchpoint, abandoned calls (HANG) → ended by the customer.
    The log has no team and does not say who ended an answered call: agent-ended share
    cannot be measured there, only handle time and repeat calls."""
    rows = []
    for i, call in enumerate(bank_calls()):
        if call["outcome"] == "PHANTOM":  # virtual calls, to be ignored (README)
            continue
        answered = call["outcome"] == "AGENT"
        rows.append(
            {
                "external_id": str(i),
                "kind": "contact",
                "channel": "call",
                "occurred_at": call_time(call),
                "customer_id": None if call["customer_id"] == "0" else call["customer_id"],
                "handle_time_s": float(call["ser_time"]) if answered else None,
                "wait_time_s": float(call["q_time"]),
                "ended_by": None if answered else "customer",
                "agent": None if call["server"] == "NO_SERVER" else call["server"],
                "touchpoint": call["type"],
            }
        )
    return rows
