"""What ``compute`` returns: a value with its sample size, 95% interval and warning flags."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "CENSORED",
    "FLAGS",
    "NON_FINITE",
    "SMALL_SAMPLE",
    "SMALL_SAMPLE_N",
    "MetricRow",
    "MetricValue",
    "finite",
    "json_safe",
]

SMALL_SAMPLE_N = 30
SMALL_SAMPLE = "small_sample"
"""n < 30: the interval is wide and the normal approximations behind it are rough."""
CENSORED = "censored"
"""Some contacts' repeat window reaches past the last contact in the data (FCR, repeat rate)."""

NON_FINITE = "non_finite"
"""A value or bound came out infinite or NaN (a stored value out of range): shown as null."""

FLAGS: Mapping[str, str] = {
    SMALL_SAMPLE: f"fewer than {SMALL_SAMPLE_N} observations",
    CENSORED: "the repeat window of some contacts reaches past the end of the data",
    NON_FINITE: "the value or its interval is not a finite number; it is left out",
}


def json_safe(value: Any) -> Any:
    """``value`` with every float that is infinite or NaN replaced by None, in nested dicts,
    lists and tuples: what ``json.dumps(..., allow_nan=False)`` accepts."""
    if isinstance(value, float):
        return finite(value)
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def finite(value: float | None) -> float | None:
    """``value``, or None when it is infinite or NaN (JSON has no such numbers)."""
    if value is None or math.isfinite(value):
        return value
    return None


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One figure: ``value`` over ``n`` observations, its 95% interval and flags.

    ``value`` and the bounds are None when they cannot be computed (the interval needs n ≥ 2
    for a mean).
    """

    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MetricRow:
    """A metric's value for one period (``None`` = the whole range) and one segment."""

    metric: str
    period: date | None
    segment: Mapping[str, Any] = field(default_factory=dict)
    result: MetricValue = field(default_factory=lambda: MetricValue(None, 0, None, None))
    scope: str = ""  # which rows the metric counts (MetricSpec.scope)
    timezone: str = "UTC"  # the reporting zone the period was cut in

    @property
    def value(self) -> float | None:
        return self.result.value

    @property
    def n(self) -> int:
        return self.result.n

    @property
    def ci_low(self) -> float | None:
        return self.result.ci_low

    @property
    def ci_high(self) -> float | None:
        return self.result.ci_high

    @property
    def flags(self) -> tuple[str, ...]:
        return self.result.flags

    @property
    def period_label(self) -> str:
        """ISO date of the period's start, or ``all``."""
        return "all" if self.period is None else self.period.isoformat()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one row (the CLI's ``--format json`` and the web API); numbers
        are finite or null (flagged ``non_finite``), so the result is valid JSON."""
        flags = list(self.flags)
        numbers = (self.value, self.ci_low, self.ci_high)
        lost = any(finite(number) is None and number is not None for number in numbers)
        if lost and NON_FINITE not in flags:
            flags.append(NON_FINITE)
        return {
            "metric": self.metric,
            "period": self.period_label,
            "segment": dict(self.segment),
            "value": finite(self.value),
            "n": self.n,
            "ci_low": finite(self.ci_low),
            "ci_high": finite(self.ci_high),
            "flags": flags,
            "scope": self.scope,
            "timezone": self.timezone,
        }

    @staticmethod
    def table_header(segments: Sequence[str]) -> list[str]:
        """Column names of :meth:`cells`: the flat shape of CSV and XLSX exports."""
        return ["metric", "period", *segments, "value", "n", "ci_low", "ci_high", "flags"]

    def cells(self, segments: Sequence[str]) -> list[Any]:
        """One flat row (flags joined by ``;``), aligned with :meth:`table_header`."""
        return [
            self.metric,
            self.period_label,
            *(self.segment.get(name) for name in segments),
            self.value,
            self.n,
            self.ci_low,
            self.ci_high,
            ";".join(self.flags),
        ]
