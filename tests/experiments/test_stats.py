"""The experiment statistics against independent computations, and by simulation: mSPRT keeps
the false-positive rate at most α under daily peeking, naive daily z-tests do not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as st

from otklik.experiments import (
    Summary,
    confidence_sequence,
    difference,
    msprt_ratio,
    sample_size_means,
    sample_size_proportions,
    srm_test,
)


def _power_proportions(p1: float, p2: float, n: int, alpha: float) -> float:
    # Power of the two-sided pooled z-test at n per group, by the normal approximation.
    pbar = (p1 + p2) / 2
    se0 = math.sqrt(2 * pbar * (1 - pbar) / n)
    se1 = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
    crit = st.norm.ppf(1 - alpha / 2) * se0
    return float(st.norm.sf((crit - abs(p2 - p1)) / se1))


@pytest.mark.parametrize(("p1", "mde"), [(0.2, 0.03), (0.5, 0.05), (0.05, 0.02), (0.75, -0.05)])
def test_sample_size_for_shares_is_the_least_n_with_the_power(p1: float, mde: float) -> None:
    n = sample_size_proportions(p1, mde, alpha=0.05, power=0.8)
    assert _power_proportions(p1, p1 + mde, n, 0.05) >= 0.8
    assert _power_proportions(p1, p1 + mde, n - 1, 0.05) < 0.8


def test_sample_size_for_means_matches_the_textbook_formula() -> None:
    # 2 (1.959964 + 0.841621)^2 * 80^2 / 10^2 = 1004.6 -> 1005
    z = st.norm.ppf(0.975) + st.norm.ppf(0.8)
    assert sample_size_means(80, 10, alpha=0.05, power=0.8) == math.ceil(2 * z * z * 6400 / 100)
    assert sample_size_means(80, 10, alpha=0.05, power=0.8) == 1005


def test_sample_size_for_means_by_simulation() -> None:
    n = sample_size_means(1.0, 0.25, alpha=0.05, power=0.8)
    rng = np.random.default_rng(7)
    a = rng.normal(0, 1, (2000, n))
    b = rng.normal(0.25, 1, (2000, n))
    p = st.ttest_ind(a, b, axis=1).pvalue
    assert 0.77 <= float((p < 0.05).mean()) <= 0.83


@pytest.mark.parametrize(("d", "v", "tau2"), [(0.5, 0.04, 0.01), (-1.2, 0.3, 0.5), (0.0, 1.0, 2.0)])
def test_msprt_ratio_is_the_mixture_likelihood_ratio(d: float, v: float, tau2: float) -> None:
    # ∫ φ(d; θ, V) φ(θ; 0, τ²) dθ / φ(d; 0, V), by numerical integration
    numerator, _ = integrate.quad(
        lambda t: st.norm.pdf(d, t, math.sqrt(v)) * st.norm.pdf(t, 0, math.sqrt(tau2)),
        -50,
        50,
        points=[0.0, d],
    )
    expected = numerator / st.norm.pdf(d, 0, math.sqrt(v))
    assert msprt_ratio(d, v, tau2) == pytest.approx(expected, rel=1e-6)


def test_confidence_sequence_is_the_set_the_msprt_does_not_reject() -> None:
    v, tau2, alpha = 0.04, 0.02, 0.05
    low, high = confidence_sequence(0.3, v, tau2, alpha)
    # at the bounds, the shifted difference has Λ = 1/α exactly
    assert msprt_ratio(0.3 - low, v, tau2) == pytest.approx(1 / alpha)
    assert msprt_ratio(0.3 - high, v, tau2) == pytest.approx(1 / alpha)


def test_difference_matches_the_unpooled_z_test() -> None:
    rng = np.random.default_rng(3)
    a = rng.binomial(1, 0.2, 800) * 100.0
    b = rng.binomial(1, 0.25, 900) * 100.0
    result = difference(Summary.of(a), Summary.of(b), tau=5.0, alpha=0.05)
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    d = b.mean() - a.mean()
    assert result.difference == pytest.approx(d)
    assert result.ci_low == pytest.approx(d - st.norm.ppf(0.975) * se)
    assert result.p_value == pytest.approx(2 * st.norm.sf(abs(d) / se))
    assert result.p_always_valid == pytest.approx(min(1.0, 1 / msprt_ratio(d, se * se, 25.0)))


def test_srm_matches_scipy_chisquare() -> None:
    counts = [5100, 4900, 10300]
    expected = st.chisquare(counts, f_exp=[20300 * 0.25, 20300 * 0.25, 20300 * 0.5]).pvalue
    assert srm_test(counts, [1, 1, 2]) == pytest.approx(expected)
    assert srm_test([5000, 5000], [1, 1]) == pytest.approx(1.0)


def _daily_paths(rng: np.random.Generator, reps: int, days: int, per_day: int, p: float):
    a = np.cumsum(rng.binomial(per_day, p, (reps, days)), axis=1)
    b = np.cumsum(rng.binomial(per_day, p, (reps, days)), axis=1)
    n = per_day * np.arange(1, days + 1)
    pa, pb = a / n, b / n
    v = (pa * (1 - pa) + pb * (1 - pb)) / n
    return pb - pa, v


def test_msprt_false_positive_rate_under_daily_peeking_is_at_most_alpha() -> None:
    rng = np.random.default_rng(2026)
    alpha, reps, days = 0.05, 4000, 30
    d, v = _daily_paths(rng, reps, days, per_day=100, p=0.2)
    tau2 = 0.03**2
    log_lambda = 0.5 * np.log(v / (v + tau2)) + tau2 * d * d / (2 * v * (v + tau2))
    always_valid = (log_lambda >= math.log(1 / alpha)).any(axis=1).mean()
    naive = (np.abs(d) / np.sqrt(v) >= st.norm.ppf(1 - alpha / 2)).any(axis=1).mean()
    once = (np.abs(d[:, -1]) / np.sqrt(v[:, -1]) >= st.norm.ppf(1 - alpha / 2)).mean()
    se = math.sqrt(alpha * (1 - alpha) / reps)
    assert always_valid <= alpha + 2 * se
    assert abs(once - alpha) <= 3 * se  # one look at the horizon is honest
    assert naive > 2 * alpha  # peeking every day with a fixed-horizon test is not


def test_confidence_sequence_covers_the_true_difference_at_every_look() -> None:
    rng = np.random.default_rng(11)
    reps, days, alpha = 2000, 20, 0.05
    d, v = _daily_paths(rng, reps, days, per_day=150, p=0.3)
    tau2 = 0.02**2
    half = np.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + np.log((v + tau2) / v)))
    missed = (np.abs(d) > half).any(axis=1).mean()
    assert missed <= alpha


def test_the_library_path_under_daily_peeking() -> None:
    # The same check through otklik's own `difference` (running minimum of the always-valid
    # p-value), on per-customer 0/100 values as the analysis feeds it.
    rng = np.random.default_rng(5)
    alpha, reps, days, per_day = 0.05, 400, 20, 80
    always, naive = 0, 0
    for _ in range(reps):
        a = rng.binomial(1, 0.25, days * per_day) * 100.0
        b = rng.binomial(1, 0.25, days * per_day) * 100.0
        p_av, stopped, peeked = 1.0, False, False
        for day in range(1, days + 1):
            n = day * per_day
            result = difference(
                Summary.of(a[:n]), Summary.of(b[:n]), tau=3.0, alpha=alpha, previous_p=p_av
            )
            assert result.p_always_valid <= p_av
            p_av = result.p_always_valid
            stopped |= p_av <= alpha
            peeked |= result.p_value <= alpha
        always += stopped
        naive += peeked
    se = math.sqrt(alpha * (1 - alpha) / reps)
    assert always / reps <= alpha + 2 * se
    assert naive / reps > 2 * alpha
