"""Judging KPIs: each KPI's value with its interval against the target, its trend, its
guardrails, and the gaming flags, for one period and optionally per team, agent or channel.

Status of a KPI (``n`` and the 95% interval come from :func:`otklik.metrics.compute`):

* ``small_sample`` — fewer observations than the KPI's ``min_n`` (or no value at all);
* ``not_significant`` — the interval contains the target: "met" or "missed" could be noise;
* ``met`` — the value is on the target's good side and so is the whole interval;
* ``missed`` — the value is on the wrong side and so is the whole interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from otklik.errors import MetricError
from otklik.kpi.definitions import KpiDef, KpiSet
from otklik.kpi.frames import (
    Rows,
    SegmentKey,
    Span,
    Unavailable,
    change_p_values,
    fetch,
    latest_span,
    previous_span,
    span_of,
)
from otklik.kpi.gaming import LEVELS, GamingFlag, detect_peer_gaming
from otklik.kpi.guardrails import BROKEN, GuardrailState, judge_check, judge_metric
from otklik.metrics import MetricRow, MetricSource, json_safe, remembering
from otklik.metrics.compute import SourceLike, opened
from otklik.metrics.query import SEGMENT_FIELDS

__all__ = [
    "BY_FIELDS",
    "KPI_STATUSES",
    "KpiResult",
    "Report",
    "Trend",
    "evaluate",
    "kpi_status",
    "trend_flags",
]

BY_FIELDS: tuple[str, ...] = ("team", "agent", "channel", "product")
KPI_STATUSES = ("met", "missed", "not_significant", "small_sample")


def kpi_status(row: MetricRow | None, target: float, *, lower_is_better: bool, min_n: int) -> str:
    """``met``, ``missed``, ``not_significant`` or ``small_sample`` (see the module doc)."""
    if row is None or row.value is None or row.n < min_n:
        return "small_sample"
    if row.ci_low is None or row.ci_high is None or row.ci_low <= target <= row.ci_high:
        return "not_significant"
    good = row.value <= target if lower_is_better else row.value >= target
    return "met" if good else "missed"


@dataclass(frozen=True)
class Trend:
    """The KPI in this period against the one before, by the metric's own test."""

    period: Span | None
    previous_period: Span | None
    previous: float | None = None
    change: float | None = None
    p_value: float | None = None
    verdict: str = "unknown"  # better | worse | no_significant_change | unknown
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        span, before = self.period, self.previous_period
        return {
            "period": None if span is None else span.label,
            "from": None if span is None else span.start.isoformat(),
            "to": None if span is None else span.last_day.isoformat(),
            "previous_period": None if before is None else before.label,
            "previous": self.previous,
            "change": self.change,
            "p_value": self.p_value,
            "verdict": self.verdict,
            "note": self.note,
        }


@dataclass(frozen=True)
class KpiResult:
    """One KPI in one scope: the row the report and the scorecard show."""

    kpi: KpiDef
    scope: dict[str, Any]
    row: MetricRow | None
    status: str
    trend: Trend
    guardrails: list[GuardrailState] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return None if self.row is None else self.row.value

    @property
    def n(self) -> int:
        return 0 if self.row is None else self.row.n

    def to_dict(self) -> dict[str, Any]:
        row = self.row
        return {
            "kpi": self.kpi.name,
            "scope": self.scope,
            "value": self.value,
            "n": self.n,
            "ci_low": None if row is None else row.ci_low,
            "ci_high": None if row is None else row.ci_high,
            "target": self.kpi.target,
            "status": self.status,
            "trend": self.trend.to_dict(),
            "guardrails": [state.to_dict() for state in self.guardrails],
        }


