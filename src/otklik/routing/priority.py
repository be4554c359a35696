"""A case's priority and SLA state: the one definition the inbox, the API and exports sort by.

Priority is a whole number of points from 0 to 100, the sum of four parts:

=================  ======================================================================  ======
part               rule                                                                    points
=================  ======================================================================  ======
score              the item's score is in its scale's *low* band (NPS detractor 0–6,
                   CSAT5 1–2, …: :class:`otklik.types.ScaleSpec`)                            35
                   … in the *middle* band (passive, neutral)                                 10
customer value     the item's ``revenue``, else the customer's ``revenue`` from the
                   ``customers`` table (the same currency as imported): ≥ 100 000            20
                   ≥ 30 000                                                                  10
SLA time left      past due (overdue)                                                        30
                   due within :data:`DUE_SOON` (4 hours)                                     15
incident link      the item's attribute ``incident`` is set (an incident id, or true;
                   false, 0, "" and "no" do not count)                                       15
=================  ======================================================================  ======

A closed case keeps its score, value and incident points but gets none for SLA. Ties go to the
case due first, then the older case (lower id). There is no incidents package yet: an import
marks the link with the ``incident`` attribute (``--map attributes.incident=...``), and an
incident module will set the same attribute.

SLA states: ``overdue`` (past due), ``due_soon`` (due within :data:`DUE_SOON`), ``on_time``
(further away); a closed case has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, or_

from otklik.ledger import Case, Customer, FeedbackItem
from otklik.types import SCALES

__all__ = ["DUE_SOON", "SLA_STATES", "PriorityRules", "priority_columns", "sla_condition"]

DUE_SOON = timedelta(hours=4)
SLA_STATES = ("overdue", "due_soon", "on_time")
_NOT_LINKED = ("", "false", "0", "no", "none", "null")


@dataclass(frozen=True)
class PriorityRules:
    """The points and thresholds of the priority (defaults: the table in the module doc)."""

    low_score: int = 35
    middle_score: int = 10
    high_value: float = 100_000
    high_value_points: int = 20
    mid_value: float = 30_000
    mid_value_points: int = 10
    overdue: int = 30
    due_soon: int = 15
    incident: int = 15


def _low_score() -> ColumnElement[bool]:
    return or_(
        *(
            and_(FeedbackItem.scale == name, FeedbackItem.score <= spec.low_max)
            for name, spec in SCALES.items()
        )
    )


def _middle_score() -> ColumnElement[bool]:
    return or_(
        *(
            and_(
                FeedbackItem.scale == name,
                FeedbackItem.score > spec.low_max,
                FeedbackItem.score < spec.top_min,
            )
            for name, spec in SCALES.items()
        )
    )


def customer_value() -> ColumnElement[Any]:
    """The item's revenue, else its customer's (needs the outer join on ``customers``)."""
    return func.coalesce(FeedbackItem.revenue, Customer.revenue)


def incident_linked() -> ColumnElement[bool]:
    raw = func.lower(cast(FeedbackItem.attributes["incident"].as_string(), String))
    return and_(raw.is_not(None), raw.not_in(_NOT_LINKED))


def sla_condition(state: str, now: datetime) -> ColumnElement[bool]:
    """Cases in SLA ``state`` (one of :data:`SLA_STATES`) at ``now`` (naive UTC)."""
    open_ = Case.status != "closed"
    if state == "overdue":
        return and_(open_, Case.due_at < now)
    if state == "due_soon":
        return and_(open_, Case.due_at >= now, Case.due_at < now + DUE_SOON)
    if state == "on_time":
        return and_(open_, Case.due_at >= now + DUE_SOON)
    raise ValueError(f"unknown SLA state {state!r}; use {', '.join(SLA_STATES)}")


def priority_columns(
    now: datetime, rules: PriorityRules | None = None
) -> dict[str, ColumnElement[Any]]:
    """Labelled SQL columns: ``priority`` (the sum), its four parts (``p_score``, ``p_value``,
    ``p_sla``, ``p_incident``), ``sla`` (the state) and ``customer_value``.

    The query must join ``feedback_items`` and outer-join ``customers`` on ``customer_id``.
    """
    r = rules or PriorityRules()
    value = customer_value()
    parts = {
        "p_score": case(
            (_low_score(), literal(r.low_score)),
            (_middle_score(), literal(r.middle_score)),
            else_=literal(0),
        ),
        "p_value": case(
            (value >= r.high_value, literal(r.high_value_points)),
            (value >= r.mid_value, literal(r.mid_value_points)),
            else_=literal(0),
        ),
        "p_sla": case(
            (sla_condition("overdue", now), literal(r.overdue)),
            (sla_condition("due_soon", now), literal(r.due_soon)),
            else_=literal(0),
        ),
        "p_incident": case((incident_linked(), literal(r.incident)), else_=literal(0)),
    }
    total = parts["p_score"] + parts["p_value"] + parts["p_sla"] + parts["p_incident"]
    state = case(
        (sla_condition("overdue", now), literal("overdue")),
        (sla_condition("due_soon", now), literal("due_soon")),
        (sla_condition("on_time", now), literal("on_time")),
        else_=None,
    )
    columns: dict[str, ColumnElement[Any]] = {
        name: part.label(name) for name, part in parts.items()
    }
    columns["priority"] = total.label("priority")
    columns["sla"] = state.label("sla")
    columns["customer_value"] = value.label("customer_value")
    return columns
