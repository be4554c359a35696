"""Money: revenue at risk per topic, and revenue lost per churn reason.

*Revenue at risk* of a topic (over the period): the yearly revenue (``customers.revenue``) of
customers who mentioned the topic and then left within ``window_days`` of their first mention
(``customers.churned_at``), plus that of customers who mentioned it in a low-scored answer
(a detractor on NPS, the scale's low band elsewhere) and have not left: lost, and at risk.
Each customer counts once per topic. *Lost per churn reason*: the revenue of customers who gave
the reason (exit-survey items tagged with ``churn_reasons`` by classification) in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from otklik.drivers.frame import ItemFrame
from otklik.ledger import Customer
from otklik.types import SCALES

__all__ = ["CustomerBook", "Money", "churn_reason_losses", "load_customers", "revenue_at_risk"]

METHOD = (
    "revenue of customers who mentioned the topic and left within {window} days of the first "
    "mention, plus revenue of customers who mentioned it in a low-scored answer and stayed"
)


@dataclass(frozen=True)
class CustomerBook:
    """Customers' yearly revenue and churn time (NaT: still a customer), by customer id."""

    revenue: dict[str, float]
    churned: dict[str, np.datetime64]


@dataclass(frozen=True)
class Money:
    amount: float
    churned: float
    churned_n: int
    detractors: float
    detractors_n: int
    currency: str
    window_days: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": round(self.amount, 2),
            "currency": self.currency,
            "n": self.churned_n + self.detractors_n,
            "churned": round(self.churned, 2),
            "churned_n": self.churned_n,
            "detractors": round(self.detractors, 2),
            "detractors_n": self.detractors_n,
            "window_days": self.window_days,
            "method": METHOD.format(window=self.window_days),
        }


def load_customers(engine: Engine, ids: Sequence[str] | None = None) -> CustomerBook:
    """Revenue and churn time of every customer (or of ``ids``)."""
    query = select(Customer.customer_id, Customer.revenue, Customer.churned_at)
    revenue: dict[str, float] = {}
    churned: dict[str, np.datetime64] = {}
    wanted = set(ids) if ids is not None else None
    with engine.connect() as conn:
        for customer, value, left in conn.execute(query):
            if wanted is not None and customer not in wanted:
                continue
            if value is not None:
                revenue[customer] = float(value)
            if left is not None:
                churned[customer] = np.datetime64(left.replace(tzinfo=None), "s")
    return CustomerBook(revenue, churned)


def _low(frame: ItemFrame) -> np.ndarray:
    low = np.zeros(len(frame), dtype=bool)
    for name, spec in SCALES.items():
        low |= (frame.scale == name) & (frame.score <= spec.low_max)
    return low


def revenue_at_risk(
    frame: ItemFrame,
    member: np.ndarray,
    book: CustomerBook,
    *,
    currency: str,
    window_days: int = 90,
) -> list[Money]:
    """Revenue at risk per column of ``member`` (items × topics), over the period's items."""
    window = np.timedelta64(timedelta(days=window_days), "s")
    base = frame.current & np.array([c is not None for c in frame.customer], dtype=bool)
    rows = np.flatnonzero(base)
    rows = rows[np.argsort(frame.at[rows], kind="stable")]  # in time order
    names, codes = np.unique(frame.customer[rows].astype(str), return_inverse=True)
    revenue = np.array([book.revenue.get(name, np.nan) for name in names], dtype=float)
    never = np.datetime64("NaT", "s")
    left = np.array([book.churned.get(name, never) for name in names], dtype="datetime64[s]")
    low = _low(frame)[rows]
    at = frame.at[rows]
    out = []
    for j in range(member.shape[1]):
        chosen = member[rows, j]
        who, first = np.unique(codes[chosen], return_index=True)
        mentioned = at[chosen][first]
        unhappy = np.zeros(len(names), dtype=bool)
        unhappy[codes[chosen & low]] = True
        value = revenue[who]
        gone = left[who]
        known = ~np.isnan(value)
        churned = known & ~np.isnat(gone) & (gone >= mentioned) & (gone <= mentioned + window)
        stayed = known & np.isnat(gone) & unhappy[who]
        out.append(
            Money(
                float(value[churned].sum() + value[stayed].sum()),
                float(value[churned].sum()),
                int(churned.sum()),
                float(value[stayed].sum()),
                int(stayed.sum()),
                currency,
                window_days,
            )
        )
    return out


def churn_reason_losses(
    frame: ItemFrame, book: CustomerBook, *, currency: str
) -> list[dict[str, Any]]:
    """Revenue lost per churn reason in the period: the customers who gave it on an exit item
    and their yearly revenue, most money first."""
    found: dict[str, set[str]] = {}
    for i in np.flatnonzero(frame.current & (frame.kind == "exit")):
        customer = frame.customer[i]
        if customer is None:
            continue
        for reason in frame.churn_reasons[i]:
            found.setdefault(reason, set()).add(customer)
    rows = []
    for reason, customers in found.items():
        known = [book.revenue[c] for c in customers if c in book.revenue]
        rows.append(
            {
                "reason": reason,
                "n": len(customers),
                "revenue_lost": round(float(sum(known)), 2),
                "revenue_n": len(known),
                "currency": currency,
                "method": "yearly revenue of customers who gave the reason on an exit survey",
            }
        )
    return sorted(rows, key=lambda row: (-row["revenue_lost"], row["reason"]))
