"""Is a difference real? Two slices of one metric (two periods or two segments) and a test.

Proportions use the pooled two-proportion z-test, or Fisher's exact test for small counts
(Newcombe's interval for the difference), NPS the adjusted Wald z-test of Rocks (2016), means
Welch's t-test, revenue churn a z-test on linearised standard errors. Quantiles have no
closed-form test here and are refused. With fewer than ``MIN_TEST_N`` observations on a side
(or no variance to test a mean against) the verdict is ``not_enough_data`` and there is no
p-value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from otklik.errors import MetricError
from otklik.metrics.catalogue import get_metric
from otklik.metrics.compute import SourceLike, groups_for, opened
from otklik.metrics.groups import Group, finish
from otklik.metrics.periods import Period, as_utc_naive, get_zone
from otklik.metrics.query import FilterValue, make_query
from otklik.metrics.results import MetricRow, json_safe
from otklik.metrics.spec import MetricParams, MetricSpec, Statistic
from otklik.metrics.stats import (
    MIN_TEST_N,
    TestResult,
    mean_sd,
    nps_difference_test,
    ratio_difference_test,
    two_proportion_test,
    welch_test,
)

__all__ = [
    "ALPHA",
    "NOISE",
    "NOT_ENOUGH_DATA",
    "SIGNIFICANT",
    "Comparison",
    "Slice",
    "compare",
    "compare_groups",
    "compare_segments",
]

ALPHA = 0.05
SIGNIFICANT = "significant"
NOISE = "noise"
NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class Slice:
    """One side of a comparison: a period, a segment value, or both.

    ``start``/``end`` as dates are local days of the reporting zone; naive datetimes are UTC.
    """

    label: str
    start: date | datetime | None = None
    end: date | datetime | None = None
    filters: Mapping[str, FilterValue] = field(default_factory=dict)

    @classmethod
    def period(cls, text: str) -> Slice:
        """A period as people type it: ``2024``, ``2024-Q1``, ``2024-03``, ``2024-W05``…"""
        period = Period.parse(text)
        return cls(text, period.start, period.end)

    @classmethod
    def segment(cls, field_name: str, value: str | None) -> Slice:
        return cls(f"{field_name}={value}", filters={field_name: value})


@dataclass(frozen=True)
class Comparison:
    """b − a in the metric's unit (percentage points for shares), with the test's verdict."""

    metric: str
    a_label: str
    b_label: str
    a: MetricRow
    b: MetricRow
    test: str
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    alpha: float = ALPHA

    @property
    def significant(self) -> bool | None:
        return None if self.p_value is None else self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        """``significant``, ``noise`` (could be chance) or ``not_enough_data`` (no test)."""
        if self.p_value is None:
            return NOT_ENOUGH_DATA
        return SIGNIFICANT if self.p_value < self.alpha else NOISE

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (CLI ``--format json``, API); non-finite numbers are null."""
        return json_safe(
            {
                "metric": self.metric,
                "a": {"label": self.a_label, **self.a.to_dict()},
                "b": {"label": self.b_label, **self.b.to_dict()},
                "test": self.test,
                "difference": self.difference,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "p_value": self.p_value,
                "alpha": self.alpha,
                "significant": self.significant,
                "verdict": self.verdict,
            }
        )


def _scaled(result: TestResult, factor: float) -> tuple[float, float | None, float | None]:
    def scale(value: float | None) -> float | None:
        return None if value is None else factor * value

    return factor * result.difference, scale(result.ci_low), scale(result.ci_high)


def _not_enough(spec: MetricSpec, a: Group, b: Group) -> tuple[TestResult, float]:
    """No test: the plain difference of the two values, in the metric's unit."""
    value_a, value_b = finish(spec, a).value, finish(spec, b).value
    if value_a is None or value_b is None:
        raise MetricError(f"{spec.name} has no value on one side")
    return TestResult("none: not enough data", value_b - value_a, None, None, None, None), 1.0


def _test(spec: MetricSpec, a: Group, b: Group) -> tuple[TestResult, float]:
    sa, sb = a.stats, b.stats
    statistic = spec.statistic
    if statistic is not Statistic.QUANTILE and min(a.n, b.n) < MIN_TEST_N:
        return _not_enough(spec, a, b)
    if statistic is Statistic.NPS:
        return nps_difference_test(
            (sa["promoters"], sa["detractors"], sa["n"]),
            (sb["promoters"], sb["detractors"], sb["n"]),
        ), 1.0
    if statistic in (Statistic.PROPORTION, Statistic.REPEAT, Statistic.CHURN):
        return two_proportion_test(sa["k"], sa["n"], sb["k"], sb["n"]), 100.0
    if statistic is Statistic.MEAN:
        mean_a, sd_a = mean_sd(sa["n"], sa["s1"], sa["s2"])
        mean_b, sd_b = mean_sd(sb["n"], sb["s1"], sb["s2"])
        if sd_a is None or sd_b is None or sd_a + sd_b == 0:
            return _not_enough(spec, a, b)
        return welch_test((mean_a, sd_a, sa["n"]), (mean_b, sd_b, sb["n"])), 1.0
    if statistic is Statistic.REVENUE_CHURN:
        if sa["w"] <= 0 or sb["w"] <= 0:
            raise MetricError("revenue churn needs revenue on both sides")
        return ratio_difference_test(
            (sa["wk"], sa["w"], sa["n"], sa["qk"], sa["q"]),
            (sb["wk"], sb["w"], sb["n"], sb["qk"], sb["q"]),
        ), 100.0
    raise MetricError(
        f"{spec.name} has no significance test in otklik (a quantile's difference needs the "
        "raw values); compare the mean (aht) instead"
    )


