"""Gaming detection: a KPI far better than peers while a guardrail is far worse than peers.

The rule (docs/kpi.md has the reasoning):

1. Peers. Agents are compared with the other agents of their team, teams with the other teams,
   always inside the KPI's own scope (e.g. calls only) and period. A unit takes part only with
   at least ``min_n`` observations of the metric, and a peer group needs ``min_peers`` units.
2. Robust z. For each metric, z = (value − median of the group) / scale, with
   scale = max(1.4826 · MAD, median standard error of the units). The median and the MAD are
   not dragged by the outlier being looked for (a mean and an SD would be); 1.4826 · MAD equals
   the SD for normal data; the standard-error floor keeps a group of near-identical units from
   turning sampling noise into huge z.
3. Flag. The KPI is better than peers with z ≥ ``kpi_z`` in its good direction, and at least one
   guardrail is worse than peers with z ≥ ``guardrail_z`` in its bad direction, further from the
   peer median than its tolerance, and significantly worse than the rest of the group together
   by the metric's own test (p < ``alpha``). Being fast alone is never flagged.

Every flag carries its evidence: each metric's value, n, interval, the peer median and scale,
the robust z, and for the guardrails the rest of the group's value and the p-value.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from otklik.kpi.definitions import GamingRule, GuardrailDef, KpiDef
from otklik.kpi.frames import Span, Unavailable, fetch
from otklik.metrics import MetricRow, MetricSource, Slice, TableRole, compare, get_metric
from otklik.metrics.query import SEGMENT_FIELDS

__all__ = [
    "LEVELS",
    "MAD_TO_SD",
    "GamingFlag",
    "PeerFigure",
    "detect_peer_gaming",
    "robust_z",
]

LEVELS: tuple[str, ...] = ("agent", "team")
MAD_TO_SD = 1.4826
_Z95 = 1.959964


@dataclass(frozen=True)
class PeerFigure:
    """One unit's metric against its peer group."""

    value: float
    n: int
    ci_low: float | None
    ci_high: float | None
    peer_median: float
    peer_scale: float
    robust_z: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "n": self.n,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "peer_median": self.peer_median,
            "peer_scale": self.peer_scale,
            "robust_z": self.robust_z,
        }


@dataclass(frozen=True)
class GamingFlag:
    """A unit whose KPI looks good for a reason its guardrails contradict."""

    scope: dict[str, Any]
    metric: str
    kpi: str
    signals: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "metric": self.metric,
            "signals": self.signals,
            "evidence": self.evidence,
        }


def _standard_error(row: MetricRow) -> float | None:
    if row.ci_low is None or row.ci_high is None:
        return None
    return (row.ci_high - row.ci_low) / (2 * _Z95)


def robust_z(
    values: Sequence[float], standard_errors: Sequence[float] = ()
) -> tuple[list[float], float, float]:
    """Robust z of each value, the median and the scale (see the module's docstring).

    A scale of 0 (every value equal, no standard errors) gives z = 0 for everyone.
    """
    median = statistics.median(values)
    mad = statistics.median(abs(value - median) for value in values)
    floor = statistics.median(standard_errors) if standard_errors else 0.0
    scale = max(MAD_TO_SD * mad, floor)
    if scale <= 0:
        return [0.0 for _ in values], median, 0.0
    return [(value - median) / scale for value in values], median, scale


Key = tuple[Any, ...]


def _figures(
    rows: Mapping[Key, MetricRow], units: Sequence[Key], rule: GamingRule
) -> dict[Key, PeerFigure]:
    values_of = {
        u: row.value
        for u in units
        if (row := rows.get(u)) is not None and row.value is not None and row.n >= rule.min_n
    }
    usable = list(values_of)
    if len(usable) < rule.min_peers:
        return {}
    values = [float(value) for value in values_of.values() if value is not None]
    errors = [e for u in usable if (e := _standard_error(rows[u])) is not None]
    zs, median, scale = robust_z(values, errors)
    return {
        u: PeerFigure(value, rows[u].n, rows[u].ci_low, rows[u].ci_high, median, scale, z)
        for u, value, z in zip(usable, values, zs, strict=True)
    }


def _signal(metric: str, figure: PeerFigure) -> str:
    side = "below" if figure.value < figure.peer_median else "above"
    return f"{metric}_{side}_peers"


@dataclass(frozen=True)
class _Level:
    kpi: KpiDef
    level: str
    group_fields: tuple[str, ...]
    span: Span
    rule: GamingRule

    @property
    def segments(self) -> list[str]:
        return [*self.group_fields, self.level]

    def scope(self, key: Key) -> dict[str, Any]:
        named = {f: v for f, v in zip(self.segments, key, strict=True) if v is not None}
        return {**self.kpi.filters, **named}


