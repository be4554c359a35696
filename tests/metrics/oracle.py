"""Expected values computed straight from the rows, without otklik.metrics.

Row selection is written out per metric from the issue's definitions; intervals come from
scipy (``binomtest(...).proportion_ci(method="wilson")``, ``t.interval``, ``quantile_test``)
and numpy, not from otklik's formulas.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from scipy import stats

Row = dict[str, Any]
Expected = tuple[
    date | None, tuple[Any, ...], float | None, int, float | None, float | None, tuple[str, ...]
]
Z = stats.norm.ppf(0.975)


def period_of(moment: datetime, by: str) -> date | None:
    day = moment.date()
    return {
        "all": None,
        "day": day,
        "week": day - timedelta(days=day.weekday()),
        "month": date(day.year, day.month, 1),
        "quarter": date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
        "year": date(day.year, 1, 1),
    }[by]


def _scored(row: Row, scale: str) -> bool:
    customer = row["kind"] not in ("employee", "exit")
    return row["scale"] == scale and row["score"] is not None and customer


def _contact(row: Row) -> bool:
    return row["kind"] == "contact"


BASES: dict[str, Callable[[Row, dict[str, Any]], bool]] = {
    "nps": lambda r, p: _scored(r, "nps"),
    "enps": lambda r, p: r["scale"] == "nps" and r["score"] is not None and r["kind"] == "employee",
    "ecsi": lambda r, p: (
        r["scale"] == (p.get("scale") or "csat5")
        and r["score"] is not None
        and r["kind"] == "employee"
    ),
    "exit_nps": lambda r, p: r["scale"] == "nps" and r["score"] is not None and r["kind"] == "exit",
    "csat": lambda r, p: _scored(r, p.get("scale") or "csat5"),
    "csi": lambda r, p: _scored(r, p.get("scale") or "csat5"),
    "ces": lambda r, p: _scored(r, "ces7"),
    "ces_easy": lambda r, p: _scored(r, "ces7"),
    "aht": lambda r, p: _contact(r) and r["handle_time_s"] is not None,
    "aht_median": lambda r, p: _contact(r) and r["handle_time_s"] is not None,
    "aht_p90": lambda r, p: _contact(r) and r["handle_time_s"] is not None,
    "transfer_rate": lambda r, p: _contact(r) and r["transfers"] is not None,
    "agent_hangup_rate": lambda r, p: _contact(r) and r["ended_by"] is not None,
    "fcr": lambda r, p: _contact(r) and r["customer_id"] is not None,
    "repeat_rate": lambda r, p: _contact(r) and r["customer_id"] is not None,
    "response_rate": lambda r, p: True,
}


def _top(p: dict[str, Any]) -> float:
    if p.get("top_box") is not None:
        return float(p["top_box"])
    return 9.0 if p.get("scale") == "csat10" else 4.0


SUCCESS: dict[str, Callable[[Row, dict[str, Any]], bool]] = {
    "csat": lambda r, p: r["score"] >= _top(p),
    "ces_easy": lambda r, p: r["score"] >= 5,
    "transfer_rate": lambda r, p: r["transfers"] >= 1,
    "agent_hangup_rate": lambda r, p: r["ended_by"] == "agent",
    "response_rate": lambda r, p: r["answered_at"] is not None,
}


def _flags(n: int, extra: Sequence[str] = ()) -> tuple[str, ...]:
    return (("small_sample",) if n < 30 else ()) + tuple(extra)


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return 100 * ci.low, 100 * ci.high


def _value(metric: str, rows: list[Row], p: dict[str, Any]) -> tuple[float | None, ...]:
    n = len(rows)
    if metric in ("nps", "enps", "exit_nps"):
        promoters = sum(r["score"] >= 9 for r in rows)
        detractors = sum(r["score"] <= 6 for r in rows)
        value = 100 * (promoters - detractors) / n
        # Rocks (2016) adjusted Wald: n + 3, promoters + 3/4, detractors + 3/4.
        pp, pd = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
        se = 100 * math.sqrt((pp + pd - (pp - pd) ** 2) / (n + 3))
        centre = 100 * (pp - pd)
        low, high = max(-100.0, centre - Z * se), min(100.0, centre + Z * se)
        # widened to reach the value shown where the adjusted interval leaves it out (tiny n)
        return value, min(low, value), max(high, value)
    if metric in SUCCESS:
        k = sum(bool(SUCCESS[metric](r, p)) for r in rows)
        return (100 * k / n, *_wilson(k, n))
    column = "handle_time_s" if metric.startswith("aht") else "score"
    x = np.array([r[column] for r in rows], dtype=float)
    if metric in ("aht_median", "aht_p90"):
        q = 0.5 if metric == "aht_median" else 0.9
        ci = stats.quantile_test(x, q=float(np.quantile(x, q)), p=q).confidence_interval(0.95)
        low, high = (None if math.isnan(v) else float(v) for v in (ci.low, ci.high))
        return float(np.quantile(x, q)), low, high
    mean = float(x.mean())
    if n < 2:
        return mean, None, None
    if stats.sem(x) == 0:  # all values equal: no honest interval
        return mean, None, None
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(x))
    return mean, float(low), float(high)


def _resolved(items: list[Row], window: timedelta) -> dict[int, bool]:
    """For each contact (by index): True if no contact of the same customer in (t, t + w]."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for row in items:
        if _contact(row) and row["customer_id"] is not None:
            times[row["customer_id"]].append(row["occurred_at"])
    for moments in times.values():
        moments.sort()
    out = {}
    for i, row in enumerate(items):
        if _contact(row) and row["customer_id"] is not None:
            moments = times[row["customer_id"]]
            j = bisect.bisect_right(moments, row["occurred_at"])
            out[i] = not (j < len(moments) and moments[j] <= row["occurred_at"] + window)
    return out


