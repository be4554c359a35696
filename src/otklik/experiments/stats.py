"""The statistics of an experiment: power, sequential tests valid under daily peeking, SRM.

Everything works on per-variant sufficient statistics of one value per customer (0/100 for a
share in %, a score for a mean), so one set of formulas serves shares and means.

* **Power** (fixed horizon): customers per variant for a two-sided test at ``alpha`` to detect
  ``mde`` with probability ``power``; shares by the classic normal formula with the pooled
  variance under H0 and the unpooled one under H1 (Fleiss, no continuity correction), means by
  ``2 (z_{1-α/2} + z_{1-β})² σ² / δ²``.
* **Fixed-horizon test**: the z-test of the difference with the unpooled standard error and
  its 95% interval. Valid only when read once, at the planned sample size.
* **mSPRT** (Johari, Pekelis & Walsh 2017): the mixture likelihood ratio of the observed
  difference ``d`` (variance ``V``) with a normal mixing distribution N(0, τ²) on the effect,
  ``Λ = √(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²)))``. The always-valid p-value is the
  running minimum of ``1 / Λ`` over the looks; rejecting when it falls to α keeps the
  false-positive rate at most α however often one looks. Its dual is the confidence sequence
  ``d ± √(V (V + τ²) / τ² · (2 log(1/α) + log((V + τ²) / V)))``. τ is set to the MDE.
* **Sample-ratio mismatch**: Pearson's χ² of customers per variant against the weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = [
    "SRM_ALPHA",
    "Difference",
    "Summary",
    "confidence_sequence",
    "difference",
    "msprt_ratio",
    "sample_size_means",
    "sample_size_proportions",
    "srm_test",
]

SRM_ALPHA = 0.001
"""A sample-ratio mismatch is flagged below this p-value (a stricter level than the tests',
as the check runs on every look)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """One variant's customers: count, mean and sample variance of their values."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> Summary:
        array = np.asarray(values, dtype=float)
        n = int(array.size)
        if n == 0:
            return cls(0, math.nan, math.nan)
        var = float(array.var(ddof=1)) if n > 1 else math.nan
        return cls(n, float(array.mean()), var)

    @classmethod
    def from_sums(cls, n: float, s1: float, s2: float) -> Summary:
        if n <= 0:
            return cls(0, math.nan, math.nan)
        mean = s1 / n
        var = max(0.0, (s2 - n * mean * mean) / (n - 1)) if n > 1 else math.nan
        return cls(int(n), mean, var)


@dataclass(frozen=True, slots=True)
class Difference:
    """Treatment − control: the fixed-horizon z-test and interval, and the mSPRT's
    always-valid p-value and confidence sequence at this look."""

    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    cs_low: float
    cs_high: float
    p_always_valid: float


def _z(alpha: float) -> float:
    return float(_st.norm.ppf(1 - alpha / 2))


def sample_size_proportions(baseline: float, mde: float, *, alpha: float, power: float) -> int:
    """Customers per variant to detect a change of ``mde`` from ``baseline`` (both fractions,
    e.g. 0.20 and 0.03) with a two-sided test at ``alpha`` and the given power."""
    p1 = baseline
    p2 = baseline + mde
    if not (0 < p1 < 1 and 0 < p2 < 1) or mde == 0:
        raise ValueError("baseline and baseline + MDE must lie strictly between 0% and 100%")
    pbar = (p1 + p2) / 2
    top = _z(alpha) * math.sqrt(2 * pbar * (1 - pbar)) + float(_st.norm.ppf(power)) * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(top * top / (mde * mde))


def sample_size_means(sd: float, mde: float, *, alpha: float, power: float) -> int:
    """Customers per variant to detect a difference of means ``mde`` when a customer's value
    has standard deviation ``sd`` (two-sided test at ``alpha``)."""
    if sd <= 0 or mde == 0:
        raise ValueError("the SD must be positive and the MDE non-zero")
    z = _z(alpha) + float(_st.norm.ppf(power))
    return math.ceil(2 * z * z * sd * sd / (mde * mde))


def msprt_ratio(d: float, v: float, tau2: float) -> float:
    """The mixture likelihood ratio Λ of an observed difference ``d`` with variance ``v``."""
    if not 0 < v < math.inf:
        return 1.0
    exponent = tau2 * d * d / (2 * v * (v + tau2))
    return math.sqrt(v / (v + tau2)) * math.exp(min(exponent, 700.0))


def confidence_sequence(d: float, v: float, tau2: float, alpha: float) -> tuple[float, float]:
    """The always-valid (1 − α) interval of the difference at this look."""
    if v <= 0:
        return d, d
    if v == math.inf:
        return -math.inf, math.inf
    half = math.sqrt(v * (v + tau2) / tau2 * (2 * math.log(1 / alpha) + math.log((v + tau2) / v)))
    return d - half, d + half


def difference(
    control: Summary,
    treatment: Summary,
    *,
    tau: float,
    alpha: float,
    previous_p: float = 1.0,
) -> Difference:
    """Treatment − control at one look; ``previous_p`` is the always-valid p-value of the
    earlier looks (it can only fall)."""
    d = treatment.mean - control.mean
    v = _var(control) + _var(treatment)
    z = _z(0.05)
    if v > 0:
        se = math.sqrt(v)
        p_value = float(2 * _st.norm.sf(abs(d) / se))
    else:
        se, p_value = 0.0, 1.0
    tau2 = tau * tau
    p_av = min(previous_p, 1.0 / msprt_ratio(d, v, tau2), 1.0)
    cs_low, cs_high = confidence_sequence(d, v, tau2, alpha)
    return Difference(d, d - z * se, d + z * se, p_value, cs_low, cs_high, p_av)


def _var(summary: Summary) -> float:
    if summary.n < 2 or math.isnan(summary.var):
        return math.inf
    return summary.var / summary.n


def srm_test(counts: Sequence[int], weights: Sequence[float]) -> float:
    """The χ² p-value of customers per variant against the planned weights (1.0 when empty)."""
    total = sum(counts)
    if total == 0:
        return 1.0
    share = np.asarray(weights, dtype=float) / float(sum(weights))
    expected = share * total
    statistic = float(((np.asarray(counts, dtype=float) - expected) ** 2 / expected).sum())
    return float(_st.chi2.sf(statistic, len(counts) - 1))
