"""The demo dataset: how many rows each feed gets, and the deterministic streams that make them.

Items are produced lazily, per feed, from a random stream seeded by (seed, feed): a million rows
never sit in memory at once, and iterating a feed twice yields the same rows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from otklik.demo.company import Company, build_company
from otklik.demo.contacts import contacts
from otklik.demo.drivers import plant_fee
from otklik.demo.feeds import employees, exits, reviews, surveys
from otklik.demo.scenario import ITEM_SOURCES, MIN_ROWS, SOURCE_SHARES
from otklik.errors import ConfigError

__all__ = ["DemoData", "generate"]

# Share of leavers who answer the exit survey.
_EXIT_RESPONSE = 0.75
_ROWS_PER_CUSTOMER = 4


def _stream(seed: int, name: str) -> random.Random:
    # String seeds are hashed with SHA-512, so streams do not depend on PYTHONHASHSEED.
    return random.Random(f"otklik-demo:{seed}:{name}")


@dataclass(frozen=True)
class DemoData:
    """A demo company's feedback: ``counts[source]`` items per feed and its customer list."""

    rows: int
    seed: int
    counts: dict[str, int]
    company: Company = field(repr=False)

    @property
    def sources(self) -> tuple[str, ...]:
        return ITEM_SOURCES

    @property
    def customer_count(self) -> int:
        return len(self.company)

    @property
    def total(self) -> int:
        """Items plus customers: the number of rows a load writes."""
        return self.rows + len(self.company)

    def iter_items(self, source: str) -> Iterator[dict[str, Any]]:
        """The feed's items as ledger dicts (``writer.ITEM_COLUMNS`` names, minus ``source``)."""
        if source not in self.counts:
            raise ConfigError(
                f"unknown demo source {source!r}; use one of {', '.join(self.counts)}"
            )
        count, rng = self.counts[source], _stream(self.seed, source)
        if source == "demo-surveys":
            return surveys(self.company, count, rng)
        if source == "demo-contacts":
            return contacts(self.company, count, rng)
        if source == "demo-reviews":
            return reviews(self.company, count, rng)
        if source == "demo-exit":
            return exits(self.company, count, rng)
        return employees(count, rng)

    def iter_customers(self) -> Iterator[dict[str, Any]]:
        """The customer list as ledger dicts, with ``content_hash``."""
        return self.company.customers()

    def items(self) -> dict[str, list[dict[str, Any]]]:
        """Every feed in memory; for small datasets (tests, notebooks)."""
        return {source: list(self.iter_items(source)) for source in self.sources}


def _counts(rows: int) -> dict[str, int]:
    counts = {source: round(rows * SOURCE_SHARES[source]) for source in ITEM_SOURCES[:-1]}
    counts[ITEM_SOURCES[-1]] = rows - sum(counts.values())
    return counts


def generate(rows: int = 50_000, seed: int = 42) -> DemoData:
    """A demo company with ``rows`` feedback items over 2025; same arguments, same data."""
    if rows < MIN_ROWS:
        raise ConfigError(f"the demo needs at least {MIN_ROWS} rows (got {rows})")
    counts = _counts(rows)
    leavers = math.ceil(counts["demo-exit"] / _EXIT_RESPONSE)
    company = build_company(
        _stream(seed, "customers"),
        customers=max(rows // _ROWS_PER_CUSTOMER, 4 * leavers),
        churned=leavers,
    )
    plant_fee(company, _stream(seed, "fee"), counts["demo-surveys"])
    return DemoData(rows=rows, seed=seed, counts=counts, company=company)
