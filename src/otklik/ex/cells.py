"""What every EX figure shares: the cell it is shown in, the minimum group and its
complementary suppression, tenure bands and periods (see :mod:`otklik.ex.figures`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from otklik.errors import MetricError
from otklik.metrics import Grain, Period

__all__ = [
    "BY_FIELDS",
    "DEFAULT_MIN_GROUP",
    "EX_METRICS",
    "TENURE_BANDS",
    "ExCell",
    "bounds",
    "check_by",
    "check_min_group",
    "period_of",
    "suppress",
    "tenure_band",
]

DEFAULT_MIN_GROUP = 5
BY_FIELDS: tuple[str, ...] = ("team", "department", "tenure")
TENURE_BANDS: tuple[str, ...] = ("<1y", "1-3y", "3-5y", "5y+")

# The EX part of the catalogue: formula and interval of each figure (docs/ex.md).
EX_METRICS: Mapping[str, Mapping[str, str]] = {
    "enps": {
        "formula": "100 · (answers 9–10 − answers 0–6) / answers, employee answers on 0–10",
        "ci": "adjusted Wald (Rocks 2016)",
    },
    "ecsi": {
        "formula": "mean employee satisfaction score on csat5 (1–5)",
        "ci": "Student t",
    },
    "turnover_rate": {
        "formula": "100 · leavers in the period among staff at its start / staff at its start",
        "ci": "Wilson score",
    },
    "exit_cost": {
        "formula": "Σ replacement cost of the role of each leaver, by leave reason",
        "ci": "reason share: Wilson score; the cost is a count of the whole list, not a sample",
    },
}


@dataclass(frozen=True)
class ExCell:
    """One EX figure of one period and group (``group`` None: the whole company)."""

    metric: str
    period: str
    group: str | None
    value: float | None
    n: int | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "period": self.period,
            "group": self.group,
            "value": None if self.value is None else round(self.value, 4),
            "n": self.n,
            "ci_low": None if self.ci_low is None else round(self.ci_low, 4),
            "ci_high": None if self.ci_high is None else round(self.ci_high, 4),
            "suppressed": self.suppressed,
        }


def tenure_band(years: float) -> str:
    """The band of a tenure in years: ``<1y``, ``1-3y``, ``3-5y`` or ``5y+``."""
    if years < 1:
        return TENURE_BANDS[0]
    if years < 3:
        return TENURE_BANDS[1]
    if years < 5:
        return TENURE_BANDS[2]
    return TENURE_BANDS[3]


def check_by(by: str | None) -> None:
    if by is not None and by not in BY_FIELDS:
        raise MetricError(f"cannot split EX figures by {by!r}; use one of {', '.join(BY_FIELDS)}")


def check_min_group(min_group: int) -> None:
    if min_group < 2:
        raise MetricError(f"the minimum group size must be at least 2, got {min_group}")


def period_of(moment: datetime, zone: tzinfo, grain: Grain) -> Period:
    local = moment.replace(tzinfo=UTC).astimezone(zone).date()
    return Period.of(local, grain)


def suppress(cells: list[ExCell], sizes: Mapping[str | None, int], min_group: int) -> list[ExCell]:
    """Hide small groups, and one more when only one of a split would be hidden."""
    hidden = {group for group, size in sizes.items() if size < min_group}
    shown = [group for group in sizes if group not in hidden]
    if len(hidden) == 1 and len(shown) >= 1 and len(sizes) > 1:
        hidden.add(min(shown, key=lambda group: (sizes[group], str(group))))
    return [
        ExCell(c.metric, c.period, c.group, None, None, None, None, True)
        if c.group in hidden
        else c
        for c in cells
    ]


def bounds(period: Period | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    return period.utc_bounds(zone) if period is not None else (None, None)
