"""EX ↔ CX: a team's eNPS/eCSI beside its customers' CSAT, NPS and repeat-contact rate.

For each team that serves customers (it has customer answers or contacts in the period) and
each period, the team's EX figures (small groups hidden, :mod:`otklik.ex.figures`) stand next
to the customer metrics computed by the catalogue (:func:`otklik.metrics.compute`, segment
``team``). Across the team × period cells where both are shown, the Pearson correlation with
its Fisher z 95% interval says how strongly they go together: an association, not a cause
(a hard queue can make both staff and customers unhappy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from scipy import stats as _st
from sqlalchemy import Engine

from otklik.ex.cells import DEFAULT_MIN_GROUP, ExCell
from otklik.ex.figures import ex_cells
from otklik.metrics import Grain, Period, compute, get_zone

__all__ = ["CX_METRICS", "Correlation", "ExCxLink", "ex_cx_link", "fisher_correlation"]

CX_METRICS: tuple[str, ...] = ("csat", "nps", "repeat_rate")
_EX_METRICS: tuple[str, ...] = ("enps", "ecsi")
_MIN_CELLS = 4  # Fisher z needs k − 3 > 0


@dataclass(frozen=True)
class Correlation:
    """Pearson r of an EX and a CX figure across ``k`` team × period cells, with its Fisher z
    95% interval (None below 4 cells)."""

    ex: str
    cx: str
    k: int
    r: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "ex": self.ex,
            "cx": self.cx,
            "k": self.k,
            "r": rounded(self.r),
            "ci_low": rounded(self.ci_low),
            "ci_high": rounded(self.ci_high),
            "method": "Pearson r, Fisher z interval",
        }


def fisher_correlation(
    xs: Sequence[float], ys: Sequence[float]
) -> tuple[float | None, float | None, float | None]:
    """Pearson r of ``xs`` and ``ys`` and its 95% interval by Fisher's z: tanh(atanh r ± 1.96 /
    √(k − 3)). (None, None, None) below 4 pairs or when a side does not vary."""
    k = len(xs)
    if k < _MIN_CELLS or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None, None, None
    mean_x, mean_y = sum(xs) / k, sum(ys) / k
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    if abs(r) == 1.0:
        return r, r, r
    z = math.atanh(r)
    half = float(_st.norm.ppf(0.975)) / math.sqrt(k - 3)
    return r, math.tanh(z - half), math.tanh(z + half)


@dataclass
class ExCxLink:
    """The cells (team, period, EX and CX figures) and the correlations across them."""

    grain: str
    min_group: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    correlations: list[Correlation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grain": self.grain,
            "min_group": self.min_group,
            "rows": self.rows,
            "correlations": [c.to_dict() for c in self.correlations],
            "reading": "association, not cause",
        }


def _figure(
    value: float | None, n: int | None, low: float | None, high: float | None
) -> dict[str, Any]:
    def rounded(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {"value": rounded(value), "n": n, "ci_low": rounded(low), "ci_high": rounded(high)}


def ex_cx_link(
    engine: Engine,
    *,
    period: Period | None = None,
    grain: Grain = Grain.QUARTER,
    min_group: int = DEFAULT_MIN_GROUP,
    timezone: str | tzinfo | None = None,
) -> ExCxLink:
    """EX beside CX per customer-serving team and ``grain`` period (within ``period`` if
    given), and the correlation of each EX figure with each CX metric across the cells."""
    zone = get_zone(timezone)
    start, end = period.utc_bounds(zone) if period is not None else (None, None)
    ex: dict[tuple[str, str], dict[str, ExCell]] = {}
    for cell in ex_cells(engine, by="team", grain=grain, min_group=min_group, timezone=zone):
        if cell.group is None or cell.suppressed:
            continue
        if period is not None and not period.start <= Period.parse(cell.period).start < period.end:
            continue
        ex.setdefault((cell.group, cell.period), {})[cell.metric] = cell
    cx: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    # Only the periods that have EX cells can pair: the customer metrics are computed over
    # those alone (each period's figure is the same; the repeat rate sorts every contact of
    # the range it is asked for, so the range matters at 1M items), and not at all without.
    spans = [Period.parse(label) for _, label in ex]
    metrics = CX_METRICS if spans else ()
    if spans:
        first = min(span.start for span in spans)
        last = max(span.end for span in spans)
        if period is not None:
            first, last = max(first, period.start), min(last, period.end)
        start, end = Period(f"{first}..{last}", first, last).utc_bounds(zone)
    for metric in metrics:
        for found in compute(
            metric, engine, by=grain, segments=["team"], start=start, end=end, timezone=zone
        ):
            team = found.segment.get("team")
            if team is None or found.period is None or found.value is None:
                continue
            label = Period.of(found.period, grain).label
            cx.setdefault((str(team), label), {})[metric] = _figure(
                found.value, found.n, found.ci_low, found.ci_high
            )
    link = ExCxLink(grain=grain.value, min_group=min_group)
    for key in sorted(set(ex) & set(cx), key=lambda k: (Period.parse(k[1]).start, k[0])):
        team, label = key
        row: dict[str, Any] = {"team": team, "period": label}
        for metric in _EX_METRICS:
            shown = ex[key].get(metric)
            row[metric] = (
                _figure(shown.value, shown.n, shown.ci_low, shown.ci_high) if shown else None
            )
        for metric in CX_METRICS:
            row[metric] = cx[key].get(metric)
        link.rows.append(row)
    for ex_metric in _EX_METRICS:
        for cx_metric in CX_METRICS:
            pairs = [
                (row[ex_metric]["value"], row[cx_metric]["value"])
                for row in link.rows
                if row[ex_metric] and row[cx_metric]
            ]
            if not pairs:
                continue
            r, low, high = fisher_correlation([p[0] for p in pairs], [p[1] for p in pairs])
            link.correlations.append(Correlation(ex_metric, cx_metric, len(pairs), r, low, high))
    return link
