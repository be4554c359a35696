"""The upper tails the detector tests, on whole series × bucket matrices at once.

A count's baseline is the same slot (weekday, or hour of the week) over the previous weeks; with
``S`` items in ``w`` such buckets and a gamma prior of shape ½ the next count is negative
binomial (``r = S + ½``, ``p = w / (w + 1)``). A share of low scores uses the beta-binomial
predictive with ``K`` low of ``N`` in the baseline. Both carry the uncertainty of a short
baseline, so low counts do not alarm on noise (docs/incidents.md, "Method").
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["PRIOR", "count_pvalues", "share_pvalues"]

PRIOR = 0.5


def _baseline(matrix: np.ndarray, period: int, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Per bucket: the sum over the same slot of the previous ``weeks`` weeks, and how many
    weeks were there (fewer at the start of the data)."""
    total = np.zeros(matrix.shape, dtype=np.float64)
    present = np.zeros(matrix.shape[1], dtype=np.int64)
    for week in range(1, weeks + 1):
        shift = week * period
        if shift >= matrix.shape[1]:
            break
        total[:, shift:] += matrix[:, :-shift]
        present[shift:] += 1
    return total, np.broadcast_to(present, matrix.shape).copy()


def count_pvalues(
    matrix: np.ndarray, period: int, *, weeks: int = 8, min_weeks: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``(p, expected)`` for every cell of a series × bucket count matrix: ``P(X ≥ observed)``
    under the negative-binomial predictive of its seasonal baseline; NaN where fewer than
    ``min_weeks`` weeks precede the bucket."""
    counts = np.asarray(matrix, dtype=np.float64)
    total, present = _baseline(counts, period, weeks)
    ok = present >= min_weeks
    w = np.where(ok, present, 1).astype(np.float64)
    r = total + PRIOR
    q = w / (w + 1.0)
    p = np.where(ok, stats.nbinom.sf(counts - 1, r, q), np.nan)
    expected = np.where(ok, r / w, np.nan)
    return p, expected


def share_pvalues(
    low: np.ndarray, scored: np.ndarray, period: int, *, weeks: int = 8, min_weeks: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``(p, expected low count)`` for the share of low scores: ``P(X ≥ k)`` under
    BetaBinomial(n, K + ½, N − K + ½) with the seasonal baseline's K low of N scored."""
    k = np.asarray(low, dtype=np.float64)
    n = np.asarray(scored, dtype=np.float64)
    big_k, present = _baseline(k, period, weeks)
    big_n, _ = _baseline(n, period, weeks)
    ok = (present >= min_weeks) & (n > 0)
    a = big_k + PRIOR
    b = np.maximum(big_n - big_k, 0) + PRIOR
    n_int = n.astype(np.int64)
    p = np.where(ok, stats.betabinom.sf(k - 1, n_int, a, b), np.nan)
    expected = np.where(ok, n * a / (a + b), np.nan)
    return p, expected