@dataclass(frozen=True)
class Report:
    """Every KPI's result and every gaming flag: ``{"kpis": [...], "gaming": [...]}``."""

    results: list[KpiResult]
    gaming: list[GamingFlag]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (CLI, API): every number finite or null, so it is valid JSON."""
        return json_safe(
            {
                "kpis": [r.to_dict() for r in self.results],
                "gaming": [flag.to_dict() for flag in self.gaming],
            }
        )


def _trend(
    kpi: KpiDef,
    span: Span,
    before: Span,
    row: MetricRow | None,
    previous: MetricRow | None,
    p_value: Callable[[], float | None],
    alpha: float,
) -> Trend:
    if row is None or row.value is None or previous is None or previous.value is None:
        return Trend(
            span,
            before,
            None if previous is None else previous.value,
            note="no data in one of the two periods",
        )
    change = row.value - previous.value
    if min(row.n, previous.n) < kpi.min_n:
        return Trend(
            span,
            before,
            previous.value,
            change,
            note=f"fewer than {kpi.min_n} observations in a period: not tested",
        )
    p = p_value()
    if p is None:
        verdict = "unknown"
    elif p >= alpha:
        verdict = "no_significant_change"
    else:
        verdict = "better" if (change < 0) == kpi.lower_is_better else "worse"
    note = "" if p is not None else f"{kpi.metric} has no significance test"
    return Trend(span, before, previous.value, change, p, verdict, note)


class _Tests:
    """p-values of the change between the two periods, per metric and segment, run once per
    metric on first need (two queries for every segment together)."""

    def __init__(
        self, source: MetricSource, kpi: KpiDef, span: Span, before: Span, segments: list[str]
    ) -> None:
        self._args = (source, span, before, kpi.filters, segments)
        self._found: dict[tuple[str, int | None], dict[SegmentKey, float | None]] = {}

    def p_value(self, metric: str, window: int | None, key: SegmentKey) -> float | None:
        if (metric, window) not in self._found:
            source, span, before, filters, segments = self._args
            self._found[(metric, window)] = change_p_values(
                source, metric, before, span, filters=filters, segments=segments, window_days=window
            )
        return self._found[(metric, window)].get(key)


@dataclass(frozen=True)
class _Frame:
    """Everything fetched for one KPI: its rows and its guardrails' rows, now and before."""

    segments: list[str]
    current: Rows
    previous: Rows
    guards: list[tuple[Rows, Rows]]


def _units(frame: _Frame) -> list[SegmentKey]:
    if isinstance(frame.current, Unavailable):
        return [()] if not frame.segments else []
    keys = list(frame.current)
    if frame.segments:
        keys = [key for key in keys if key[-1] is not None]
    return keys


def _row(rows: Rows, key: SegmentKey) -> MetricRow | None:
    return None if isinstance(rows, Unavailable) else rows.get(key)


def _fetch_frame(
    source: MetricSource, kpi: KpiDef, span: Span, before: Span, segments: list[str]
) -> _Frame:
    def both(metric: str, window: int | None) -> tuple[Rows, Rows]:
        return (
            fetch(source, metric, span, filters=kpi.filters, segments=segments, window_days=window),
            fetch(
                source, metric, before, filters=kpi.filters, segments=segments, window_days=window
            ),
        )

    current, previous = both(kpi.metric, kpi.window_days)
    guards = []
    for guard in kpi.guardrails:
        if guard.metric is not None:
            guards.append(both(guard.metric, guard.window_days))
        elif guard.check == "survey_coverage":
            guards.append(both("aht", None))
        else:
            guards.append((current, previous))
    return _Frame(segments, current, previous, guards)


def _guardrails(
    kpi: KpiDef, frame: _Frame, key: SegmentKey, tests: _Tests, alpha: float
) -> list[GuardrailState]:
    states = []
    row = _row(frame.current, key)
    for guard, (now, then) in zip(kpi.guardrails, frame.guards, strict=True):
        if guard.metric is None:
            contacts = _row(now, key) if guard.check == "survey_coverage" else None
            states.append(judge_check(guard, row, None if contacts is None else contacts.n))
            continue
        metric, window = guard.metric, guard.window_days

        def p_value(metric: str = metric, window: int | None = window) -> float | None:
            return tests.p_value(metric, window, key)

        states.append(
            judge_metric(
                guard,
                _row(now, key),
                _row(then, key),
                p_value,
                alpha=alpha,
                min_n=kpi.min_n,
                unavailable=now.reason if isinstance(now, Unavailable) else None,
            )
        )
    return states


