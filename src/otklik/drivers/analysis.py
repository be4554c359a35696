"""Drivers of a score metric and the backlog: one ranked list of problems with money on it.

:func:`analyse` reads the items once (:func:`otklik.drivers.frame.load_frame`) and returns a
:class:`DriversReport` whose rows carry, per topic, the contract of ``otklik drivers`` and
``/api/v1/drivers``: ``topic, label, owner_team, n, share, metric, impact, impact_ci,
significant, trend, revenue_at_risk, priority`` (plus ``weight``/``weight_ci`` with the
relative-weights method). :func:`backlog` keeps the problems (topics that drag the score down)
with their open cases, ranked by priority.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from otklik.classify import Taxonomy
from otklik.drivers.config import DriversConfig
from otklik.drivers.frame import DRIVER_METRICS, SEGMENT_FIELDS, ItemFrame, item_values, load_frame
from otklik.drivers.impact import Bootstrap, Impacts, topic_impacts
from otklik.drivers.money import churn_reason_losses, load_customers, revenue_at_risk
from otklik.drivers.weights import relative_weights
from otklik.errors import MetricError
from otklik.ledger import Case, ItemFilter, count_by
from otklik.metrics import Period, get_metric

__all__ = ["METHODS", "DriversReport", "analyse", "backlog", "split_backlog"]

METHODS: tuple[str, ...] = ("impact", "relative-weights")


@dataclass
class DriversReport:
    metric: str
    method: str
    period: Period
    previous: Period
    currency: str
    n: int
    total_items: int
    value: float | None
    value_ci: tuple[float, float] | None
    rows: list[dict[str, Any]]
    churn_reasons: list[dict[str, Any]] = field(default_factory=list)
    r2: float | None = None
    r2_ci: tuple[float, float] | None = None
    segment: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": get_metric(self.metric).unit,
            "method": self.method,
            "period": self.period.to_dict(),
            "previous": self.previous.to_dict(),
            "segment": self.segment,
            "currency": self.currency,
            "n": self.n,
            "items": self.total_items,
            "value": _num(self.value),
            "value_ci": _pair(self.value_ci),
            "r2": _num(self.r2),
            "r2_ci": _pair(self.r2_ci),
            "drivers": self.rows,
            "churn_reasons": self.churn_reasons,
        }


def _num(value: float | None, digits: int = 3) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _pair(pair: Any) -> list[float | None] | None:
    if pair is None:
        return None
    low, high = _num(pair[0]), _num(pair[1])
    return None if low is None or high is None else [low, high]


def _topics(frame: ItemFrame, taxonomy: Taxonomy | None) -> list[str]:
    known = [node.id for node in taxonomy.flat_topics()] if taxonomy else []
    seen = {topic for found in frame.topics for topic in found}
    return [t for t in known if t in seen] + sorted(seen - set(known))


def _labels(taxonomy: Taxonomy | None) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    if taxonomy is None:
        return {}, {}
    labels = {
        node.id: {lang: node.title(lang) for lang in ("ru", "en")}
        for node in taxonomy.flat_topics()
    }
    owners = {node.id: node.owner for node in taxonomy.flat_topics()}
    return labels, owners


def _impacts(frame: ItemFrame, metric: str, topics: list[str], config: DriversConfig) -> Impacts:
    counted, values = item_values(frame, metric)
    member = frame.topic_matrix(topics)[counted]
    return topic_impacts(
        values[counted],
        member,
        topics,
        bootstrap=Bootstrap(config.replicates, config.seed),
        min_n=config.min_n,
    )


def _open_cases(engine: Engine, frame: ItemFrame, member: np.ndarray) -> list[dict[str, int]]:
    with engine.connect() as conn:
        cases = conn.execute(select(Case.item_id, Case.status)).all()
    open_ids = np.array([i for i, status in cases if status != "closed"], dtype=np.int64)
    closed_ids = np.array([i for i, status in cases if status == "closed"], dtype=np.int64)
    is_open = np.isin(frame.ids, open_ids) & frame.current
    is_closed = np.isin(frame.ids, closed_ids) & frame.current
    return [
        {
            "open": int((is_open & member[:, j]).sum()),
            "closed": int((is_closed & member[:, j]).sum()),
        }
        for j in range(member.shape[1])
    ]


def analyse(
    engine: Engine,
    *,
    metric: str = "nps",
    period: Period,
    timezone: tzinfo,
    taxonomy: Taxonomy | None = None,
    filters: ItemFilter | None = None,
    pillar: str | None = None,
    method: str = "impact",
    config: DriversConfig | None = None,
    currency: str = "RUB",
    cases: bool = False,
) -> DriversReport:
    """Per-topic drivers of ``metric`` over ``period`` (its previous period for the trend),
    sorted by priority (impact method) or by relative weight."""
    if metric not in DRIVER_METRICS:
        raise MetricError(f"drivers work for {', '.join(DRIVER_METRICS)}, not {metric!r}")
    if method not in METHODS:
        raise MetricError(f"unknown method {method!r}; use {' or '.join(METHODS)}")
    config = config or DriversConfig()
    everything = load_frame(
        engine,
        period=period,
        zone=timezone,
        filters=filters,
        pillar=pillar,
        segments=method == "relative-weights",
    )
    now = everything.subset(everything.current)
    before = everything.subset(~everything.current)
    topics = _topics(now, taxonomy)
    labels, owners = _labels(taxonomy)
    impacts = _impacts(now, metric, topics, config)
    previous = _impacts(before, metric, topics, config)
    member_all = everything.topic_matrix(topics)
    member_now = member_all[everything.current]
    volume = member_now.sum(axis=0)
    total = len(now)
    before_volume = member_all[~everything.current].sum(axis=0)
    customers = [c for c in everything.customer if c is not None]
    book = load_customers(engine, sorted(set(customers)))
    money = revenue_at_risk(
        everything, member_all, book, currency=currency, window_days=config.window_days
    )
    top_risk = max((m.amount for m in money), default=0.0)
    cases_of = _open_cases(engine, everything, member_all) if cases else None
    rows: list[dict[str, Any]] = []
    for j, topic in enumerate(topics):
        share = 100 * volume[j] / total if total else 0.0
        impact = impacts.impact[j]
        known = bool(np.isfinite(impact))
        ci = impacts.impact_ci[j]
        draws_now = impacts.impact_draws[:, j] if len(impacts.impact_draws) else np.array([])
        draws_before = previous.impact_draws[:, j] if len(previous.impact_draws) else np.array([])
        rows.append(
            {
                "topic": topic,
                "label": labels.get(topic, {"ru": topic, "en": topic}),
                "owner_team": owners.get(topic, taxonomy.default_owner if taxonomy else None),
                "n": int(impacts.n[j]),
                "volume": int(volume[j]),
                "share": round(float(share), 3),
                "metric": _num(impacts.metric[j]),
                "metric_ci": _pair(impacts.metric_ci[j]),
                "impact": _num(impact),
                "impact_ci": _pair(ci) if known else None,
                "significant": bool(known and (ci[0] > 0 or ci[1] < 0)),
                "trend": _trend(
                    impact,
                    previous.impact[j],
                    draws_now,
                    draws_before,
                    before_volume[j],
                    len(before),
                ),
                "revenue_at_risk": money[j].to_dict(),
                "priority": _num(
                    config.priority.score(impact, share, money[j].amount, top_risk)
                    if known
                    else 0.0,
                    6,
                ),
                **({"cases": cases_of[j]} if cases_of is not None else {}),
            }
        )
    rows.sort(key=lambda row: (-(row["priority"] or 0.0), row["topic"]))
    report = DriversReport(
        metric=metric,
        method=method,
        period=period,
        previous=period.previous(),
        currency=currency,
        n=impacts.n_all,
        total_items=total,
        value=impacts.metric_all,
        value_ci=impacts.metric_all_ci,
        rows=rows,
        churn_reasons=_reason_labels(churn_reason_losses(now, book, currency=currency), taxonomy),
        segment={
            name: ",".join(str(v) for v in values) for name, values in (filters or {}).items()
        },
    )
    if method == "relative-weights":
        _add_weights(report, now, metric, topics, config)
    return report


def _reason_labels(rows: list[dict[str, Any]], taxonomy: Taxonomy | None) -> list[dict[str, Any]]:
    specs = taxonomy.churn_reasons if taxonomy is not None else {}
    for row in rows:
        spec = specs.get(row["reason"])
        label = dict(spec.label) if spec is not None else {}
        row["label"] = {lang: label.get(lang) or row["reason"] for lang in ("ru", "en")}
    return rows


def _trend(
    now: float,
    before: float,
    draws_now: np.ndarray,
    draws_before: np.ndarray,
    before_volume: int,
    before_total: int,
) -> dict[str, Any]:
    """The impact against the previous period: change (now − before) and its bootstrap
    interval from the two periods' independent replicates; significant when it excludes 0."""
    change = now - before if np.isfinite(now) and np.isfinite(before) else float("nan")
    ci: list[float | None] | None = None
    significant = False
    if np.isfinite(change) and len(draws_now) and len(draws_now) == len(draws_before):
        diff = draws_now - draws_before
        diff = diff[np.isfinite(diff)]
        if len(diff):
            low, high = np.percentile(diff, [2.5, 97.5])
            ci = _pair((low, high))
            significant = bool(low > 0 or high < 0)
    return {
        "previous_impact": _num(before),
        "change": _num(change),
        "change_ci": ci,
        "significant": significant,
        "previous_share": _num(100 * before_volume / before_total if before_total else None),
    }


