"""The analysis of an experiment: sizes, estimates with intervals, the sequential decision.

:func:`plan` gives the customers per variant a fixed-horizon test needs (printed before the
start). :func:`analyze` reads one outcome per customer (:mod:`otklik.experiments.outcomes`),
replays the looks day by day (the always-valid p-value is a running minimum over the looks),
checks the sample ratio and the guardrails, and says what to do.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from otklik.experiments.definitions import METRICS, ExperimentDef
from otklik.experiments.outcomes import Outcomes, first_exposures, outcomes
from otklik.experiments.registry import StoredExperiment, get_experiment, now_utc
from otklik.experiments.stats import (
    SRM_ALPHA,
    Difference,
    Summary,
    difference,
    sample_size_means,
    sample_size_proportions,
    srm_test,
)

__all__ = ["DECISIONS", "Analysis", "Comparison", "VariantFigure", "analyze", "plan"]

DECISIONS: tuple[str, ...] = (
    "continue",
    "stop_winner",
    "stop_control",
    "stop_no_effect",
    "stop_guardrail",
    "check_srm",
)
_Z = 1.959963984540054


def plan(definition: ExperimentDef) -> int:
    """Customers per variant for the fixed-horizon test of the primary metric."""
    metric = definition.primary
    alpha = definition.alpha / max(1, len(definition.variants) - 1)
    if metric.kind == "proportion":
        baseline = definition.baseline if definition.baseline is not None else metric.baseline
        return sample_size_proportions(
            baseline / 100, definition.effect / 100, alpha=alpha, power=definition.power
        )
    sd = definition.sd or metric.sd or 1.0
    return sample_size_means(sd, definition.effect, alpha=alpha, power=definition.power)


@dataclass(frozen=True)
class VariantFigure:
    variant: str
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Comparison:
    """A treatment against the control on one metric (differences in the metric's unit)."""

    metric: str
    variant: str
    n_control: int
    n_variant: int
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    cs_low: float | None
    cs_high: float | None
    p_always_valid: float | None
    significant: bool
    better: bool | None
    path: list[tuple[int, float, float, float]] = field(default_factory=list)
    """Per look (day from the start): the difference and its always-valid interval."""


@dataclass
class Analysis:
    key: str
    status: str
    rollout_stage: int | None
    winner: str | None
    metric: str
    unit: str
    stopping: str
    alpha: float
    planned_n: int
    days: int
    exposed: dict[str, int]
    srm_p: float
    randomised: bool
    variants: list[VariantFigure]
    comparisons: list[Comparison]
    guardrails: list[Comparison]
    decision: str
    best: str | None
    harmful: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _clean(asdict(self))


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _cumulative(data: Outcomes, variant: str, days: int) -> list[Summary]:
    mask = data.variants == variant
    day = data.days[mask]
    w = data.weights[mask]
    x = data.values[mask]
    n = np.cumsum(np.bincount(day, weights=w, minlength=days))[:days]
    s1 = np.cumsum(np.bincount(day, weights=w * x, minlength=days))[:days]
    s2 = np.cumsum(np.bincount(day, weights=w * x * x, minlength=days))[:days]
    return [
        Summary.from_sums(float(a), float(b), float(c)) for a, b, c in zip(n, s1, s2, strict=True)
    ]


def _figure(variant: str, s: Summary) -> VariantFigure:
    if s.n == 0:
        return VariantFigure(variant, 0, None, None, None)
    if s.n < 2 or math.isnan(s.var):
        return VariantFigure(variant, s.n, s.mean, None, None)
    half = _Z * math.sqrt(s.var / s.n)
    return VariantFigure(variant, s.n, s.mean, s.mean - half, s.mean + half)


def _compare(
    definition: ExperimentDef, metric: str, data: Outcomes, days: int, alpha: float
) -> list[Comparison]:
    spec = METRICS[metric]
    tau = definition.effect if metric == definition.metric else spec.default_mde
    control = definition.control_name
    paths = {v.name: _cumulative(data, v.name, days) for v in definition.variants}
    found = []
    for variant in definition.variants:
        if variant.name == control:
            continue
        p_av = 1.0
        last: Difference | None = None
        path: list[tuple[int, float, float, float]] = []
        for day, (a, b) in enumerate(zip(paths[control], paths[variant.name], strict=True)):
            if a.n < 2 or b.n < 2:
                continue
            last = difference(a, b, tau=tau, alpha=alpha, previous_p=p_av)
            p_av = last.p_always_valid
            if math.isfinite(last.cs_low) and (
                not path or path[-1][1:] != (last.difference, last.cs_low, last.cs_high)
            ):
                path.append((day, last.difference, last.cs_low, last.cs_high))
        a, b = paths[control][-1], paths[variant.name][-1]
        if last is None or not math.isfinite(last.ci_low):
            found.append(
                Comparison(
                    metric,
                    variant.name,
                    a.n,
                    b.n,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    False,
                    None,
                )
            )
            continue
        better = (last.difference > 0) == spec.higher_is_better if last.difference else None
        significant = (
            last.p_always_valid <= alpha
            if definition.stopping == "sequential" or metric != definition.metric
            else last.p_value <= alpha
        )
        found.append(
            Comparison(
                metric,
                variant.name,
                a.n,
                b.n,
                last.difference,
                last.ci_low,
                last.ci_high,
                last.p_value,
                last.cs_low,
                last.cs_high,
                last.p_always_valid,
                significant,
                better,
                path,
            )
        )
    return found


def analyze(engine: Engine, key: str, *, now: datetime | None = None) -> Analysis:
    """Everything the page, the CLI and the rollout check need about one experiment."""
    stored = get_experiment(engine, key)
    return analyze_stored(engine, stored, now=now)


def analyze_stored(
    engine: Engine, stored: StoredExperiment, *, now: datetime | None = None
) -> Analysis:
    definition = stored.definition
    exposed = first_exposures(engine, definition.key, until=stored.stopped_at)
    start = stored.started_at or stored.created_at
    if exposed:
        start = min(start, min(e.at for e in exposed.values()))
    at = now or now_utc()
    if stored.stopped_at is not None:  # a stopped test's days end when it stopped
        at = min(at, stored.stopped_at)
    days = max(1, (at - start).days + 1)
    names = [v.name for v in definition.variants]
    counts = {name: 0 for name in names}
    for first in exposed.values():
        if first.variant in counts:
            counts[first.variant] += 1
    srm_p = (
        srm_test([counts[n] for n in names], [v.weight for v in definition.variants])
        if definition.randomised
        else 1.0
    )
    alpha = definition.alpha / max(1, len(names) - 1)

    def of(metric: str) -> Outcomes:
        data = outcomes(engine, definition.key, metric, start, exposed)
        horizon = int(data.days.max()) + 1 if data.days.size else 1
        nonlocal days
        days = max(days, horizon)
        return data

    primary = of(definition.metric)
    guard_data = {metric: of(metric) for metric in definition.guardrails}
    comparisons = _compare(definition, definition.metric, primary, days, alpha)
    figures = [_figure(n, _cumulative(primary, n, days)[-1]) for n in names]
    guardrails = [
        c
        for metric, data in guard_data.items()
        for c in _compare(definition, metric, data, days, alpha)
    ]
    harmful = sorted({c.variant for c in guardrails if c.significant and c.better is False})
    planned = plan(definition)
    decision, best = _decide(definition, comparisons, figures, harmful, srm_p, planned, days)
    return Analysis(
        key=definition.key,
        status=stored.status,
        rollout_stage=stored.rollout_stage,
        winner=stored.winner,
        metric=definition.metric,
        unit=definition.primary.unit,
        stopping=definition.stopping,
        alpha=definition.alpha,
        planned_n=planned,
        days=days,
        exposed=counts,
        srm_p=srm_p,
        randomised=definition.randomised,
        variants=figures,
        comparisons=comparisons,
        guardrails=guardrails,
        decision=decision,
        best=best,
        harmful=harmful,
    )


def _decide(
    definition: ExperimentDef,
    comparisons: list[Comparison],
    figures: list[VariantFigure],
    harmful: list[str],
    srm_p: float,
    planned: int,
    days: int,
) -> tuple[str, str | None]:
    if srm_p < SRM_ALPHA:
        return "check_srm", None
    if harmful:
        return "stop_guardrail", None
    winners = [c for c in comparisons if c.significant and c.better]
    if winners:
        best = max(winners, key=lambda c: abs(c.difference or 0.0))
        return "stop_winner", best.variant
    if comparisons and all(c.significant and c.better is False for c in comparisons):
        return "stop_control", definition.control_name
    reached = min((f.n for f in figures), default=0) >= planned
    if definition.stopping == "fixed":
        return ("stop_no_effect" if reached else "continue"), None
    if reached or days >= definition.max_days:
        return "stop_no_effect", None
    return "continue", None
