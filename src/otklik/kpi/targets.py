"""Realistic targets: from a metric's history (level, spread, trend) to a target and the
probability of reaching it.

The model. Take the metric per period (``compute(by=month)`` or another grain) over the last
``periods`` periods, leaving out periods with fewer than ``min_n`` observations, censored
periods (a repeat window reaching past the data) and a last period with under half the usual
n (most likely still running). Fit a straight line through them (least squares). If the
slope is significant (p < 0.05, at least 6 periods) the next period is forecast on the line;
otherwise at the mean. The next period's value is taken as normal around the forecast with
the period-to-period spread as its standard deviation (the residual SD of the line, or the SD
of the values, widened for the uncertainty of the forecast itself). The probability of
reaching a target T is P(value ≤ T) for a lower-is-better metric, else P(value ≥ T).

"Met" on a report needs more than the value beyond T: the whole 95% interval must be beyond
it, so ``probability_met`` shifts T by the typical half-width of a period's interval.

The suggested target is the level the current process reaches with probability
``probability`` (0.3 by default: one period in three — an improvement, not a miracle).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scipy import stats

from otklik.errors import MetricError
from otklik.metrics import CENSORED, Grain, MetricRow, compute, get_metric
from otklik.metrics.compute import SourceLike
from otklik.metrics.query import FilterValue

__all__ = [
    "MIN_PERIODS",
    "Suggestion",
    "probability_of",
    "suggest_target",
    "target_for",
]

MIN_PERIODS = 3
_TREND_MIN_PERIODS = 6
_TREND_ALPHA = 0.05
_OPTIONS = (0.8, 0.5, 0.3, 0.1)


def probability_of(target: float, forecast: float, sd: float, *, lower_is_better: bool) -> float:
    """P(next value reaches ``target``) when it is normal(forecast, sd)."""
    if sd <= 0:
        reached = target >= forecast if lower_is_better else target <= forecast
        return 1.0 if reached else 0.0
    below = float(stats.norm.cdf((target - forecast) / sd))
    return below if lower_is_better else 1.0 - below


def target_for(probability: float, forecast: float, sd: float, *, lower_is_better: bool) -> float:
    """The target reached with ``probability`` under normal(forecast, sd)."""
    z = float(stats.norm.ppf(probability))
    return forecast + z * sd if lower_is_better else forecast - z * sd


def _rounded(unit: str, value: float) -> float:
    digits = {"s": 0, "%": 1, "points": 1, "score": 2}.get(unit, 2)
    return round(value, digits)


@dataclass(frozen=True)
class Suggestion:
    """A target grounded in the baseline, with what it rests on and how likely it is."""

    metric: str
    scope: dict[str, Any]
    grain: str
    lower_is_better: bool
    history: list[MetricRow]
    excluded: list[tuple[date | None, str]]
    forecast: float
    spread: float
    sd: float
    slope: float | None
    slope_p_value: float | None
    trend_used: bool
    best: float
    worst: float
    half_width: float
    target: float
    probability: float
    probability_met: float
    options: list[tuple[float, float]]
    warnings: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return statistics.fmean(row.value for row in self.history if row.value is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "scope": self.scope,
            "grain": self.grain,
            "direction": "lower" if self.lower_is_better else "higher",
            "history": [
                {
                    "period": r.period_label,
                    "value": r.value,
                    "n": r.n,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                }
                for r in self.history
            ],
            "excluded": [
                {"period": None if p is None else p.isoformat(), "reason": why}
                for p, why in self.excluded
            ],
            "baseline": {
                "level": self.mean,
                "spread": self.spread,
                "slope": self.slope,
                "slope_p_value": self.slope_p_value,
                "trend_used": self.trend_used,
                "best": self.best,
                "worst": self.worst,
                "periods": len(self.history),
            },
            "model": "next period ~ normal(forecast, sd); forecast = linear trend if "
            "significant, else the mean; sd = period-to-period spread",
            "forecast": self.forecast,
            "sd": self.sd,
            "target": self.target,
            "probability": self.probability,
            "probability_met": self.probability_met,
            "options": [{"probability": p, "target": t} for p, t in self.options],
            "warnings": self.warnings,
        }


def _usable(
    rows: Sequence[MetricRow], min_n: int
) -> tuple[list[MetricRow], list[tuple[date | None, str]]]:
    kept: list[MetricRow] = []
    excluded: list[tuple[date | None, str]] = []
    typical = statistics.median(row.n for row in rows) if rows else 0
    for position, row in enumerate(rows):
        if row.value is None or row.n < min_n:
            excluded.append((row.period, f"fewer than {min_n} observations"))
        elif CENSORED in row.flags:
            excluded.append((row.period, "censored: the repeat window runs past the data"))
        elif position == len(rows) - 1 and row.n < typical / 2:
            excluded.append((row.period, "under half the usual n: probably still running"))
        else:
            kept.append(row)
    return kept, excluded


def _fit(values: list[float]) -> tuple[float, float, float | None, float | None, bool]:
    """(forecast, sd of the next value, slope, slope's p, whether the trend is used)."""
    k = len(values)
    mean = statistics.fmean(values)
    spread = statistics.stdev(values)
    slope = p = None
    if k >= 3:
        fit = stats.linregress(range(k), values)
        slope, p = float(fit.slope), float(fit.pvalue)
        if k >= _TREND_MIN_PERIODS and p < _TREND_ALPHA:
            xs = range(k)
            residuals = [
                v - (fit.intercept + fit.slope * x) for x, v in zip(xs, values, strict=True)
            ]
            s = math.sqrt(sum(r * r for r in residuals) / (k - 2))
            x_bar = (k - 1) / 2
            sxx = sum((x - x_bar) ** 2 for x in xs)
            sd = s * math.sqrt(1 + 1 / k + (k - x_bar) ** 2 / sxx)
            return float(fit.intercept + fit.slope * k), sd, slope, p, True
    return mean, spread * math.sqrt(1 + 1 / k), slope, p, False


def suggest_target(
    metric: str,
    source: SourceLike,
    *,
    scope: Mapping[str, FilterValue] | None = None,
    grain: Grain | str = Grain.MONTH,
    periods: int = 12,
    probability: float = 0.3,
    target: float | None = None,
    lower_is_better: bool | None = None,
    min_n: int = 30,
    window_days: int | None = None,
    end: date | None = None,
) -> Suggestion:
    """A target for ``metric`` in ``scope`` from its last ``periods`` periods of ``grain``.

    With ``target`` the given target is judged instead of proposing one.
    """
    if not 0 < probability < 1:
        raise MetricError(f"probability must be between 0 and 1, got {probability:g}")
    spec = get_metric(metric)
    grain = Grain(grain)
    if grain is Grain.ALL:
        raise MetricError("a target needs periods: use week, month, quarter or year")
    lower = spec.higher_is_better is False if lower_is_better is None else lower_is_better
    filters = dict(scope or {})
    rows = compute(spec, source, by=grain, filters=filters, end=end, window_days=window_days)
    history, excluded = _usable(rows[-periods:], min_n)
    if len(history) < MIN_PERIODS:
        raise MetricError(
            f"{spec.name} has {len(history)} usable {grain.value}s in this scope (at least "
            f"{MIN_PERIODS} with n ≥ {min_n} are needed to ground a target)"
        )
    values = [float(row.value) for row in history if row.value is not None]
    forecast, sd, slope, slope_p, trend_used = _fit(values)
    best = min(values) if lower else max(values)
    worst = max(values) if lower else min(values)
    widths = [
        (r.ci_high - r.ci_low) / 2
        for r in history
        if r.ci_low is not None and r.ci_high is not None
    ]
    half_width = statistics.median(widths) if widths else 0.0
    warnings: list[str] = []
    chosen = (
        target
        if target is not None
        else _rounded(spec.unit, target_for(probability, forecast, sd, lower_is_better=lower))
    )
    reach = probability_of(chosen, forecast, sd, lower_is_better=lower)
    shifted = chosen - half_width if lower else chosen + half_width
    met = probability_of(shifted, forecast, sd, lower_is_better=lower)
    beyond = chosen < best if lower else chosen > best
    if beyond:
        warnings.append(
            f"the target {chosen:g} is beyond the best {grain.value} in the history "
            f"({best:.4g}): this scope has never done it"
        )
    if len(history) < _TREND_MIN_PERIODS:
        warnings.append(f"only {len(history)} usable {grain.value}s: the spread is rough")
    if trend_used and slope is not None:
        warnings.append(
            f"{spec.name} trends by {slope:+.3g} {spec.unit} per {grain.value} "
            f"(p = {slope_p:.2g}); the forecast follows the trend"
        )
    if half_width > sd:
        warnings.append(
            "a period's own 95% interval is wider than the period-to-period "
            "spread: 'met' will often be 'not significant'"
        )
    options = [
        (p, _rounded(spec.unit, target_for(p, forecast, sd, lower_is_better=lower)))
        for p in _OPTIONS
    ]
    return Suggestion(
        metric=spec.name,
        scope=filters,
        grain=grain.value,
        lower_is_better=lower,
        history=history,
        excluded=excluded,
        forecast=forecast,
        spread=statistics.stdev(values),
        sd=sd,
        slope=slope,
        slope_p_value=slope_p,
        trend_used=trend_used,
        best=best,
        worst=worst,
        half_width=half_width,
        target=chosen,
        probability=reach,
        probability_met=met,
        options=options,
        warnings=warnings,
    )
