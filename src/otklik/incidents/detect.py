"""Spike detection: a seasonal Poisson–gamma baseline per series, tested in the upper tail.

Each series is a count of items per bucket (a day or an hour, cut in the reporting time zone)
for one value of one field: a topic, the type ``complaint``, a channel, product, region or
partner. Its baseline for a bucket is the same weekday (days) or the same hour of the same
weekday (hours) over the previous ``weeks`` weeks (8 by default): weekly seasonality is
respected by construction, and a trend slower than a few weeks is followed.

Low counts are handled by the predictive distribution rather than a normal approximation. With
``S`` items in those ``w`` buckets and a Jeffreys-like gamma prior (shape ½), the next bucket's
count is negative binomial with ``r = S + ½`` and ``p = w / (w + 1)`` (mean ``(S + ½) / w``):
the uncertainty of an 8-point baseline is in the tail, so a quiet series with 0–2 items a day
does not alarm on its third. The p-value is ``P(X ≥ observed)``; a bucket alarms when it is
below ``alpha`` (0.001 for days, 0.0001 for hours) and holds at least ``min_count`` items.
Under a Poisson series that gives at most ``alpha`` false alarms per bucket (the discrete test
is conservative): about 0.03 a month per daily series, 0.07 per hourly series.

The share of low scores (a scale's *low* band: NPS 0–6, CSAT 1–2, …) is tested the same way
with a beta-binomial predictive: ``k`` low of ``n`` scored against ``K`` of ``N`` in the
baseline buckets, ``P(X ≥ k)`` under BetaBinomial(n, K + ½, N − K + ½).

A run of consecutive alarming buckets is one detection. ``started_at`` is the start of the run,
extended back over buckets already above their baseline at the 5% level (the onset);
``detected_at`` is the moment the item that pushed the first alarming bucket over its
threshold arrived, so on a store fed continuously it is when the alarm went off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import Engine, func, select

from otklik.errors import ConfigError
from otklik.incidents.events import load_events, topics_of
from otklik.incidents.tails import PRIOR, count_pvalues, share_pvalues
from otklik.ledger import FeedbackItem
from otklik.types import SCALES

__all__ = [
    "DETECTION_FIELDS",
    "GRANULARITIES",
    "Detection",
    "DetectionRules",
    "detect",
    "detect_events",
]

DETECTION_FIELDS = ("topic", "type", "channel", "product", "region", "partner")
GRANULARITIES = ("day", "hour")
_PERIOD = {"day": 7, "hour": 168}
_STEP = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
_ONSET_ALPHA = 0.05


@dataclass(frozen=True)
class DetectionRules:
    """The knobs (docs/incidents.md, "Tuning"): baseline weeks, false-alarm rates, floors."""

    weeks: int = 8
    min_weeks: int = 3
    alpha_day: float = 0.001
    alpha_hour: float = 0.0001
    min_count: int = 5
    fields: tuple[str, ...] = DETECTION_FIELDS
    types: tuple[str, ...] = ("complaint",)
    granularities: tuple[str, ...] = GRANULARITIES
    low_scores: bool = True

    def alpha(self, granularity: str) -> float:
        return self.alpha_day if granularity == "day" else self.alpha_hour

    def check(self) -> None:
        if not 1 <= self.min_weeks <= self.weeks <= 52:
            raise ConfigError("weeks must be 1–52 and at least min_weeks")
        if not (0 < self.alpha_day < 0.5 and 0 < self.alpha_hour < 0.5):
            raise ConfigError("a false-alarm rate (alpha) must be between 0 and 0.5")
        unknown = set(self.fields) - set(DETECTION_FIELDS)
        if unknown:
            raise ConfigError(f"unknown detection field(s): {', '.join(sorted(unknown))}")
        bad = set(self.granularities) - set(GRANULARITIES)
        if bad:
            raise ConfigError(f"unknown granularity: {', '.join(sorted(bad))} (day or hour)")


@dataclass
class Detection:
    """One spike: a run of alarming buckets of one series."""

    key: str
    segment: str
    metric: str
    granularity: str
    field: str
    value: str
    started_at: datetime
    detected_at: datetime
    ended_at: datetime
    observed: int
    expected: float
    p_value: float
    ongoing: bool
    status: str = ""
    incident_id: int | None = None

    @property
    def score(self) -> float:
        """Surprise: −log10 of the smallest p-value in the run (3 = one in a thousand)."""
        return round(-math.log10(max(self.p_value, 1e-300)), 2)

    def to_dict(self) -> dict[str, Any]:
        """The issue's contract: key, segment, started_at, detected_at, observed, expected,
        score, status (times as UTC ISO 8601)."""
        return {
            "key": self.key,
            "segment": self.segment,
            "started_at": _iso(self.started_at),
            "detected_at": _iso(self.detected_at),
            "observed": self.observed,
            "expected": round(self.expected, 2),
            "score": self.score,
            "status": self.status,
        }


def _iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _bad(events: pd.DataFrame) -> pd.Series:
    scale = events["scale"].astype("object")
    score = pd.to_numeric(events["score"], errors="coerce")
    low = pd.Series(False, index=events.index)
    for name, spec in SCALES.items():
        low |= (scale == name) & (score <= spec.low_max)
    return low


def _long(events: pd.DataFrame, rules: DetectionRules) -> pd.DataFrame:
    """One row per (item, field, value): topics exploded, only complaint types kept."""
    parts = []
    base = events[["occurred_at", "local", "low", "scored"]]
    for name in rules.fields:
        if name not in events:
            continue
        values = events["topic"].explode() if name == "topic" else events[name]
        values = values.dropna()
        values = values[values.astype(str).str.len() > 0]
        if name == "type":
            values = values[values.isin(rules.types)]
        frame = base.loc[values.index].copy()
        frame["field"] = name
        frame["value"] = values.astype(str).to_numpy()
        parts.append(frame)
    if rules.low_scores:
        frame = base[events["scored"]].copy()
        frame["field"] = "all"
        frame["value"] = "*"
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=["occurred_at", "local", "low", "scored", "field", "value"])
    return pd.concat(parts, ignore_index=True)


def _bucket_index(local: pd.Series, origin: pd.Timestamp, granularity: str) -> np.ndarray:
    delta = (local - origin).to_numpy()
    unit = np.timedelta64(1, "D") if granularity == "day" else np.timedelta64(1, "h")
    return (delta // unit).astype(np.int64)


def detect_events(
    events: pd.DataFrame,
    *,
    since: datetime,
    until: datetime | None = None,
    rules: DetectionRules | None = None,
    timezone: str = "UTC",
) -> list[Detection]:
    """Spikes in ``events`` (one row per item: ``occurred_at`` naive UTC, ``topic`` a list,
    ``type``, ``channel``, ``product``, ``region``, ``partner``, ``score``, ``scale``) whose
    alarm went off at or after ``since`` (naive UTC), up to ``until`` (default: the last item).
    """
    rules = rules or DetectionRules()
    rules.check()
    if events.empty:
        return []
    events = events.copy()
    occurred = pd.to_datetime(events["occurred_at"])
    events["occurred_at"] = occurred
    local = occurred.dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
    events["local"] = local
    events["scored"] = events["scale"].isin(list(SCALES)) & events["score"].notna()
    events["low"] = _bad(events)
    if "topic" in events:
        events["topic"] = events["topic"].map(topics_of)
    end = pd.Timestamp(until) if until is not None else occurred.max()
    long = _long(events, rules)
    if long.empty:
        return []
    found: list[Detection] = []
    for granularity in rules.granularities:
        origin = local.min().floor("D")
        origin -= pd.Timedelta(days=origin.weekday())  # buckets line up with weeks
        found.extend(_detect_one(long, origin, granularity, rules, since, end, timezone))
    found.sort(key=lambda d: (d.detected_at, d.key))
    return found


def _to_utc(local: pd.Timestamp, timezone: str) -> datetime:
    stamp = pd.Timestamp(local).tz_localize(timezone, nonexistent="shift_forward", ambiguous=True)
    result: datetime = stamp.tz_convert("UTC").tz_localize(None).to_pydatetime()
    return result


def _detect_one(
    long: pd.DataFrame,
    origin: pd.Timestamp,
    granularity: str,
    rules: DetectionRules,
    since: datetime,
    end: pd.Timestamp,
    timezone: str,
) -> list[Detection]:
    period = _PERIOD[granularity]
    buckets = _bucket_index(long["local"], origin, granularity)
    end_local = end.tz_localize("UTC").tz_convert(timezone).tz_localize(None)
    last = int((end_local - origin) // pd.Timedelta(_STEP[granularity]))
    keep = buckets <= last
    long = long[keep]
    buckets = buckets[keep]
    width = last + 1
    alpha = rules.alpha(granularity)
    found: list[Detection] = []
    for metric in ("count", "low_score"):
        if metric == "low_score":
            if not rules.low_scores or granularity != "day":
                continue
            rows = long["scored"].to_numpy(dtype=bool)
        else:
            rows = (long["field"] != "all").to_numpy()
        sub = long[rows]
        sub_buckets = buckets[rows]
        if sub.empty:
            continue
        labels_index = pd.MultiIndex.from_arrays([sub["field"], sub["value"]])
        codes, uniques = pd.factorize(labels_index)
        count = len(uniques)
        flat = codes.astype(np.int64) * width + sub_buckets
        totals = np.bincount(flat, minlength=count * width).reshape(count, width)
        lows = None
        if metric == "count":
            p, expected = count_pvalues(
                totals, period, weeks=rules.weeks, min_weeks=rules.min_weeks
            )
            observed = totals
        else:
            low_flat = flat[sub["low"].to_numpy(dtype=bool)]
            lows = np.bincount(low_flat, minlength=count * width).reshape(count, width)
            p, expected = share_pvalues(
                lows, totals, period, weeks=rules.weeks, min_weeks=rules.min_weeks
            )
            observed = lows
        alarm = (np.nan_to_num(p, nan=1.0) < alpha) & (observed >= rules.min_count)
        if not alarm.any():
            continue
        times = sub["occurred_at"].to_numpy()
        low_flags = sub["low"].to_numpy(dtype=bool)
        raised = np.nan_to_num(p, nan=1.0) < _ONSET_ALPHA
        elevated = alarm | (raised & (observed > np.nan_to_num(expected, nan=np.inf)))
        for series, bucket in zip(*np.nonzero(alarm), strict=True):
            onset = bucket
            while onset - 1 >= 0 and elevated[series, onset - 1]:
                onset -= 1
            if alarm[series, onset:bucket].any():
                continue  # the same spike, already detected at an earlier bucket
            run_end = bucket
            while run_end + 1 < width and elevated[series, run_end + 1]:
                run_end += 1
            field_name, value = uniques[series]
            mask = (codes == series) & (sub_buckets == bucket)
            detected = _alarm_time(
                times[mask],
                low_flags[mask] if metric == "low_score" else None,
                p_of=_threshold(metric, totals, lows, series, bucket, period, rules),
                alpha=alpha,
                min_count=rules.min_count,
            )
            if detected is None or detected < since:
                continue
            run = slice(bucket, run_end + 1)
            step = pd.Timedelta(_STEP[granularity])
            segment = "*" if field_name == "all" else f"{field_name}={value}"
            found.append(
                Detection(
                    key=f"{metric}/{granularity}/{segment}",
                    segment=segment,
                    metric=metric,
                    granularity=granularity,
                    field=field_name,
                    value=str(value),
                    started_at=_to_utc(origin + onset * step, timezone),
                    detected_at=detected,
                    ended_at=_to_utc(origin + (run_end + 1) * step, timezone),
                    observed=int(observed[series, run].sum()),
                    expected=float(np.nansum(expected[series, run])),
                    p_value=float(np.nanmin(p[series, run])),
                    ongoing=run_end == width - 1,
                )
            )
    return found


def _threshold(
    metric: str,
    totals: np.ndarray,
    lows: np.ndarray | None,
    series: int,
    bucket: int,
    period: int,
    rules: DetectionRules,
) -> Any:
    """A function of (count so far, low so far) giving the p-value of that prefix."""
    weeks = [bucket - w * period for w in range(1, rules.weeks + 1) if bucket - w * period >= 0]
    if metric == "count":
        r = float(totals[series, weeks].sum()) + PRIOR
        q = len(weeks) / (len(weeks) + 1.0)
        return lambda n, k: stats.nbinom.sf(n - 1, r, q)
    assert lows is not None
    big_k = float(lows[series, weeks].sum())
    big_n = float(totals[series, weeks].sum())
    a, b = big_k + PRIOR, max(big_n - big_k, 0.0) + PRIOR
    return lambda n, k: stats.betabinom.sf(k - 1, n, a, b)


def _alarm_time(
    times: np.ndarray,
    low: np.ndarray | None,
    *,
    p_of: Any,
    alpha: float,
    min_count: int,
) -> datetime | None:
    """When the bucket's alarm went off: the arrival of the item whose prefix first tested
    below ``alpha`` (with at least ``min_count`` items, or low scores, so far)."""
    order = np.argsort(times, kind="stable")
    times = times[order]
    n = np.arange(1, len(times) + 1)
    k = n if low is None else np.cumsum(low[order])
    p = p_of(n, k)
    hits = np.nonzero((p < alpha) & (k >= min_count))[0]
    if not len(hits):
        return None
    result: datetime = pd.Timestamp(times[hits[0]]).floor("s").to_pydatetime()
    return result


def detect(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    rules: DetectionRules | None = None,
    timezone: str = "UTC",
) -> list[Detection]:
    """Spikes detected from ``since`` (default: a week before the last item) up to ``until``
    (default: the last item), with their status against the incidents on record."""
    rules = rules or DetectionRules()
    rules.check()
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(FeedbackItem.occurred_at))).scalar()
    if latest is None:
        return []
    end = until or latest
    start = since or (end - timedelta(days=7))
    history = start - timedelta(days=7 * rules.weeks + 8)
    events = load_events(engine, since=history, until=end)
    found = detect_events(events, since=start, until=end, rules=rules, timezone=timezone)
    from otklik.incidents.active import mark_status

    mark_status(engine, found)
    return found
