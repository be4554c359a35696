"""Key-driver analysis: Johnson's relative weights (Johnson 2000), with bootstrap intervals.

With ``R`` the predictors' correlation matrix and ``r`` their correlations with the score,
``R = V diag(λ) Vᵀ`` and ``Λ = R^{1/2} = V diag(√λ) Vᵀ``; the score is regressed on the
orthogonal counterparts of the predictors, ``β = Λ⁻¹ r``, and predictor ``j`` gets
``ε_j = Σ_k Λ_jk² β_k²``. The weights add up to the model's R² exactly. A categorical field
(channel, product…) enters as dummies (its most frequent value left out) and its weight is the
sum of theirs. The bootstrap resamples items (multinomial counts over distinct rows, as in
:mod:`otklik.drivers.impact`). Weights are never negative, so "the interval includes zero" is
read as Tonidandel & LeBreton (2015) do: a random binary column is added as a predictor and a
driver is significant when the interval of (its weight − the random column's) is above zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from otklik.drivers.impact import ALPHA, Bootstrap

__all__ = ["RelativeWeights", "relative_weights", "weights_from_moments"]

_EPS = 1e-10


@dataclass(frozen=True)
class RelativeWeights:
    """Weight per driver (raw, summing to ``r2``), its interval and the bootstrap's n."""

    drivers: tuple[str, ...]
    n: int
    r2: float
    r2_ci: tuple[float, float]
    weight: np.ndarray
    weight_ci: np.ndarray  # drivers × 2
    significant: np.ndarray  # bool per driver


def weights_from_moments(cov: np.ndarray) -> tuple[np.ndarray, float]:
    """Relative weights of predictors ``0..p-1`` for the outcome in the last row/column of the
    covariance matrix ``cov``; constant predictors get weight 0. Returns (weights, R²)."""
    p = cov.shape[0] - 1
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    weights = np.zeros(p)
    live = np.flatnonzero(sd[:p] > _EPS)
    if sd[p] <= _EPS or len(live) == 0:
        return weights, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    rxx = corr[np.ix_(live, live)]
    rxy = corr[live, p]
    eigval, eigvec = np.linalg.eigh(rxx)
    keep = eigval > 1e-8 * max(eigval.max(), 1.0)
    eigval, eigvec = eigval[keep], eigvec[:, keep]
    lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
    inverse = eigvec @ np.diag(1 / np.sqrt(eigval)) @ eigvec.T
    beta = inverse @ rxy
    raw = (lam**2) @ (beta**2)
    weights[live] = raw
    return weights, float(raw.sum())


def _covariances(rows: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Weighted covariance matrices, one per row of ``draws`` (counts over ``rows``)."""
    total = draws.sum(axis=1)
    means = (draws @ rows) / total[:, None]
    second = np.einsum("bc,ci,cj->bij", draws, rows, rows, optimize=True) / total[:, None, None]
    return second - np.einsum("bi,bj->bij", means, means)


def relative_weights(
    predictors: np.ndarray,
    outcome: np.ndarray,
    drivers: Sequence[str],
    groups: Sequence[int] | None = None,
    *,
    bootstrap: Bootstrap = Bootstrap(replicates=300),
    alpha: float = ALPHA,
) -> RelativeWeights:
    """Relative weights of the columns of ``predictors`` (items × columns) for ``outcome``;
    ``groups[c]`` maps column ``c`` to its driver (dummies of one field share a driver)."""
    x = np.asarray(predictors, dtype=float)
    y = np.asarray(outcome, dtype=float)
    n, columns = x.shape
    groups = list(groups) if groups is not None else list(range(columns))
    k = len(drivers)
    rng = np.random.default_rng(bootstrap.seed)
    noise = rng.integers(0, 2, n).astype(float)
    data = np.column_stack([x, noise, y])
    groups = [*groups, k]
    if n < 3:
        nan = np.full(k, np.nan)
        return RelativeWeights(
            tuple(drivers), n, 0.0, (0.0, 0.0), nan, np.full((k, 2), np.nan), np.zeros(k, bool)
        )
    cells, counts = np.unique(data, axis=0, return_counts=True)

    def per_driver(raw: np.ndarray) -> np.ndarray:
        out = np.zeros(k + 1)
        np.add.at(out, groups[: len(raw)], raw)
        return out

    plain = [c for c in range(columns + 2) if c != columns]  # the model without the noise
    full, r2 = weights_from_moments(
        _covariances(cells, counts[None, :].astype(float))[0][np.ix_(plain, plain)]
    )
    draws = rng.multinomial(n, counts / n, size=bootstrap.replicates).astype(float)
    boot = np.zeros((bootstrap.replicates, k))
    against = np.zeros((bootstrap.replicates, k))
    boot_r2 = np.zeros(bootstrap.replicates)
    for start in range(0, bootstrap.replicates, 50):
        covs = _covariances(cells, draws[start : start + 50])
        for offset, cov in enumerate(covs):
            raw, r2_b = weights_from_moments(cov[np.ix_(plain, plain)])
            boot[start + offset] = per_driver(raw)[:k]
            boot_r2[start + offset] = r2_b
            with_noise = per_driver(weights_from_moments(cov)[0])
            against[start + offset] = with_noise[:k] - with_noise[k]
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    return RelativeWeights(
        drivers=tuple(drivers),
        n=n,
        r2=r2,
        r2_ci=(float(np.percentile(boot_r2, q[0])), float(np.percentile(boot_r2, q[1]))),
        weight=per_driver(full)[:k],
        weight_ci=np.percentile(boot, q, axis=0).T,
        significant=np.percentile(against, q[0], axis=0) > _EPS,
    )
