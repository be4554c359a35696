"""The statistics against scipy, published examples and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from otklik.metrics.stats import (
    Z,
    mean_sd,
    newcombe_difference,
    nps_difference_test,
    nps_interval,
    quantile_ci_ranks,
    quantile_estimate_ranks,
    ratio_difference_test,
    ratio_interval,
    ratio_se,
    t_interval,
    two_proportion_test,
    welch_test,
    wilson_interval,
)


def test_z_is_the_normal_quantile() -> None:
    assert abs(Z - 1.959964) < 1e-6
    assert float(stats.norm.ppf(0.975)) == Z  # written out as scipy computes it


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (56, 70), (1, 1000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    got = wilson_interval(k, n)
    assert got.low == pytest.approx(expected.low, abs=1e-12)
    assert got.high == pytest.approx(expected.high, abs=1e-12)


def test_nps_interval_is_rocks_adjusted_wald() -> None:
    # Rocks (2016): 3 answers of 10 → n' = 6, p'P = 3.75/6, p'D = 0.75/6, NPS' = 0.5,
    # Var = (0.75 − 0.25)/6, interval 100·(0.5 ± 1.96·0.288675) = −6.58 … 106.58 → ≤ 100.
    value, interval = nps_interval(3, 0, 3)
    assert value == 100
    assert interval.low == pytest.approx(100 * (0.5 - Z * math.sqrt(0.5 / 6)))
    assert interval.high == 100.0
    assert interval.low < interval.high  # never a point at the boundary
    value, interval = nps_interval(0, 2, 2)
    assert value == -100 and interval.low == -100.0 and interval.high > -100
    # A published-style mid case: 30 promoters, 20 detractors of 100.
    pp, pd = 30.75 / 103, 20.75 / 103
    half = Z * math.sqrt((pp + pd - (pp - pd) ** 2) / 103)
    _, interval = nps_interval(30, 20, 100)
    assert (interval.low, interval.high) == pytest.approx(
        (100 * (pp - pd - half), 100 * (pp - pd + half))
    )


def test_mean_and_t_interval_match_scipy() -> None:
    x = np.array([3.0, 5.0, 4.0, 4.5, 7.25, 1.0])
    mean, sd = mean_sd(len(x), x.sum(), (x * x).sum())
    assert sd is not None
    assert mean == pytest.approx(x.mean()) and sd == pytest.approx(x.std(ddof=1))
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    got = t_interval(mean, sd, len(x))
    assert (got.low, got.high) == pytest.approx((low, high), rel=1e-12)
    assert mean_sd(1, 4.0, 16.0) == (4.0, None)


def test_quantile_ranks() -> None:
    assert quantile_estimate_ranks(4, 0.5) == (2, 3, 0.5)  # median of 4 = mean of 2nd and 3rd
    x = np.arange(1.0, 101.0) ** 1.5
    lo, hi, w = quantile_estimate_ranks(100, 0.9)
    assert x[lo - 1] + w * (x[hi - 1] - x[lo - 1]) == pytest.approx(np.quantile(x, 0.9))
    low, high = quantile_ci_ranks(100, 0.9)
    assert low is not None and high is not None
    ci = stats.quantile_test(x, q=1.0, p=0.9).confidence_interval(0.95)
    assert (x[low - 1], x[high - 1]) == (ci.low, ci.high)
    assert quantile_ci_ranks(5, 0.5) == (None, None)  # 5 values cannot bound a median at 95%


def test_newcombe_published_example() -> None:
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 − 48/80, method 10: 0.0524 … 0.3339
    interval = newcombe_difference(48, 80, 56, 70)
    assert interval.low == pytest.approx(0.0524, abs=5e-5)
    assert interval.high == pytest.approx(0.3339, abs=5e-5)


def test_two_proportion_test() -> None:
    result = two_proportion_test(48, 80, 56, 70)
    pooled = 104 / 150
    z = (0.8 - 0.6) / math.sqrt(pooled * (1 - pooled) * (1 / 80 + 1 / 70))
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.difference == pytest.approx(0.2)
    assert two_proportion_test(0, 10, 0, 20).p_value == 1.0


def test_welch_matches_scipy_on_raw_values() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(180, 60, 40), rng.normal(150, 20, 25)
    expected = stats.ttest_ind(b, a, equal_var=False)
    result = welch_test((a.mean(), a.std(ddof=1), len(a)), (b.mean(), b.std(ddof=1), len(b)))
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    ci = expected.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_nps_difference() -> None:
    result = nps_difference_test((30, 20, 100), (50, 10, 100))

    def adjusted(p: float, d: float, n: float) -> tuple[float, float]:
        pp, pd = (p + 0.75) / (n + 3), (d + 0.75) / (n + 3)
        return pp - pd, (pp + pd - (pp - pd) ** 2) / (n + 3)

    (ca, va), (cb, vb) = adjusted(30, 20, 100), adjusted(50, 10, 100)
    z = (cb - ca) / math.sqrt(va + vb)
    assert result.difference == pytest.approx(30.0)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))


def test_small_proportions_use_fishers_exact_test() -> None:
    # 2 of 2 against 0 of 2: a pooled z-test says p = 0.046; Fisher's exact test says 1/3.
    result = two_proportion_test(2, 2, 0, 2)
    assert result.test == "Fisher's exact test"
    assert result.p_value == pytest.approx(1 / 3)


def test_ratio_se_reduces_to_a_proportion_with_equal_weights() -> None:
    # Σw·y/Σw with all w equal is k/n, and the linearised variance is p(1−p)/(n−1).
    n, k, w = 50, 12, 3.0
    se = ratio_se(k * w, n * w, n, k * w * w, n * w * w)
    assert se is not None
    p = k / n
    assert se == pytest.approx(math.sqrt(p * (1 - p) / (n - 1)))
    share, interval = ratio_interval(k * w, n * w, n, k * w * w, n * w * w)
    assert share == pytest.approx(p)
    assert interval is not None and interval.low == pytest.approx(p - Z * se)
    assert ratio_se(1.0, 2.0, 1, 1.0, 2.0) is None
    result = ratio_difference_test(
        (k * w, n * w, n, k * w * w, n * w * w), (2 * k * w, n * w, n, 2 * k * w * w, n * w * w)
    )
    assert result.difference == pytest.approx(p) and result.p_value is not None


def test_one_promoter_interval_reaches_the_value_shown() -> None:
    # Rocks' adjusted Wald for 1 promoter of 1, by hand: p' = 1.75/4, d' = 0.75/4,
    # centre 25, se = sqrt((0.625 - 0.0625)/4) = 0.375, half = 1.96 * 37.5 = 73.5 (rounded Z)
    # → −48.5 … +98.5, which leaves out +100: the interval is widened to reach it.
    value, interval = nps_interval(1, 0, 1)
    assert value == 100.0
    assert interval.high == 100.0
    assert abs(interval.low - (25 - 1.959964 * 37.5)) < 1e-3


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 10, 30, 1000])
def test_wilson_bounds_reach_all_or_nothing_exactly(n: int) -> None:
    # k = 0 → lower bound exactly 0; k = n → upper bound exactly 1 (Wilson's closed form).
    assert wilson_interval(0, n).low == 0.0
    assert wilson_interval(n, n).high == 1.0
