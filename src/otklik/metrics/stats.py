"""Statistics behind every figure: 95% intervals and the tests that say whether a change is noise.

Everything here works on sufficient statistics (counts and sums), never on rows, so the same
functions serve a query on the store, on a warehouse engine and on a rollup. All intervals are
two-sided at ``CONFIDENCE``; ``Z`` is the exact normal quantile (1.959964…, "1.96").

Methods are chosen to stay valid at the edges (a share of 0% or 100%, NPS at ±100, small n):
NPS uses the adjusted Wald interval of Rocks (2016), shares the Wilson interval, means the
Student t interval. Where no method is honest the answer is "not enough data" (None): a mean
of fewer than 2 values or of identical values has no interval, and a test needs at least
``MIN_TEST_N`` observations on each side. tests/metrics/test_coverage.py simulates the
coverage of every interval at n = 10, 30 and 100, including NPS near ±100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CONFIDENCE",
    "MIN_TEST_N",
    "Interval",
    "TestResult",
    "Z",
    "mean_sd",
    "newcombe_difference",
    "nps_difference_test",
    "nps_interval",
    "nps_se",
    "quantile_ci_ranks",
    "quantile_estimate_ranks",
    "ratio_difference_test",
    "ratio_interval",
    "ratio_se",
    "t_interval",
    "two_proportion_test",
    "welch_test",
    "wilson_interval",
]

CONFIDENCE = 0.95
Z: float = 1.959963984540054
"""``scipy.stats.norm.ppf(0.975)``, the two-sided 95% normal quantile, as scipy computes it
(written out so that importing the metrics does not import scipy, 2–6 s on a busy machine;
tests/metrics/test_stats.py checks it against scipy)."""
MIN_TEST_N = 5
"""Fewest observations per side for a comparison: below it the verdict is "not enough data"
(with 2 answers of 10 against 2 of 0 no test is honest, whatever its p-value says)."""


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class TestResult:
    """The difference b − a, its 95% interval and the two-sided p-value of "no difference"."""

    test: str
    difference: float
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    statistic: float | None


def _scipy_stats() -> Any:
    """``scipy.stats``, imported on first use (only intervals and tests need it)."""
    from scipy import stats

    return stats


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def wilson_interval(k: float, n: float) -> Interval:
    """Wilson score interval of the share k/n, as fractions (0…1)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = k / n
    z2 = Z * Z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At k = 0 or k = n the bound equals p in exact arithmetic; rounding can leave it a hair
    # inside (0.99999999999999), which would exclude the value shown.
    return Interval(min(_clip(centre - half, 0.0, 1.0), p), max(_clip(centre + half, 0.0, 1.0), p))


def nps_se(promoters: float, detractors: float, n: float) -> float:
    """Standard error of NPS on the −100…100 scale: 100·sqrt((pP + pD − (pP − pD)²)/n)."""
    p_p, p_d = promoters / n, detractors / n
    return 100 * math.sqrt(max(0.0, p_p + p_d - (p_p - p_d) ** 2) / n)


