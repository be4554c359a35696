"""Topic impact on a score metric, with a seeded bootstrap interval over items.

``impact(topic) = metric(all items) − metric(items without the topic)``, in the metric's own
units: negative when the topic drags the score down (Thematic's "impact on score"). Every score
metric here is the mean of a per-item value, so with ``S``/``N`` the sum/count over all items
and ``S_t``/``N_t`` over the topic's items, ``impact = S/N − (S − S_t)/(N − N_t)``.

The bootstrap resamples items with replacement. Items with the same value and the same topics
are interchangeable, so a replicate is drawn as multinomial counts over those cells (exactly
the item bootstrap, at the cost of the number of cells rather than of items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ALPHA", "Bootstrap", "Impacts", "topic_impacts"]

ALPHA = 0.05


@dataclass(frozen=True)
class Impacts:
    """Per topic (column order of ``topics``): n, the topic's metric, impact, and intervals;
    ``impact_draws`` are the bootstrap replicates (rows) kept for comparing periods."""

    topics: tuple[str, ...]
    n_all: int
    metric_all: float | None
    metric_all_ci: tuple[float, float] | None
    n: np.ndarray
    metric: np.ndarray
    metric_ci: np.ndarray  # topics × 2
    impact: np.ndarray
    impact_ci: np.ndarray  # topics × 2
    impact_draws: np.ndarray  # replicates × topics


@dataclass(frozen=True)
class Bootstrap:
    """How many replicates and the seed (the same seed gives the same intervals)."""

    replicates: int = 1000
    seed: int = 20251130


def _cells(values: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (value, topic pattern) rows with their counts."""
    if len(values) == 0:
        return np.zeros(0), np.zeros((0, member.shape[1]), dtype=bool), np.zeros(0, dtype=np.int64)
    packed = np.packbits(member, axis=1) if member.shape[1] else np.zeros((len(values), 0))
    keys = np.column_stack([values, packed.astype(float)])
    _, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    return values[first], member[first], counts


def _impact(
    total: np.ndarray, count: np.ndarray, topic_sum: np.ndarray, topic_count: np.ndarray
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = (total[..., None] - topic_sum) / (count[..., None] - topic_count)
        return total[..., None] / count[..., None] - rest


def topic_impacts(
    values: np.ndarray,
    member: np.ndarray,
    topics: Sequence[str],
    *,
    bootstrap: Bootstrap = Bootstrap(),
    alpha: float = ALPHA,
    min_n: int = 1,
) -> Impacts:
    """Impacts of ``topics`` (columns of the boolean ``member``, items × topics) on the mean of
    ``values`` (the counted items only). A topic with fewer than ``min_n`` items, or carried by
    every item, has no impact (NaN)."""
    values = np.asarray(values, dtype=float)
    member = np.asarray(member, dtype=bool).reshape(len(values), len(topics))
    n = len(values)
    k = len(topics)
    topic_n = member.sum(axis=0)
    if n == 0:
        nan = np.full(k, np.nan)
        return Impacts(
            tuple(topics),
            0,
            None,
            None,
            topic_n,
            nan,
            np.full((k, 2), np.nan),
            nan,
            np.full((k, 2), np.nan),
            np.full((0, k), np.nan),
        )
    total = np.array(values.sum())
    topic_sum = values @ member
    with np.errstate(divide="ignore", invalid="ignore"):
        metric = topic_sum / topic_n
    impact = _impact(total, np.array(float(n)), topic_sum, topic_n.astype(float))
    cell_values, cell_member, counts = _cells(values, member)
    rng = np.random.default_rng(bootstrap.seed)
    draws = rng.multinomial(n, counts / n, size=bootstrap.replicates).astype(float)
    b_total = draws @ cell_values
    b_count = draws.sum(axis=1)
    b_topic_sum = draws @ (cell_values[:, None] * cell_member)
    b_topic_n = draws @ cell_member.astype(float)
    b_impact = _impact(b_total, b_count, b_topic_sum, b_topic_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        b_metric = b_topic_sum / b_topic_n
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    impact_ci = _quantiles(b_impact, q)
    metric_ci = _quantiles(b_metric, q)
    all_draws = b_total / b_count
    bad = (topic_n < min_n) | (topic_n >= n)
    impact = np.where(bad, np.nan, impact)
    impact_ci[bad] = np.nan
    b_impact[:, bad] = np.nan
    return Impacts(
        topics=tuple(topics),
        n_all=n,
        metric_all=float(total / n),
        metric_all_ci=(
            float(np.percentile(all_draws, q[0])),
            float(np.percentile(all_draws, q[1])),
        ),
        n=topic_n,
        metric=metric,
        metric_ci=metric_ci,
        impact=impact,
        impact_ci=impact_ci,
        impact_draws=b_impact,
    )


def _quantiles(draws: np.ndarray, q: list[float]) -> np.ndarray:
    """Percentile interval per column, NaN where a replicate could not be computed."""
    out = np.full((draws.shape[1], 2), np.nan)
    for j in range(draws.shape[1]):
        column = draws[:, j]
        column = column[np.isfinite(column)]
        if len(column) >= 0.9 * len(draws[:, j]) and len(column):
            out[j] = np.percentile(column, q)
    return out
