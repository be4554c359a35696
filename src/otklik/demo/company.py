"""The demo company's customers: who they are, when they joined and when some of them left.

Customers are kept as parallel lists (not dicts) because every feed draws from them per row;
dicts are built only when the customer list itself is handed out.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from otklik.demo.scenario import PERIOD_START
from otklik.demo.tables import weighted
from otklik.demo.texts import pick
from otklik.demo.timeline import DAY, DAYS, END, to_datetime

__all__ = ["Company", "build_company"]

_STILL_HERE = 10**12
# Region -> (weight, languages its customers write in).
_REGIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Moscow": (30, weighted((("ru", 85), ("en", 15)))),
    "Saint Petersburg": (14, weighted((("ru", 88), ("en", 12)))),
    "Kazan": (6, weighted((("ru", 92), ("en", 8)))),
    "Novosibirsk": (6, weighted((("ru", 92), ("en", 8)))),
    "Yekaterinburg": (6, weighted((("ru", 92), ("en", 8)))),
    "Krasnodar": (5, weighted((("ru", 92), ("en", 8)))),
    "Nizhny Novgorod": (4, weighted((("ru", 92), ("en", 8)))),
    "Samara": (4, weighted((("ru", 92), ("en", 8)))),
    "Dubai": (8, weighted((("ar", 55), ("en", 45)))),
    "Jakarta": (9, weighted((("id", 65), ("en", 35)))),
    "Madrid": (8, weighted((("es", 60), ("en", 40)))),
}
# The bank's customers live in Russia; abroad the company is only its marketplace, kept apart as
# the "international" segment (a separate sample: filter segment=international to see it).
_ABROAD = frozenset({"Dubai", "Jakarta", "Madrid"})
INTERNATIONAL = "international"
_REGION_TABLE = weighted((region, weight) for region, (weight, _) in _REGIONS.items())
_PRODUCTS_HOME = weighted(
    (
        ("debit card", 34),
        ("credit card", 20),
        ("deposit", 12),
        ("consumer loan", 10),
        ("mortgage", 5),
        ("insurance", 7),
        ("marketplace", 12),
    )
)
# Abroad the company is its marketplace only: a Russian bank has no card customers there.
_PRODUCTS_ABROAD = weighted((("marketplace", 100),))
_SEGMENTS = weighted((("mass", 70), ("affluent", 18), ("premium", 4), ("sme", 8)))
# Yearly revenue per customer, median in roubles.
_REVENUE_MEDIAN = {"mass": 6_000, "affluent": 40_000, "premium": 250_000, "sme": 120_000}
_HISTORY_DAYS = (PERIOD_START - datetime(2018, 1, 1)).days
# Churn rises through the year as fees go up.
_CHURN_MONTH = weighted((month, 10 + month) for month in range(12))
_MONTH_START_DAY = tuple((datetime(2025, month + 1, 1) - PERIOD_START).days for month in range(12))
_MONTH_DAYS = tuple(
    (_MONTH_START_DAY[month + 1] if month < 11 else DAYS) - _MONTH_START_DAY[month]
    for month in range(12)
)


@dataclass
class Company:
    """Customers by index; times are seconds from the period start (negative: before it)."""

    ids: list[str]
    started: list[int]
    churned: list[int]
    revenue: list[float]
    product: list[str]
    region: list[str]
    segment: list[str]
    lang: list[str]
    # Churned customers in random order; exit surveys come from the first of them.
    leavers: list[int]
    # A shuffled order of customers; low positions contact the company far more often.
    by_activity: list[int]
    # Customers active the whole period: the fallback when random draws keep missing.
    loyal: list[int]
    # The planted fee driver (otklik.demo.drivers): survey number → (customer, time), leavers.
    planted: dict[int, tuple[int, int]] = field(default_factory=dict)
    fee_leavers: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.ids)

    def is_churned(self, index: int) -> bool:
        return self.churned[index] < _STILL_HERE

    def pick_active(self, rng: random.Random, at: int, *, heavy: bool = False) -> int:
        """A customer who is a customer at ``at``; ``heavy`` favours frequent contacters."""
        count = len(self.ids)
        started, churned = self.started, self.churned
        for _ in range(8):
            index = (
                self.by_activity[int(count * rng.random() ** 1.6)]
                if heavy
                else int(rng.random() * count)
            )
            if started[index] <= at < churned[index]:
                return index
        return pick(rng, self.loyal)

    def customer(self, index: int) -> dict[str, Any]:
        churned = self.churned[index]
        row: dict[str, Any] = {
            "customer_id": self.ids[index],
            "started_at": to_datetime(self.started[index]),
            "churned_at": to_datetime(churned) if churned < _STILL_HERE else None,
            "revenue": self.revenue[index],
            "product": self.product[index],
            "region": self.region[index],
            "segment": self.segment[index],
            "attributes": {"language": self.lang[index]},
        }
        content = json.dumps(row, default=str, ensure_ascii=False, sort_keys=True)
        row["content_hash"] = hashlib.sha256(content.encode()).hexdigest()
        return row

    def customers(self) -> Iterator[dict[str, Any]]:
        return (self.customer(index) for index in range(len(self.ids)))


def build_company(rng: random.Random, *, customers: int, churned: int) -> Company:
    """``customers`` customers, ``churned`` of whom leave during the period."""
    ids, started, revenue, product, region, segment, lang = [], [], [], [], [], [], []
    for number in range(1, customers + 1):
        ids.append(f"C{number:06d}")
        if rng.random() < 0.75:
            started.append(-int(rng.random() * _HISTORY_DAYS * DAY) - DAY)
        else:
            started.append(int(rng.random() * (DAYS - 31) * DAY))
        place = pick(rng, _REGION_TABLE)
        region.append(place)
        lang.append(pick(rng, _REGIONS[place][1]))
        product.append(pick(rng, _PRODUCTS_ABROAD if place in _ABROAD else _PRODUCTS_HOME))
        kind = pick(rng, _SEGMENTS)
        segment.append(INTERNATIONAL if place in _ABROAD else kind)
        revenue.append(round(rng.lognormvariate(math.log(_REVENUE_MEDIAN[kind]), 0.8), 2))
    churned_at = [_STILL_HERE] * customers
    veterans = [index for index in range(customers) if started[index] < 0]
    leavers = rng.sample(veterans, min(churned, len(veterans)))
    for index in leavers:
        month = pick(rng, _CHURN_MONTH)
        day = _MONTH_START_DAY[month] + int(rng.random() * _MONTH_DAYS[month])
        churned_at[index] = min(day * DAY + int(rng.random() * DAY), END - 1)
    by_activity = list(range(customers))
    rng.shuffle(by_activity)
    loyal = [index for index in veterans if churned_at[index] == _STILL_HERE]
    return Company(
        ids=ids,
        started=started,
        churned=churned_at,
        revenue=revenue,
        product=product,
        region=region,
        segment=segment,
        lang=lang,
        leavers=leavers,
        by_activity=by_activity,
        loyal=loyal,
    )