def _adjusted(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    """Rocks's adjusted NPS (fraction, −1…1) and its variance: n' = n + 3, promoters and
    detractors each + 3/4 (passives + 3/2), Var = (p'P + p'D − (p'P − p'D)²)/n'."""
    n_adj = n + 3
    p_p, p_d = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
    centre = p_p - p_d
    return centre, max(0.0, p_p + p_d - centre * centre) / n_adj


def nps_interval(promoters: float, detractors: float, n: float) -> tuple[float, Interval]:
    """NPS (−100…100) and its adjusted Wald 95% interval, clipped to −100…100.

    B. Rocks, "Interval estimation for the 'net promoter score'", *The American
    Statistician* 70(4):365–372, 2016: add 3 to n and 3/4 to the promoters and to the
    detractors, then take the Wald interval of pP − pD. Unlike the plain Wald interval it
    does not collapse to a point at ±100 and keeps its coverage at small n (the value shown is
    still the plain NPS; the interval is centred on the adjusted one). At very small n the
    adjusted interval can leave out the value shown (one promoter: NPS +100, interval
    −48.5…+98.5); it is then widened to reach the value, which can only raise its coverage.
    """
    value = 100 * (promoters - detractors) / n
    centre, variance = _adjusted(promoters, detractors, n)
    half = Z * math.sqrt(variance)
    low = max(-100.0, 100 * (centre - half))
    high = min(100.0, 100 * (centre + half))
    return value, Interval(min(low, value), max(high, value))


def mean_sd(n: float, s1: float, s2: float) -> tuple[float, float | None]:
    """Mean and sample standard deviation from n, Σx and Σx² (sd is None when n < 2)."""
    mean = s1 / n
    if n < 2:
        return mean, None
    variance = max(0.0, (s2 - s1 * s1 / n) / (n - 1))
    return mean, math.sqrt(variance)


def t_interval(mean: float, sd: float, n: float) -> Interval:
    """Student t interval of a mean: mean ± t(0.975, n−1)·sd/√n."""
    half = float(_scipy_stats().t.ppf(1 - (1 - CONFIDENCE) / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def quantile_estimate_ranks(n: int, q: float) -> tuple[int, int, float]:
    """1-based ranks (lo, hi) and weight w so that the quantile is x_lo + w·(x_hi − x_lo).

    Linear interpolation between order statistics (Hyndman & Fan type 7): the definition of
    numpy's default, PostgreSQL's ``percentile_cont`` and Spark's ``percentile``.
    """
    h = (n - 1) * q + 1
    lo = math.floor(h)
    return lo, min(n, lo + 1), h - lo


def quantile_ci_ranks(n: int, q: float) -> tuple[int | None, int | None]:
    """1-based ranks (l, u) of the distribution-free order-statistic interval [x_l, x_u].

    With B ~ Binomial(n, q): l = F⁻¹(0.025), u = F⁻¹(0.975) + 1, so that P(l ≤ B ≤ u − 1) is at
    least 95% for any continuous distribution. A rank outside 1…n means the sample is too small
    to bound that side: it is None (the same interval as ``scipy.stats.quantile_test``).
    """
    alpha = 1 - CONFIDENCE
    low = int(_scipy_stats().binom.ppf(alpha / 2, n, q))
    high = int(_scipy_stats().binom.ppf(1 - alpha / 2, n, q)) + 1
    return (low if low >= 1 else None), (high if high <= n else None)


def ratio_se(num: float, den: float, n: float, sq_num: float, sq_den: float) -> float | None:
    """Linearised (delta-method) standard error of R = Σw·y / Σw for y ∈ {0, 1}.

    ``sq_num`` is Σw² over rows with y = 1 and ``sq_den`` Σw² over all rows; the variance is
    n/(n−1)·Σw²(y − R)²/(Σw)². None when n < 2. A fraction.
    """
    if n < 2 or den <= 0:
        return None
    share = num / den
    residual = (1 - share) ** 2 * sq_num + share**2 * (sq_den - sq_num)
    return math.sqrt(max(0.0, n / (n - 1) * residual)) / den


def ratio_interval(
    num: float, den: float, n: float, sq_num: float, sq_den: float
) -> tuple[float, Interval | None]:
    """A money-weighted share Σw·y / Σw and its normal interval from :func:`ratio_se`,
    clipped to 0…1 (fractions; no interval when n < 2)."""
    share = num / den
    se = ratio_se(num, den, n, sq_num, sq_den)
    if se is None:
        return share, None
    return share, Interval(max(0.0, share - Z * se), min(1.0, share + Z * se))


def ratio_difference_test(
    a: tuple[float, float, float, float, float], b: tuple[float, float, float, float, float]
) -> TestResult:
    """z-test of R_b − R_a for two money-weighted shares, each given as
    (num, den, n, sq_num, sq_den); fractions."""
    se_a, se_b = ratio_se(*a), ratio_se(*b)
    d = b[0] / b[1] - a[0] / a[1]
    if se_a is None or se_b is None:
        return TestResult("linearised ratio z-test", d, None, None, None, None)
    se = math.hypot(se_a, se_b)
    if se == 0:
        return TestResult("linearised ratio z-test", d, d, d, None, None)
    z = d / se
    return TestResult("linearised ratio z-test", d, d - Z * se, d + Z * se, _two_sided_p(z), z)


def _two_sided_p(z: float) -> float:
    return float(2 * _scipy_stats().norm.sf(abs(z)))


def two_proportion_test(k1: float, n1: float, k2: float, n2: float) -> TestResult:
    """Pooled two-proportion z-test, or Fisher's exact test when an expected count of the
    2×2 table is below 5 (where the normal approximation is not to be trusted); the interval
    of p2 − p1 is Newcombe's (hybrid Wilson). Differences and bounds are fractions.
    """
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    expected = min(pooled * n1, (1 - pooled) * n1, pooled * n2, (1 - pooled) * n2)
    if expected < 5:
        table = [[round(k1), round(n1 - k1)], [round(k2), round(n2 - k2)]]
        p_value = float(_scipy_stats().fisher_exact(table).pvalue)
        interval = newcombe_difference(k1, n1, k2, n2)
        return TestResult(
            "Fisher's exact test", p2 - p1, interval.low, interval.high, min(1.0, p_value), None
        )
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # se is 0 only when both sides are all successes or all failures: no difference
    z = (p2 - p1) / se if se > 0 else 0.0
    interval = newcombe_difference(k1, n1, k2, n2)
    return TestResult(
        "two-proportion z-test", p2 - p1, interval.low, interval.high, _two_sided_p(z), z
    )


def newcombe_difference(k1: float, n1: float, k2: float, n2: float) -> Interval:
    """Newcombe's hybrid score interval (method 10) of p2 − p1 from two Wilson intervals."""
    p1, p2 = k1 / n1, k2 / n2
    w1, w2 = wilson_interval(k1, n1), wilson_interval(k2, n2)
    d = p2 - p1
    low = d - math.sqrt((p2 - w2.low) ** 2 + (w1.high - p1) ** 2)
    high = d + math.sqrt((w2.high - p2) ** 2 + (p1 - w1.low) ** 2)
    return Interval(low, high)


def nps_difference_test(a: tuple[float, float, float], b: tuple[float, float, float]) -> TestResult:
    """Adjusted Wald z-test of NPS_b − NPS_a from (promoters, detractors, n) of two
    independent samples (Rocks 2016's adjustment on each side, as MeasuringU's NPS test):
    z = (NPS'_b − NPS'_a) / √(Var'_a + Var'_b). The difference reported is the plain one;
    its interval, centred on the adjusted difference, is clipped to −200…200."""
    value_a = 100 * (a[0] - a[1]) / a[2]
    value_b = 100 * (b[0] - b[1]) / b[2]
    centre_a, var_a = _adjusted(*a)
    centre_b, var_b = _adjusted(*b)
    shift = 100 * (centre_b - centre_a)
    se = 100 * math.sqrt(var_a + var_b)
    z = shift / se
    return TestResult(
        "NPS adjusted Wald z-test",
        value_b - value_a,
        max(-200.0, shift - Z * se),
        min(200.0, shift + Z * se),
        _two_sided_p(z),
        z,
    )


def welch_test(a: tuple[float, float, float], b: tuple[float, float, float]) -> TestResult:
    """Welch's t-test of mean_b − mean_a from (mean, sd, n) of two samples (scipy.stats)."""
    (m1, s1, n1), (m2, s2, n2) = a, b
    result = _scipy_stats().ttest_ind_from_stats(m2, s2, n2, m1, s1, n1, equal_var=False)
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    d = m2 - m1
    if v1 + v2 == 0:
        return TestResult("Welch t-test", d, d, d, None, None)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = float(_scipy_stats().t.ppf(1 - (1 - CONFIDENCE) / 2, df)) * math.sqrt(v1 + v2)
    return TestResult(
        "Welch t-test", d, d - half, d + half, float(result.pvalue), float(result.statistic)
    )