def _guard_test(
    source: MetricSource, at: _Level, guard: GuardrailDef, key: Key, peers: Sequence[Key]
) -> tuple[float | None, float | None]:
    """The guardrail for the unit against the rest of its group: (rest's value, p-value)."""
    rest = [peer[-1] for peer in peers if peer != key]
    group = dict(zip(at.group_fields, key[:-1], strict=True))
    result = compare(
        guard.name,
        source,
        Slice("peers", filters={at.level: rest}),
        Slice(str(key[-1]), filters={at.level: key[-1]}),
        filters={**at.kpi.filters, **group},
        start=at.span.start,
        end=at.span.end,
        window_days=guard.window_days,
        alpha=at.rule.alpha,
    )
    return result.a.value, result.p_value


def _flags_in_group(
    source: MetricSource,
    at: _Level,
    units: Sequence[Key],
    kpi_rows: Mapping[Key, MetricRow],
    guard_rows: Sequence[tuple[GuardrailDef, Mapping[Key, MetricRow]]],
) -> list[GamingFlag]:
    kpi, rule = at.kpi, at.rule
    figures = _figures(kpi_rows, units, rule)
    sign = -1.0 if kpi.lower_is_better else 1.0
    candidates = [u for u, f in figures.items() if sign * f.robust_z >= rule.kpi_z]
    if not candidates:
        return []
    guard_figures = [(guard, _figures(rows, units, rule)) for guard, rows in guard_rows]
    flags = []
    for key in candidates:
        evidence: dict[str, Any] = {kpi.metric: figures[key].to_dict()}
        signals = [_signal(kpi.metric, figures[key])]
        for guard, by_unit in guard_figures:
            figure = by_unit.get(key)
            if figure is None:
                continue
            guard_sign = 1.0 if get_metric(guard.name).higher_is_better is False else -1.0
            entry = figure.to_dict()
            entry["broken"] = False
            evidence[guard.name] = entry
            far = guard_sign * figure.robust_z >= rule.guardrail_z
            beyond = guard_sign * (figure.value - figure.peer_median) > (guard.tolerance or 0.0)
            if not (far and beyond):
                continue
            rest, p = _guard_test(source, at, guard, key, list(by_unit))
            entry.update(rest_value=rest, p_value=p)
            if p is not None and p < rule.alpha:
                entry["broken"] = True
                signals.append(_signal(guard.name, figure))
        if len(signals) > 1:
            scope = at.scope(key)
            flags.append(
                GamingFlag(
                    scope,
                    kpi.metric,
                    kpi.name,
                    signals,
                    {
                        "kpi": kpi.name,
                        "level": at.level,
                        "period": at.span.to_dict(),
                        "peer_group": {k: v for k, v in at.scope(key).items() if k != at.level},
                        "peers": len(figures),
                        "metrics": evidence,
                        "items": scope,
                    },
                )
            )
    return flags


def _level_flags(source: MetricSource, at: _Level) -> list[GamingFlag]:
    kpi = at.kpi
    kpi_rows = fetch(
        source,
        kpi.metric,
        at.span,
        filters=kpi.filters,
        segments=at.segments,
        window_days=kpi.window_days,
    )
    if isinstance(kpi_rows, Unavailable):
        return []
    guard_rows: list[tuple[GuardrailDef, Mapping[Key, MetricRow]]] = []
    for guard in kpi.guardrails:
        if guard.metric is None or get_metric(guard.metric).table is not TableRole.ITEMS:
            continue
        rows = fetch(
            source,
            guard.metric,
            at.span,
            filters=kpi.filters,
            segments=at.segments,
            window_days=guard.window_days,
        )
        if not isinstance(rows, Unavailable):
            guard_rows.append((guard, rows))
    if not guard_rows:
        return []
    groups: dict[Key, list[Key]] = defaultdict(list)
    for key in kpi_rows:
        if key[-1] is not None:
            groups[key[:-1]].append(key)
    flags = []
    for units in groups.values():
        flags += _flags_in_group(source, at, units, kpi_rows, guard_rows)
    return flags


def detect_peer_gaming(
    source: MetricSource,
    kpi: KpiDef,
    span: Span,
    rule: GamingRule,
    *,
    levels: Sequence[str] = LEVELS,
) -> list[GamingFlag]:
    """Agents (within their team) and teams whose ``kpi`` is gamed, in ``span``."""
    if kpi.spec.table is not TableRole.ITEMS:
        return []
    flags: list[GamingFlag] = []
    allowed = SEGMENT_FIELDS[TableRole.ITEMS]
    for level in levels:
        if level not in allowed or level in kpi.filters:
            continue
        grouped = level == "agent" and "team" not in kpi.filters
        at = _Level(kpi, level, ("team",) if grouped else (), span, rule)
        flags += _level_flags(source, at)
    return flags
