"""A store with a known planted driver, built from a seeded numpy generator.

June 2025 (the analysed period) and May 2025 (the previous one) hold NPS answers. The topic
``fees`` is planted: its items are mostly detractors in June (rare in May), and most of its
customers churn 10–60 days after their answer. ``app`` drags the score a little, ``cards`` not
at all, ``praise`` lifts it. The expected figures are worked out in the tests with plain numpy
from :data:`PLANTED` (the generator's own arrays), never read back from otklik.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, text

from otklik.classify import MachineLabel, write_machine_labels
from otklik.ledger import make_engine, upgrade, write_customers, write_items

TOPICS = ("fees", "app", "cards", "praise")


@dataclass(frozen=True)
class Planted:
    month: np.ndarray  # 5 or 6
    at: list[datetime]
    score: np.ndarray
    member: np.ndarray  # items × TOPICS
    customer: list[str]
    revenue: dict[str, float]
    churned: dict[str, datetime | None]


def _plant(seed: int = 7) -> Planted:
    rng = np.random.default_rng(seed)
    n_june, n_may = 3000, 2000
    month = np.array([6] * n_june + [5] * n_may)
    n = len(month)
    share = {"fees": 0.12, "app": 0.15, "cards": 0.15, "praise": 0.10}
    member = np.column_stack([rng.random(n) < share[t] for t in TOPICS])
    member[month == 5, 0] &= rng.random((month == 5).sum()) < 0.3  # the fee is new in June
    base = rng.choice(
        np.arange(11), size=n, p=np.array([2, 1, 1, 2, 2, 4, 7, 10, 18, 22, 31]) / 100
    )
    score = base.astype(float)
    score[member[:, 0]] = rng.choice([0, 1, 2, 3, 4, 5, 6, 9], size=member[:, 0].sum())
    app = member[:, 1] & (rng.random(n) < 0.3)
    score[app] = rng.choice([3, 5, 6], size=app.sum())
    score[member[:, 3]] = rng.choice([9, 10], size=member[:, 3].sum())
    days = rng.integers(1, 29, n)
    at = [datetime(2025, int(m), int(d), 12, 0) for m, d in zip(month, days, strict=True)]
    customer = [f"K{i:05d}" for i in range(n)]
    revenue = {c: float(round(rng.lognormal(10, 0.5), 2)) for c in customer}
    churned: dict[str, datetime | None] = {}
    for i, c in enumerate(customer):
        leave = rng.random() < (0.7 if member[i, 0] else 0.05)
        churned[c] = at[i] + timedelta(days=int(rng.integers(10, 60))) if leave else None
    return Planted(month, at, score, member, customer, revenue, churned)


PLANTED = _plant()


def _fill(engine: Engine) -> None:
    items: list[dict[str, Any]] = []
    for i in range(len(PLANTED.month)):
        items.append(
            {
                "external_id": f"i{i}",
                "kind": "survey",
                "channel": "app" if i % 3 else "web",
                "occurred_at": PLANTED.at[i],
                "customer_id": PLANTED.customer[i],
                "score": float(PLANTED.score[i]),
                "scale": "nps",
                "owner_team": "payments" if PLANTED.member[i, 0] else "digital",
            }
        )
    write_items(engine, run_id=None, source="t", items=items)
    customers = []
    for c in PLANTED.customer:
        customers.append(
            {
                "customer_id": c,
                "revenue": PLANTED.revenue[c],
                "churned_at": PLANTED.churned[c],
                "content_hash": hashlib.sha256(c.encode()).hexdigest(),
            }
        )
    write_customers(engine, run_id=None, source="crm", customers=customers)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    labels = []
    for i in range(len(PLANTED.month)):
        topics = [t for j, t in enumerate(TOPICS) if PLANTED.member[i, j]]
        tags: dict[str, list[str]] = {"churn_reasons": ["price"]} if PLANTED.member[i, 0] else {}
        # CX pillars: the fee is a matter of integrity; the app one of time and effort.
        pillars = [p for j, p in ((0, "integrity"), (1, "time_effort")) if PLANTED.member[i, j]]
        if pillars:
            tags["pillars"] = pillars
        labels.append(
            MachineLabel(
                ids[f"i{i}"], "complaint", "negative", topics, tags, "ru", None, "rules", 0.9, {}
            )
        )
    write_machine_labels(engine, labels)


@pytest.fixture(scope="session")
def planted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("drivers") / "planted.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine)
    engine.dispose()
    yield url


@pytest.fixture(scope="session")
def planted(planted_url: str) -> Iterator[Engine]:
    engine = make_engine(planted_url)
    yield engine
    engine.dispose()
