"""What a store holds after the demo load: counts, period, customers and headline figures.

Counts are plain SQL against the ledger and headline figures come from the metrics catalogue,
not from the generator's own numbers, so the summary shows what actually landed in the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select

from otklik.demo.findings import Finding, find_patterns
from otklik.demo.scenario import CUSTOMER_SOURCE, ITEM_SOURCES
from otklik.ledger import Customer, FeedbackItem

__all__ = ["DemoSummary", "Figure", "summarize"]


@dataclass(frozen=True)
class Figure:
    """A headline number with the sample it was computed on."""

    name: str
    name_ru: str
    value: float | None
    n: int
    # "pts" (NPS points), "%", "s", "★", or "" for a plain mean.
    unit: str = ""
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class DemoSummary:
    """The store's demo data in numbers; load counts are zero when only summarised."""

    items: int
    by_source: dict[str, int]
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    first_at: datetime | None
    last_at: datetime | None
    customers: int
    churned: int
    figures: tuple[Figure, ...]
    findings: tuple[Finding, ...]
    imported: int = 0
    updated: int = 0
    duplicates: int = 0


# (metric, name, name in Russian, unit, extra compute() arguments): the catalogue's own
# definitions, so the demo shows exactly what `otklik metrics` and the web app show.
_HEADLINES: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("nps", "NPS (surveys)", "NPS (опросы)", "pts", {"kind": "survey"}),
    ("csat", "CSAT (top-2 box)", "CSAT (4–5)", "%", {}),
    ("ces", "CES (mean, 1–7)", "CES (среднее)", "", {}),
    ("csi", "review rating", "рейтинг отзывов", "★", {"scale": "rating5"}),
    ("aht", "AHT", "среднее время обработки", "s", {}),
    ("transfer_rate", "transfer rate", "доля переводов", "%", {}),
    ("enps", "eNPS", "eNPS", "pts", {}),
)


def _figures(engine: Engine, sources: Sequence[str] | None) -> tuple[Figure, ...]:
    from otklik.metrics import compute

    figures = []
    for metric, name, name_ru, unit, extra in _HEADLINES:
        filters: dict[str, Any] = {"source": list(sources)} if sources is not None else {}
        kwargs = dict(extra)
        if "kind" in kwargs:
            filters["kind"] = kwargs.pop("kind")
        rows = compute(metric, engine, filters=filters or None, **kwargs)
        result = rows[0].result if rows else None
        if result is None or not result.n:
            figures.append(Figure(name, name_ru, None, 0, unit))
            continue
        figures.append(
            Figure(name, name_ru, result.value, result.n, unit, result.ci_low, result.ci_high)
        )
    return tuple(figures)


def summarize(engine: Engine, *, sources: Sequence[str] | None = ITEM_SOURCES) -> DemoSummary:
    """Summarise the demo feeds in the store (``sources=None``: everything in the store)."""
    item = FeedbackItem
    source_filter: ColumnElement[bool] = (
        item.source.in_(list(sources)) if sources is not None else item.id.is_not(None)
    )
    customer_filter: ColumnElement[bool] = (
        Customer.source == CUSTOMER_SOURCE if sources is not None else Customer.id.is_not(None)
    )
    by_source: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    with engine.connect() as conn:
        groups = conn.execute(
            select(item.source, item.kind, item.channel, func.count())
            .where(source_filter)
            .group_by(item.source, item.kind, item.channel)
        )
        for source, kind, channel, count in groups:
            by_source[source] += count
            by_kind[kind] += count
            by_channel[channel or "unknown"] += count
        first_at, last_at = conn.execute(
            select(func.min(item.occurred_at), func.max(item.occurred_at)).where(source_filter)
        ).one()
        customers, churned = conn.execute(
            select(func.count(), func.count(Customer.churned_at)).where(customer_filter)
        ).one()
        findings = find_patterns(conn, source_filter, first_at, last_at)
    return DemoSummary(
        items=sum(by_source.values()),
        by_source=dict(by_source.most_common()),
        by_kind=dict(by_kind.most_common()),
        by_channel=dict(by_channel.most_common()),
        first_at=first_at,
        last_at=last_at,
        customers=int(customers),
        churned=int(churned),
        figures=_figures(engine, sources),
        findings=findings,
    )
