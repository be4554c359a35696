"""What a store holds after the demo load: counts, period, customers and headline figures.

Plain SQL (SQLAlchemy Core) against the ledger, not the generator's own numbers, so the summary
shows what actually landed in the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, select

from otklik.demo.findings import Finding, count_if, find_patterns
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


def _share(part: Any, whole: Any) -> float | None:
    return 100.0 * float(part) / float(whole) if whole else None


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _nps(name: str, n: int, promoters: int, detractors: int) -> Figure:
    value = 100.0 * (promoters - detractors) / n if n else None
    return Figure(name, name, value, n, "pts")


def _figures(conn: Any, sources: ColumnElement[bool]) -> tuple[Figure, ...]:
    """One scan per kind, every figure of that kind computed in it."""
    item = FeedbackItem
    score = item.score
    nps = and_(item.scale == "nps", score.is_not(None))
    csat = and_(item.scale == "csat5", score.is_not(None))
    ces = and_(item.scale == "ces7", score.is_not(None))
    nps_parts = (count_if(nps), count_if(and_(nps, score >= 9)), count_if(and_(nps, score <= 6)))
    survey = conn.execute(
        select(
            *nps_parts,
            count_if(csat),
            count_if(and_(csat, score >= 4)),
            count_if(ces),
            _sum_if(ces, score),
        ).where(sources, item.kind == "survey")
    ).one()
    reviews, stars = conn.execute(
        select(func.count(score), func.avg(score)).where(
            sources, item.kind == "review", item.scale == "rating5"
        )
    ).one()
    handled, handle_mean, counted, moved = conn.execute(
        select(
            func.count(item.handle_time_s),
            func.avg(item.handle_time_s),
            func.count(item.transfers),
            count_if(item.transfers >= 1),
        ).where(sources, item.kind == "contact")
    ).one()
    staff = conn.execute(select(*nps_parts).where(sources, item.kind == "employee")).one()
    n_nps, promoters, detractors = map(int, survey[:3])
    n_csat, n_ces = int(survey[3]), int(survey[5])
    return (
        _nps("NPS", n_nps, promoters, detractors),
        Figure("promoters (9–10)", "промоутеры", _share(promoters, n_nps), n_nps, "%"),
        Figure("detractors (0–6)", "критики", _share(detractors, n_nps), n_nps, "%"),
        Figure("CSAT (top-2 box)", "CSAT (4–5)", _share(survey[4], n_csat), n_csat, "%"),
        Figure(
            "CES (mean, 1–7)", "CES (среднее)", float(survey[6]) / n_ces if n_ces else None, n_ces
        ),
        Figure(
            "review rating",
            "рейтинг отзывов",
            float(stars) if stars is not None else None,
            int(reviews),
            "★",
        ),
        Figure(
            "AHT",
            "среднее время обработки",
            float(handle_mean) if handle_mean is not None else None,
            int(handled),
            "s",
        ),
        Figure("transfer rate", "доля переводов", _share(moved, counted), int(counted), "%"),
        _nps("eNPS", *map(int, staff)),
    )


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
        figures = _figures(conn, source_filter)
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
        figures=figures,
        findings=findings,
    )
