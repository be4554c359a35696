"""The statistics against independent computations: Johnson's weights by his original SVD
construction and R² from least squares; bootstrap impact intervals by simulated coverage."""

from __future__ import annotations

import numpy as np
import pytest

from otklik.drivers import Bootstrap, relative_weights, topic_impacts, weights_from_moments


def _johnson_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000) as published: the orthonormal Z closest to the standardised X (from its
    SVD), y regressed on Z, X regressed on Z, ε_j = Σ_k λ_jk² β_k²."""
    xs = (x - x.mean(axis=0)) / np.linalg.norm(x - x.mean(axis=0), axis=0)
    ys = (y - y.mean()) / np.linalg.norm(y - y.mean())
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt
    beta = z.T @ ys
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]  # lam[k, j]: X_j on Z_k
    return (lam.T**2) @ (beta**2)


def _r2(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - float(((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_relative_weights_match_johnsons_construction_and_sum_to_r2(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 1500
    x = (rng.random((n, 5)) < [0.1, 0.2, 0.3, 0.05, 0.4]).astype(float)
    x[:, 2] = np.maximum(x[:, 2], x[:, 0] * (rng.random(n) < 0.5))  # correlated predictors
    y = -40 * x[:, 0] - 15 * x[:, 1] + 5 * x[:, 4] + rng.normal(0, 40, n)
    y = np.round(y)
    found = relative_weights(x, y, list("abcde"), bootstrap=Bootstrap(replicates=100))
    expected = _johnson_svd(x, y)
    assert found.weight == pytest.approx(expected, abs=1e-9)
    assert found.weight.sum() == pytest.approx(_r2(x, y), abs=1e-9)
    assert found.r2 == pytest.approx(_r2(x, y), abs=1e-9)
    for j in range(5):
        assert found.weight_ci[j, 0] <= found.weight[j] <= found.weight_ci[j, 1]
    assert found.significant[0] and found.significant[1]
    assert not found.significant[3]


def test_grouped_dummies_add_up_and_a_constant_column_weighs_nothing() -> None:
    rng = np.random.default_rng(5)
    n = 800
    level = rng.integers(0, 3, n)
    dummies = np.column_stack([level == 1, level == 2, np.zeros(n)]).astype(float)
    y = 10.0 * (level == 2) + rng.normal(0, 5, n)
    found = relative_weights(
        dummies, y, ["field", "empty"], [0, 0, 1], bootstrap=Bootstrap(replicates=100)
    )
    assert found.weight[1] == 0
    assert found.weight[0] == pytest.approx(_r2(dummies[:, :2], y), abs=1e-9)
    cov = np.cov(np.column_stack([dummies[:, :2], y]), rowvar=False)
    assert weights_from_moments(cov)[1] == pytest.approx(_r2(dummies[:, :2], y), abs=1e-9)


def test_bootstrap_impact_intervals_cover_the_true_impact() -> None:
    """Population: a topic on 15% of items; NPS values ±100/0 with the topic's items far more
    often detractors. True impact = p · (μ_topic − μ_rest)."""
    rng = np.random.default_rng(11)
    p = 0.15
    probs_topic = np.array([0.6, 0.25, 0.15])  # detractor, passive, promoter
    probs_rest = np.array([0.15, 0.3, 0.55])
    values = np.array([-100.0, 0.0, 100.0])
    mu_topic, mu_rest = probs_topic @ values, probs_rest @ values
    truth = p * (mu_topic - mu_rest)
    trials, n, covered = 200, 400, 0
    for trial in range(trials):
        member = rng.random(n) < p
        y = np.where(
            member,
            rng.choice(values, size=n, p=probs_topic),
            rng.choice(values, size=n, p=probs_rest),
        )
        found = topic_impacts(
            y, member[:, None], ["t"], bootstrap=Bootstrap(replicates=400, seed=trial)
        )
        low, high = found.impact_ci[0]
        covered += low <= truth <= high
    assert 0.90 <= covered / trials <= 0.99
