"""Stores for the KPI tests: the demo bank, the real 1999 call-centre log, small synthetic ones.

Expected figures in the tests come from these rows (numpy, plain Python), never from otklik.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from otklik.demo import generate, load_demo
from otklik.ledger import make_engine, upgrade, write_items

DEMO_ROWS = 20_000
DEMO_SEED = 42


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