def _merge(
    common: Mapping[str, FilterValue], own: Mapping[str, FilterValue]
) -> dict[str, FilterValue]:
    merged = dict(common)
    for name, value in own.items():
        if name in merged and merged[name] != value:
            raise MetricError(f"--{name} conflicts with the compared value {name}={value}")
        merged[name] = value
    return merged


def _overlap(a: Slice, b: Slice, zone: tzinfo) -> bool:
    if a.start is None or b.start is None or a.end is None or b.end is None:
        return False
    if dict(a.filters) != dict(b.filters):
        return False
    a_start, a_end = as_utc_naive(a.start, zone), as_utc_naive(a.end, zone)
    b_start, b_end = as_utc_naive(b.start, zone), as_utc_naive(b.end, zone)
    return a_start < b_end and b_start < a_end


def compare(
    metric: str | MetricSpec,
    source: SourceLike,
    a: Slice,
    b: Slice,
    *,
    filters: Mapping[str, FilterValue] | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    window_days: int | None = None,
    scale: str | None = None,
    top_box: float | None = None,
    alpha: float = ALPHA,
    timezone: str | tzinfo | None = None,
) -> Comparison:
    """Compare slice ``b`` with slice ``a`` (b − a) and say whether the difference is real.

    ``filters``, ``start`` and ``end`` apply to both sides; a slice's own period or segment
    value overrides them. The two samples are taken as independent. ``timezone`` is the
    reporting zone of the slices' days (None: the source's, else ``OTKLIK_TIMEZONE``).
    """
    spec = get_metric(metric)
    params = MetricParams(window_days=window_days, scale=scale, top_box=top_box)
    groups: list[Group] = []
    with opened(source) as src:
        zone = get_zone(timezone if timezone is not None else src.timezone)
        if _overlap(a, b, zone):
            raise MetricError(f"{a.label} and {b.label} overlap: compare two separate samples")
        for side in (a, b):
            query = make_query(
                spec,
                filters=_merge(filters or {}, side.filters),
                start=side.start or start,
                end=side.end or end,
                params=params,
                timezone=zone,
            )
            found = groups_for(src, query)
            if not found or found[0].n == 0:
                raise MetricError(f"no data for {spec.name} in {side.label}")
            groups.append(found[0])
    result, factor = _test(spec, groups[0], groups[1])
    difference, low, high = _scaled(result, factor)
    rows: Sequence[MetricRow] = [finish(spec, group, zone.key) for group in groups]
    return Comparison(
        metric=spec.name,
        a_label=a.label,
        b_label=b.label,
        a=rows[0],
        b=rows[1],
        test=result.test,
        difference=difference,
        ci_low=low,
        ci_high=high,
        p_value=result.p_value,
        alpha=alpha,
    )


def compare_segments(
    metric: str | MetricSpec,
    source: SourceLike,
    a: Slice,
    b: Slice,
    *,
    segments: Sequence[str],
    filters: Mapping[str, FilterValue] | None = None,
    window_days: int | None = None,
    scale: str | None = None,
    top_box: float | None = None,
    alpha: float = ALPHA,
    timezone: str | tzinfo | None = None,
) -> dict[tuple[Any, ...], Comparison]:
    """:func:`compare` for every segment at once: one query per side instead of two per
    segment (KPIs per agent). Keys are the segment values in the order of ``segments``; a
    segment with no data on either side, or too little for its test, is left out."""
    spec = get_metric(metric)
    params = MetricParams(window_days=window_days, scale=scale, top_box=top_box)
    sides: list[dict[tuple[Any, ...], Group]] = []
    with opened(source) as src:
        zone = get_zone(timezone if timezone is not None else src.timezone)
        if _overlap(a, b, zone):
            raise MetricError(f"{a.label} and {b.label} overlap: compare two separate samples")
        for side in (a, b):
            query = make_query(
                spec,
                segments=segments,
                filters=_merge(filters or {}, side.filters),
                start=side.start,
                end=side.end,
                params=params,
                timezone=zone,
            )
            sides.append(
                {
                    tuple(g.segment.get(f) for f in segments): g
                    for g in groups_for(src, query)
                    if g.n > 0
                }
            )
    found: dict[tuple[Any, ...], Comparison] = {}
    for key in sides[0].keys() & sides[1].keys():
        comparison = compare_groups(
            spec, sides[0][key], sides[1][key], a.label, b.label, alpha=alpha, timezone=zone.key
        )
        if comparison is not None:
            found[key] = comparison
    return found


def compare_groups(
    metric: str | MetricSpec,
    a: Group,
    b: Group,
    a_label: str,
    b_label: str,
    *,
    alpha: float = ALPHA,
    timezone: str = "UTC",
) -> Comparison | None:
    """b − a from the sufficient statistics of two groups already summed (the same test as
    :func:`compare`); None when a side has no data or the metric has no test (a quantile)."""
    spec = get_metric(metric)
    if a.n == 0 or b.n == 0:
        return None
    try:
        result, factor = _test(spec, a, b)
    except MetricError:
        return None
    difference, low, high = _scaled(result, factor)
    return Comparison(
        metric=spec.name,
        a_label=a_label,
        b_label=b_label,
        a=finish(spec, a, timezone),
        b=finish(spec, b, timezone),
        test=result.test,
        difference=difference,
        ci_low=low,
        ci_high=high,
        p_value=result.p_value,
        alpha=alpha,
    )