def _add_weights(
    report: DriversReport,
    frame: ItemFrame,
    metric: str,
    topics: list[str],
    config: DriversConfig,
) -> None:
    """Johnson's relative weights of the topics and of the segment fields, on the period's
    counted items; rows come sorted by weight and segment fields get rows of their own."""
    counted, values = item_values(frame, metric)
    member = frame.topic_matrix(topics)[counted].astype(float)
    columns = [member]
    groups = list(range(len(topics)))
    drivers = list(topics)
    for name in SEGMENT_FIELDS:
        raw = frame.segments[name][counted]
        levels, counts = np.unique(raw.astype(str), return_counts=True)
        if len(levels) < 2:
            continue
        drop = levels[np.argmax(counts)]
        kept = [level for level in levels if level != drop]
        columns.append(
            np.column_stack([(raw.astype(str) == level) for level in kept]).astype(float)
        )
        groups += [len(drivers)] * len(kept)
        drivers.append(f"field:{name}")
    weights = relative_weights(
        np.column_stack(columns) if len(values[counted]) else np.zeros((0, len(groups))),
        values[counted],
        drivers,
        groups,
        bootstrap=Bootstrap(max(100, config.replicates // 5), config.seed),
    )
    report.r2, report.r2_ci = weights.r2, weights.r2_ci
    by_topic = {row["topic"]: row for row in report.rows}
    for j, name in enumerate(drivers):
        row = by_topic.get(name)
        if row is None:
            row = {
                "topic": name,
                "label": {"ru": name.removeprefix("field:"), "en": name.removeprefix("field:")},
                "owner_team": None,
                "n": weights.n,
                "share": None,
                "metric": None,
                "impact": None,
                "impact_ci": None,
                "significant": False,
                "trend": None,
                "revenue_at_risk": None,
                "priority": None,
            }
            report.rows.append(row)
        row["weight"] = _num(weights.weight[j], 6)
        row["weight_ci"] = _pair(weights.weight_ci[j])
        row["weight_share"] = _num(100 * weights.weight[j] / weights.r2 if weights.r2 else None)
        small = name in by_topic and (by_topic[name]["n"] or 0) < config.min_n
        row["significant"] = bool(weights.significant[j]) and not small
    report.rows.sort(key=lambda row: (-(row.get("weight") or 0.0), row["topic"]))


def backlog(report: DriversReport, top: int | None = None) -> list[dict[str, Any]]:
    """The problems: topics whose impact drags the score down, by priority, with rank."""
    problems = [row for row in report.rows if row["impact"] is not None and row["impact"] < 0]
    problems.sort(key=lambda row: (-(row["priority"] or 0.0), row["topic"]))
    chosen = problems[:top] if top else problems
    return [{"rank": rank, **row} for rank, row in enumerate(chosen, start=1)]


def split_backlog(
    engine: Engine,
    *,
    split: str,
    period: Period,
    timezone: tzinfo,
    filters: ItemFilter | None = None,
    values: int = 6,
    top: int | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """The backlog of topic × segment problems: :func:`analyse` within each of the ``values``
    most frequent values of the item field ``split`` (the same definitions, run per segment),
    each row's share taken of all items in scope and its priority recomputed with it, so that
    segments compete in one ranked list. Rows carry ``segment: {field: value}``."""
    start, end = period.utc_bounds(timezone)
    try:
        counts = count_by(engine, split, filters=filters, start=start, end=end)
    except ValueError as exc:
        raise MetricError(str(exc)) from None
    total = sum(count for _, count in counts)
    rows: list[dict[str, Any]] = []
    for value, count in [(v, c) for v, c in counts if v is not None][:values]:
        narrowed: dict[str, list[str | None]] = {k: list(v) for k, v in (filters or {}).items()}
        narrowed[split] = [str(value)]
        report = analyse(engine, period=period, timezone=timezone, filters=narrowed, **options)
        for row in backlog(report):
            share = row["share"] * count / total if total else 0.0
            rows.append({**row, "segment": {split: value}, "share": round(share, 3)})
    config: DriversConfig = options.get("config") or DriversConfig()
    top_risk = max((row["revenue_at_risk"]["amount"] for row in rows), default=0.0)
    for row in rows:
        row["priority"] = round(
            config.priority.score(
                row["impact"], row["share"], row["revenue_at_risk"]["amount"], top_risk
            ),
            6,
        )
    rows.sort(key=lambda row: (-row["priority"], row["topic"], str(row["segment"])))
    chosen = rows[:top] if top else rows
    return [{**row, "rank": rank} for rank, row in enumerate(chosen, start=1)]