def _evaluate_kpi(
    source: MetricSource, kpi: KpiDef, span: Span, by: str | None, alpha: float
) -> list[KpiResult]:
    before = previous_span(span)
    allowed = SEGMENT_FIELDS[kpi.spec.table]
    segments = [by] if by and by not in kpi.filters and by in allowed else []
    frame = _fetch_frame(source, kpi, span, before, segments)
    units = _units(frame)
    if not units:  # nothing per segment: judge the KPI's own scope
        frame = _fetch_frame(source, kpi, span, before, [])
        units = [()]
    results = []
    tests = _Tests(source, kpi, span, before, frame.segments)
    for key in units:
        scope = {**kpi.filters, **dict(zip(frame.segments, key, strict=True))}
        row, previous = _row(frame.current, key), _row(frame.previous, key)

        def p_value(key: SegmentKey = key) -> float | None:
            return tests.p_value(kpi.metric, kpi.window_days, key)

        trend = _trend(kpi, span, before, row, previous, p_value, alpha)
        if isinstance(frame.current, Unavailable):
            trend = Trend(span, before, note=frame.current.reason)
        status = kpi_status(row, kpi.target, lower_is_better=kpi.lower_is_better, min_n=kpi.min_n)
        guards = _guardrails(kpi, frame, key, tests, alpha)
        results.append(KpiResult(kpi, scope, row, status, trend, guards))
    return results


def trend_flags(results: Sequence[KpiResult]) -> list[GamingFlag]:
    """KPIs that improved significantly while a guardrail broke in the same scope."""
    flags = []
    for result in results:
        broken = [g for g in result.guardrails if g.kind == "metric" and g.status == BROKEN]
        span, before = result.trend.period, result.trend.previous_period
        if result.trend.verdict != "better" or not broken or span is None or before is None:
            continue
        metric = result.kpi.metric
        evidence: dict[str, Any] = {
            "kpi": result.kpi.name,
            "level": "trend",
            "period": span.to_dict(),
            "previous_period": before.to_dict(),
            "metrics": {
                metric: {
                    "value": result.value,
                    "n": result.n,
                    "previous": result.trend.previous,
                    "change": result.trend.change,
                    "p_value": result.trend.p_value,
                }
            },
            "items": result.scope,
        }
        for state in broken:
            evidence["metrics"][state.guardrail] = {
                "value": state.value,
                "n": state.n,
                "previous": state.baseline,
                "change": state.change,
                "tolerance": state.tolerance,
                "p_value": state.p_value,
            }
        signals = [f"{metric}_improved", *(f"{s.guardrail}_worsened" for s in broken)]
        flags.append(GamingFlag(dict(result.scope), metric, result.kpi.name, signals, evidence))
    return flags


def evaluate(
    kpis: KpiSet,
    source: SourceLike,
    *,
    period: str | None = None,
    by: str | None = None,
    names: Sequence[str] | None = None,
    gaming: bool = True,
    levels: Sequence[str] = LEVELS,
) -> Report:
    """Judge ``kpis`` (or those in ``names``) over ``period`` (default: each KPI's latest
    period with data), one row per ``by`` value in each KPI's scope, and look for gaming."""
    if by is not None and by not in BY_FIELDS:
        raise MetricError(f"cannot report by {by!r}: use {', '.join(BY_FIELDS)}")
    chosen = [kpis.get(name) for name in names] if names else list(kpis.kpis)
    fixed = span_of(period) if period else None
    alpha = kpis.gaming.alpha
    results: list[KpiResult] = []
    flags: list[GamingFlag] = []
    with opened(source) as opened_src, remembering(opened_src) as src:
        for kpi in chosen:
            span = fixed or latest_span(src, kpi.metric, kpi.grain, kpi.filters)
            if span is None:
                trend = Trend(None, None, note="no data for this KPI's metric in its scope")
                results.append(KpiResult(kpi, dict(kpi.filters), None, "small_sample", trend))
                continue
            kpi_results = _evaluate_kpi(src, kpi, span, by, alpha)
            results += kpi_results
            if gaming:
                flags += detect_peer_gaming(src, kpi, span, kpis.gaming, levels=levels)
                flags += trend_flags(kpi_results)
    return Report(results, flags)
