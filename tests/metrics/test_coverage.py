"""The 95% intervals cover the true value at least 93% of the time at n = 10, 30 and 100,
including NPS near ±100, and the tests raise false alarms about 5% of the time or less —
measured by simulation (seeded) against the library's own functions.

Each interval is computed once per distinct outcome of the draws (counts), so tens of
thousands of draws cost a few hundred interval calls.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from otklik.metrics.stats import (
    Z,
    mean_sd,
    nps_difference_test,
    nps_interval,
    t_interval,
    two_proportion_test,
    wilson_interval,
)

DRAWS = 20_000
SIZES = (10, 30, 100)
# (promoters, passives, detractors): true NPS from +96 to −96, mid values, no-passive mixes.
NPS_TRUTHS = [
    (0.97, 0.02, 0.01),
    (0.01, 0.02, 0.97),
    (0.99, 0.005, 0.005),
    (0.90, 0.05, 0.05),
    (0.50, 0.30, 0.20),
    (1 / 3, 1 / 3, 1 / 3),
    (0.20, 0.10, 0.70),
]


def _nps_coverage(n: int, truth: tuple[float, float, float], seed: int, plain: bool) -> float:
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, truth, size=DRAWS)[:, [0, 2]]  # promoters, detractors
    outcomes, times = np.unique(counts, axis=0, return_counts=True)
    true_nps = 100 * (truth[0] - truth[2])
    covered = 0
    for (promoters, detractors), k in zip(outcomes, times, strict=True):
        if plain:  # the plain Wald interval otklik used before, for contrast
            pp, pd = promoters / n, detractors / n
            half = 100 * Z * math.sqrt(max(0.0, pp + pd - (pp - pd) ** 2) / n)
            low, high = 100 * (pp - pd) - half, 100 * (pp - pd) + half
        else:
            _, interval = nps_interval(float(promoters), float(detractors), float(n))
            low, high = interval.low, interval.high
        covered += k * (low <= true_nps <= high)
    return covered / DRAWS


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("truth", NPS_TRUTHS)
def test_nps_interval_covers(n: int, truth: tuple[float, float, float]) -> None:
    assert _nps_coverage(n, truth, seed=n * 1000 + int(truth[0] * 997), plain=False) >= 0.93


def test_the_plain_wald_interval_fails_where_the_adjusted_one_holds() -> None:
    # The check can fail: the old interval covers NPS = +96 about a quarter of the time at n = 10.
    assert _nps_coverage(10, (0.97, 0.02, 0.01), seed=7, plain=True) < 0.5


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("p", [0.03, 0.2, 0.5, 0.8, 0.97])
def test_wilson_interval_covers(n: int, p: float) -> None:
    rng = np.random.default_rng(n * 100 + round(p * 100))
    successes, times = np.unique(rng.binomial(n, p, size=DRAWS), return_counts=True)
    covered = 0
    for k, count in zip(successes, times, strict=True):
        interval = wilson_interval(float(k), float(n))
        covered += count * (interval.low <= p <= interval.high)
    assert covered / DRAWS >= 0.93


@pytest.mark.parametrize("n", SIZES)
def test_t_interval_covers_a_score_mean(n: int) -> None:
    """CSI on a 1–5 scale with a spread of answers. (Long-tailed values such as handle times
    under-cover at n = 10 — about 0.90 — which docs/metrics.md states.)"""
    probs = np.array([0.1, 0.1, 0.2, 0.3, 0.3])
    values = np.arange(1, 6)
    truth = float(values @ probs)
    rng = np.random.default_rng(n)
    counts = rng.multinomial(n, probs, size=DRAWS)
    sums = np.stack([counts @ values, counts @ values**2], axis=1)
    outcomes, times = np.unique(sums, axis=0, return_counts=True)
    covered = given = 0
    for (s1, s2), k in zip(outcomes, times, strict=True):
        mean, sd = mean_sd(float(n), float(s1), float(s2))
        if sd is None or sd == 0:
            continue  # "not enough data": no interval is claimed
        interval = t_interval(mean, sd, float(n))
        given += k
        covered += k * (interval.low <= truth <= interval.high)
    assert given > 0.99 * DRAWS
    assert covered / given >= 0.93


def test_adjusted_wald_matches_an_exact_enumeration() -> None:
    """The simulated coverage agrees with the exact one (all outcomes, multinomial weights)."""
    n, truth = 10, (0.97, 0.02, 0.01)
    exact = 0.0
    for promoters in range(n + 1):
        for detractors in range(n + 1 - promoters):
            weight = stats.multinomial.pmf(
                [promoters, n - promoters - detractors, detractors], n, truth
            )
            _, interval = nps_interval(promoters, detractors, n)
            exact += weight * (interval.low <= 96.0 <= interval.high)
    assert exact >= 0.95
    assert _nps_coverage(n, truth, seed=11, plain=False) == pytest.approx(exact, abs=0.01)


@pytest.mark.parametrize("n", (5, 10, 30, 100))
@pytest.mark.parametrize("truth", [(0.97, 0.02, 0.01), (0.5, 0.3, 0.2), (1 / 3, 1 / 3, 1 / 3)])
def test_nps_difference_test_keeps_its_false_alarm_rate(
    n: int, truth: tuple[float, float, float]
) -> None:
    """Two samples of one population: "significant at 5%" at most ~5% of the time."""
    rng = np.random.default_rng(n + int(truth[0] * 100))
    draws = 10_000
    a = rng.multinomial(n, truth, size=draws)[:, [0, 2]]
    b = rng.multinomial(n, truth, size=draws)[:, [0, 2]]
    pairs, times = np.unique(np.concatenate([a, b], axis=1), axis=0, return_counts=True)
    alarms = 0
    for (pa, da, pb, db), k in zip(pairs, times, strict=True):
        result = nps_difference_test((float(pa), float(da), n), (float(pb), float(db), n))
        assert result.p_value is not None
        alarms += k * (result.p_value < 0.05)
    assert alarms / draws <= 0.065


@pytest.mark.parametrize("n", (5, 10, 30, 100))
@pytest.mark.parametrize("p", (0.03, 0.2, 0.5))
def test_proportion_test_keeps_its_false_alarm_rate(n: int, p: float) -> None:
    rng = np.random.default_rng(n * 7 + round(p * 100))
    draws = 10_000
    pairs, times = np.unique(
        np.stack([rng.binomial(n, p, draws), rng.binomial(n, p, draws)], axis=1),
        axis=0,
        return_counts=True,
    )
    alarms = sum(
        k * (two_proportion_test(float(x), n, float(y), n).p_value < 0.05)  # type: ignore[operator]
        for (x, y), k in zip(pairs, times, strict=True)
    )
    assert alarms / draws <= 0.065