def expected_items(
    metric: str,
    items: list[Row],
    *,
    by: str = "all",
    segments: Sequence[str] = (),
    filters: dict[str, Any] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    time_column: str = "occurred_at",
    **params: Any,
) -> list[Expected]:
    filters = filters or {}
    window = timedelta(days=params.get("window_days") or 7)
    repeat = metric in ("fcr", "repeat_rate")
    resolved = _resolved(items, window) if repeat else {}
    contacts = [r["occurred_at"] for r in items if repeat and _contact(r)]
    data_end = max(contacts, default=None)
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, row in enumerate(items):
        if not BASES[metric](row, params):
            continue
        moment = row[time_column]
        if (start and moment < start) or (end and moment >= end):
            continue
        if any(row.get(f) not in (v if isinstance(v, list) else [v]) for f, v in filters.items()):
            continue
        groups[(period_of(moment, by), tuple(row.get(s) for s in segments))].append(i)
    out: list[Expected] = []
    for (period, segment), members in groups.items():
        rows = [items[i] for i in members]
        extra: tuple[str, ...] = ()
        if metric in ("fcr", "repeat_rate"):
            k = sum(resolved[i] for i in members)
            if metric == "repeat_rate":
                k = len(members) - k
            value: tuple[float | None, ...] = (100 * k / len(rows), *_wilson(k, len(rows)))
            last = max(r["occurred_at"] for r in rows)
            assert data_end is not None
            extra = ("censored",) if last + window > data_end else ()
        else:
            value = _value(metric, rows, params)
        out.append(
            (period, segment, value[0], len(rows), value[1], value[2], _flags(len(rows), extra))
        )
    return sorted(out, key=lambda e: (e[0] or date.min, [(v is None, str(v)) for v in e[1]]))


def expected_churn(
    metric: str,
    customers: list[Row],
    periods: list[tuple[datetime, datetime]],
    *,
    by: str,
    segments: Sequence[str] = (),
) -> list[Expected]:
    out: list[Expected] = []
    for start, end in periods:
        base: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
        for c in customers:
            if c["started_at"] is None or c["started_at"] >= start:
                continue
            if c["churned_at"] is not None and c["churned_at"] < start:
                continue
            if metric == "revenue_churn" and c["revenue"] is None:
                continue
            base[tuple(c.get(s) for s in segments)].append(c)
        for segment, members in base.items():
            y = np.array([m["churned_at"] is not None and m["churned_at"] < end for m in members])
            n = len(members)
            period = None if by == "all" else start.date()
            if metric == "churn_rate":
                k = int(y.sum())
                low, high = _wilson(k, n)
                out.append((period, segment, 100 * k / n, n, low, high, _flags(n)))
                continue
            w = np.array([m["revenue"] for m in members], dtype=float)
            r = float((w * y).sum() / w.sum())
            se = math.sqrt(n / (n - 1) * float((w**2 * (y - r) ** 2).sum())) / w.sum()
            out.append(
                (
                    period,
                    segment,
                    100 * r,
                    n,
                    100 * max(0.0, r - Z * se),
                    100 * min(1.0, r + Z * se),
                    _flags(n),
                )
            )
    return sorted(out, key=lambda e: (e[0] or date.min, [(v is None, str(v)) for v in e[1]]))


def assert_matches(actual: Sequence[Any], expected: list[Expected], *, rel: float = 1e-9) -> None:
    """Compare ``MetricRow`` objects with expected tuples (numbers to ``rel``)."""
    got = [
        (r.period, tuple(r.segment.values()), r.value, r.n, r.ci_low, r.ci_high, r.flags)
        for r in actual
    ]
    assert [g[:2] for g in got] == [e[:2] for e in expected], "groups differ"
    for g, e in zip(got, expected, strict=True):
        where = f"{g[0]} {g[1]}"
        assert g[3] == e[3], f"n differs at {where}"
        assert g[6] == e[6], f"flags differ at {where}"
        for a, b, name in zip(g[2:6:1], e[2:6:1], ("value", "n", "ci_low", "ci_high"), strict=True):
            if b is None or a is None:
                assert a is b, f"{name} at {where}: {a} != {b}"
            else:
                assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-9), f"{name} at {where}"
