"""One outcome per exposed customer, read from the ledger, for each experiment metric.

A customer counts once, in the variant and on the day of their first exposure (later
exposures of a sticky assignment add nothing). What each metric reads:

* ``response_rate`` — customers sent at least one invitation in the experiment: 100 when any
  of them was answered, else 0;
* ``csat`` — the first answered invitation's score: 100 in the scale's top box, else 0;
* ``nps`` — the first answered invitation's score: +100 promoter, 0 passive, −100 detractor;
* ``repeat_rate`` — customers with a contact in the 7 days after exposure: 100 when another
  contact followed within those days, else 0;
* ``store_rating`` — imported app-store ratings (stars) by day and variant, each rating a unit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from otklik.ledger.models import FeedbackItem
from otklik.ledger.models_experiments import ExperimentObservation, Exposure
from otklik.ledger.models_surveys import Invitation
from otklik.types import SCALES

__all__ = ["Exposed", "Outcomes", "first_exposures", "outcomes"]

REPEAT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Exposed:
    variant: str
    at: datetime


@dataclass(frozen=True)
class Outcomes:
    """Parallel arrays: each unit's variant, look day (from ``start``), value and weight."""

    variants: np.ndarray
    days: np.ndarray
    values: np.ndarray
    weights: np.ndarray


def first_exposures(
    engine: Engine, key: str, *, until: datetime | None = None
) -> dict[str, Exposed]:
    """Each customer's first exposure; with ``until`` (a stopped test's end), only customers
    exposed by then: after the stop everyone sees the control, and counting them would tilt
    the sample ratio and the control's figures."""
    query = (
        select(Exposure.customer_id, Exposure.variant, Exposure.at)
        .where(Exposure.experiment == key)
        .order_by(Exposure.at, Exposure.id)
    )
    if until is not None:
        query = query.where(Exposure.at <= until)
    found: dict[str, Exposed] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            found.setdefault(row.customer_id, Exposed(row.variant, row.at))
    return found


def _scored(score: float, scale: str | None, metric: str) -> float | None:
    spec = SCALES.get(scale or "")
    if spec is None:
        return None
    band = spec.band(score)
    if metric == "csat":
        return 100.0 if band == "top" else 0.0
    if scale != "nps":
        return None
    return 100.0 if band == "top" else (-100.0 if band == "low" else 0.0)


def outcomes(
    engine: Engine, key: str, metric: str, start: datetime, exposed: dict[str, Exposed]
) -> Outcomes:
    """The units of ``metric`` (see the module's docstring)."""
    rows: list[tuple[str, datetime, float, float]] = []
    if metric == "store_rating":
        imported = select(
            ExperimentObservation.variant,
            ExperimentObservation.day,
            ExperimentObservation.value,
            ExperimentObservation.count,
        ).where(ExperimentObservation.experiment == key, ExperimentObservation.metric == metric)
        with engine.connect() as conn:
            rows = [(v, d, x, float(c)) for v, d, x, c in conn.execute(imported)]
    elif metric in ("response_rate", "csat", "nps"):
        sent = (
            select(
                Exposure.customer_id,
                Invitation.sent_at,
                Invitation.answered_at,
                FeedbackItem.score,
                FeedbackItem.scale,
            )
            .join(Invitation, Invitation.id == Exposure.invitation_id)
            .outerjoin(FeedbackItem, FeedbackItem.id == Invitation.item_id)
            .where(Exposure.experiment == key, Exposure.source == "invitation")
            .order_by(Invitation.sent_at, Invitation.id)
        )
        answered: dict[str, float] = {}
        scores: dict[str, float] = {}
        with engine.connect() as conn:
            for row in conn.execute(sent):
                hit = 100.0 if row.answered_at is not None else 0.0
                answered[row.customer_id] = max(answered.get(row.customer_id, 0.0), hit)
                if row.score is not None and row.customer_id not in scores:
                    value = _scored(row.score, row.scale, metric)
                    if value is not None:
                        scores[row.customer_id] = value
        source = answered if metric == "response_rate" else scores
        for customer, value in source.items():
            if customer in exposed:
                first = exposed[customer]
                rows.append((first.variant, first.at, value, 1.0))
    elif metric == "repeat_rate":
        since = min((e.at for e in exposed.values()), default=start)
        later = (
            select(FeedbackItem.customer_id, FeedbackItem.occurred_at)
            .where(
                FeedbackItem.kind == "contact",
                FeedbackItem.customer_id.is_not(None),
                FeedbackItem.occurred_at >= since,
            )
            .order_by(FeedbackItem.occurred_at)
        )
        contacts: dict[str, list[datetime]] = defaultdict(list)
        with engine.connect() as conn:
            for contact_customer, occurred_at in conn.execute(later):
                if contact_customer in exposed:
                    contacts[contact_customer].append(occurred_at)
        for customer, times in contacts.items():
            first = exposed[customer]
            inside = [t for t in times if first.at <= t <= first.at + REPEAT_WINDOW]
            if inside:
                rows.append((first.variant, first.at, 100.0 if len(inside) > 1 else 0.0, 1.0))
    else:
        raise ValueError(metric)
    return Outcomes(
        np.array([r[0] for r in rows], dtype=object),
        np.array([max(0, (r[1] - start).days) for r in rows], dtype=int),
        np.array([r[2] for r in rows], dtype=float),
        np.array([r[3] for r in rows], dtype=float),
    )
