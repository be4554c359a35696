"""Which survey mechanic gives honest answers: each mechanic's answers against a reference.

A popup gets scores "just to close the window": many extremes, the same score every time,
answers in two seconds, a 10 beside an angry comment. For each mechanic, on answered
invitations (optionally only those sent in one experiment, so mechanics were randomised over
the same customers and operations), against the reference mechanic (the link survey unless
told otherwise):

* ``bias`` — mean score minus the reference's, in % of the scale's range (Welch interval);
  the headline figure: how much the mechanic moves the score by itself;
* ``extreme`` — share of answers at either end of the scale;
* ``straight`` — share of customers with ≥ 2 answers who gave the same score every time;
* ``fast`` — share of answers given within ``FAST_SECONDS`` of opening;
* ``agreement`` — share of answers with a comment whose sentiment agrees with the score's band
  (low ↔ negative, top ↔ positive, middle ↔ neutral).

Every share carries a Wilson interval and its difference from the reference a Wald interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select, text

from otklik.ledger.models import FeedbackItem
from otklik.ledger.models_experiments import Exposure
from otklik.ledger.models_surveys import Invitation
from otklik.types import SCALES

__all__ = ["FAST_SECONDS", "Figure", "MechanicHonesty", "mechanic_honesty"]

FAST_SECONDS = 5.0
_Z = 1.959963984540054
_AGREES = {"low": "negative", "middle": "neutral", "top": "positive"}


@dataclass(frozen=True)
class Figure:
    """A value (% for shares, % of the scale for bias) with n, its interval, and its
    difference from the reference mechanic with that difference's interval."""

    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    difference: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None


@dataclass(frozen=True)
class MechanicHonesty:
    mechanic: str
    reference: bool
    answers: int
    mean_score: Figure
    bias: Figure
    extreme: Figure
    straight: Figure
    fast: Figure
    agreement: Figure

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _wilson(k: int, n: int) -> tuple[float | None, float | None, float | None]:
    if n == 0:
        return None, None, None
    p = k / n
    centre = (p + _Z * _Z / (2 * n)) / (1 + _Z * _Z / n)
    half = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n)) / (1 + _Z * _Z / n)
    return 100 * p, 100 * (centre - half), 100 * (centre + half)


def _share(hits: list[bool], ref: list[bool] | None) -> Figure:
    n, k = len(hits), sum(hits)
    value, low, high = _wilson(k, n)
    if ref is None or not ref or n == 0:
        return Figure(value, n, low, high)
    p1, n1 = sum(ref) / len(ref), len(ref)
    p2 = k / n
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n)
    d = 100 * (p2 - p1)
    return Figure(value, n, low, high, d, d - 100 * _Z * se, d + 100 * _Z * se)


def _mean(values: list[float], ref: list[float] | None) -> tuple[Figure, Figure]:
    n = len(values)
    if n < 2:
        return Figure(values[0] if values else None, n, None, None), Figure(None, n, None, None)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = _Z * math.sqrt(var / n)
    figure = Figure(mean, n, mean - half, mean + half)
    if ref is None or len(ref) < 2:
        return figure, Figure(None, n, None, None)
    m1 = sum(ref) / len(ref)
    v1 = sum((v - m1) ** 2 for v in ref) / (len(ref) - 1)
    d = mean - m1
    se = math.sqrt(v1 / len(ref) + var / n)
    return figure, Figure(d, n, d - _Z * se, d + _Z * se, d, d - _Z * se, d + _Z * se)


@dataclass
class _Rows:
    norm: list[float]
    extreme: list[bool]
    fast: list[bool]
    agree: list[bool]
    by_customer: dict[str, list[float]]


def mechanic_honesty(
    engine: Engine, *, reference: str = "link", experiment: str | None = None
) -> list[MechanicHonesty]:
    """Every mechanic with answers, the reference first (its differences are None)."""
    query = (
        select(
            Invitation.mechanic,
            Invitation.customer_id,
            Invitation.seconds_to_answer,
            FeedbackItem.id,
            FeedbackItem.score,
            FeedbackItem.scale,
            FeedbackItem.text,
        )
        .join(FeedbackItem, FeedbackItem.id == Invitation.item_id)
        .where(FeedbackItem.score.is_not(None))
    )
    if experiment is not None:
        sent = select(Exposure.invitation_id).where(
            Exposure.experiment == experiment, Exposure.invitation_id.is_not(None)
        )
        query = query.where(Invitation.id.in_(sent))
    groups: dict[str, _Rows] = defaultdict(lambda: _Rows([], [], [], [], defaultdict(list)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        sentiments: dict[int, str] = dict(
            conn.execute(
                text(
                    "SELECT item_id, sentiment FROM current_classifications"
                    " WHERE sentiment IS NOT NULL"
                )
            ).all()
        )
    for row in rows:
        spec = SCALES.get(row.scale or "")
        if spec is None:
            continue
        group = groups[row.mechanic]
        group.norm.append(100 * (row.score - spec.low) / (spec.high - spec.low))
        group.extreme.append(row.score <= spec.low or row.score >= spec.high)
        if row.seconds_to_answer is not None:
            group.fast.append(row.seconds_to_answer <= FAST_SECONDS)
        sentiment = sentiments.get(row.id)
        if row.text and sentiment:
            group.agree.append(_AGREES[str(spec.band(row.score))] == sentiment)
        group.by_customer[row.customer_id].append(row.score)
    ref = groups.get(reference)
    found = []
    order = sorted(groups, key=lambda m: (m != reference, m))
    for mechanic in order:
        group = groups[mechanic]
        is_ref = mechanic == reference
        other = None if is_ref else ref
        mean, bias = _mean(group.norm, other.norm if other else None)
        straight = [len(set(s)) == 1 for s in group.by_customer.values() if len(s) >= 2]
        ref_straight = (
            [len(set(s)) == 1 for s in other.by_customer.values() if len(s) >= 2] if other else None
        )
        found.append(
            MechanicHonesty(
                mechanic=mechanic,
                reference=is_ref,
                answers=len(group.norm),
                mean_score=mean,
                bias=bias,
                extreme=_share(group.extreme, other.extreme if other else None),
                straight=_share(straight, ref_straight),
                fast=_share(group.fast, other.fast if other else None),
                agreement=_share(group.agree, other.agree if other else None),
            )
        )
    return found
