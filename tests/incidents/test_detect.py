"""Detection statistics checked against independent computations and by simulation: the
false-alarm rate on spike-free seasonal data, and the delay on planted spikes."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from otklik.incidents import DetectionRules, count_pvalues, detect_events, share_pvalues

WEEK = np.array([10, 11, 10, 9, 12, 5, 4], dtype=float)


def _predictive_sf(observed: int, history: list[int]) -> float:
    """P(X ≥ observed) with λ ~ Gamma(S + ½, rate w) and X | λ ~ Poisson(λ), integrated."""
    shape, rate = sum(history) + 0.5, len(history)

    def density(lam: float) -> float:
        return float(
            stats.poisson.sf(observed - 1, lam) * stats.gamma.pdf(lam, shape, scale=1 / rate)
        )

    value, _ = integrate.quad(density, 0, np.inf, limit=200)
    return float(value)


def test_count_pvalue_is_the_poisson_gamma_predictive() -> None:
    history = [3, 0, 2, 5, 1, 4, 2, 3]
    row = []
    for count in history:
        row.extend([count] + [0] * 6)
    row.append(9)
    p, expected = count_pvalues(np.array([row]), 7, weeks=8, min_weeks=3)
    assert p[0, -1] == pytest.approx(_predictive_sf(9, history), rel=1e-6)
    assert expected[0, -1] == pytest.approx((sum(history) + 0.5) / 8)
    assert np.isnan(p[0, 7 * 2])  # only two weeks before it: not tested


def test_share_pvalue_is_the_beta_binomial_predictive() -> None:
    low_hist, n_hist = [2, 1, 3, 0, 2, 1, 2, 1], [20, 18, 25, 15, 22, 19, 21, 20]
    low, scored = [], []
    for k, n in zip(low_hist, n_hist, strict=True):
        low.extend([k] + [0] * 6)
        scored.extend([n] + [0] * 6)
    low.append(9)
    scored.append(20)
    p, _ = share_pvalues(np.array([low]), np.array([scored]), 7)
    a, b = sum(low_hist) + 0.5, sum(n_hist) - sum(low_hist) + 0.5

    def density(q: float) -> float:
        return float(stats.binom.sf(8, 20, q) * stats.beta.pdf(q, a, b))

    value, _ = integrate.quad(density, 0, 1, limit=200)
    assert p[0, -1] == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize(("period", "alpha", "base"), [(7, 0.001, WEEK), (168, 0.0001, None)])
def test_false_alarms_on_spike_free_data_stay_under_the_chosen_rate(
    period: int, alpha: float, base: np.ndarray | None
) -> None:
    rng = np.random.default_rng(7)
    series, buckets = 300, 7 * 60 if period == 7 else 168 * 12
    if base is None:  # hours: a daytime shape times a weekly one
        hours = np.array([0.2] * 7 + [1.0] * 12 + [0.5] * 5)
        base = np.outer(WEEK / 10, hours).ravel()
    levels = rng.choice([0.3, 1.0, 4.0], size=series)[:, None]
    lam = levels * np.resize(base, buckets)[None, :]
    counts = rng.poisson(lam)
    p, _ = count_pvalues(counts, period)
    tested = ~np.isnan(p)
    alarms = int(((p < alpha) & tested & (counts >= 5)).sum())
    trials = int(tested.sum())
    # The discrete test is conservative: alarms ≤ alpha·trials plus three binomial sd.
    limit = alpha * trials + 3 * np.sqrt(alpha * trials)
    assert alarms <= limit, (alarms, trials)
    per_month = alarms / series / (trials / series / (30 if period == 7 else 720))
    assert per_month <= (30 if period == 7 else 720) * alpha * 1.5 + 0.05


def _events(
    rng: np.random.Generator, days: int, spike_day: int | None, extra: float
) -> pd.DataFrame:
    start = datetime(2025, 1, 6)
    rows = []
    for day in range(days):
        for topic, scale in (("login", 1.0), ("cards", 0.5)):
            lam = WEEK[day % 7] * scale
            n = rng.poisson(lam)
            times = list(rng.uniform(0, 86_400, n))
            if topic == "login" and spike_day is not None and day == spike_day:
                onset = 8 * 3600
                times += list(rng.uniform(onset, 86_400, rng.poisson(extra)))
            for second in times:
                rows.append(
                    {
                        "occurred_at": start + timedelta(days=day, seconds=float(second)),
                        "topic": [topic],
                        "type": None,
                        "channel": None,
                        "product": None,
                        "region": None,
                        "partner": None,
                        "score": None,
                        "scale": None,
                    }
                )
    return pd.DataFrame(rows)


def test_a_planted_spike_is_detected_the_day_it_starts() -> None:
    rng = np.random.default_rng(3)
    delays = []
    for trial in range(5):
        spike_day = 70 + trial
        events = _events(rng, 80, spike_day, extra=30)
        found = detect_events(
            events,
            since=datetime(2025, 1, 6) + timedelta(days=60),
            rules=DetectionRules(granularities=("day",), low_scores=False),
        )
        onset = datetime(2025, 1, 6) + timedelta(days=spike_day, hours=8)
        hits = [d for d in found if d.segment == "topic=login" and d.detected_at >= onset]
        assert hits, f"trial {trial}: not detected"
        first = min(hits, key=lambda d: d.detected_at)
        assert first.detected_at.date() == onset.date()
        assert first.to_dict()["key"] == "count/day/topic=login"
        delays.append((first.detected_at - onset).total_seconds() / 3600)
    assert max(delays) < 16
