"""The demo's communications: every message a share of its customers received in the last six
months of the period, with outcomes that tire, so the fatigue page shows a real curve.

Each customer gets a contact intensity (a few messages a month to a dozen); messages arrive as
a Poisson process of that rate, typed marketing, service, survey invitation, incident update or
reply. The chance of an answer falls by about 12% with each message in the 30 days before (and
unsubscribes and complaints rise), the planted pattern that ``otklik contact fatigue`` finds.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from otklik.demo.generator import DemoData
from otklik.demo.scenario import PERIOD_END
from otklik.ledger import Communication

__all__ = ["CONTACT_CUSTOMERS", "load_contact_demo"]

CONTACT_CUSTOMERS = 1200
_DAYS = 180
_TYPES = (
    ("marketing", 0.5, ("push", "email", "sms"), 0.10),
    ("service", 0.25, ("push", "sms", "email"), 0.30),
    ("survey_invitation", 0.15, ("push", "sms", "email"), 0.25),
    ("incident_update", 0.05, ("push", "sms"), 0.20),
    ("reply", 0.05, ("email", "messenger"), 0.45),
)


def _messages(data: DemoData) -> list[dict[str, Any]]:
    rng = random.Random(f"otklik-demo:{data.seed}:contact")
    ids = data.company.ids[:CONTACT_CUSTOMERS]
    start = PERIOD_END - timedelta(days=_DAYS)
    rows: list[dict[str, Any]] = []
    weights = [share for _, share, _, _ in _TYPES]
    for customer in ids:
        per_month = rng.choice((0.5, 1, 2, 3, 4, 6, 8, 12))
        at, times = 0.0, []
        while True:
            at += rng.expovariate(per_month / 30)
            if at >= _DAYS:
                break
            times.append(at)
        for position, day in enumerate(times):
            earlier = sum(1 for other in times[:position] if day - other < 30)
            kind, _, channels, base = rng.choices(_TYPES, weights)[0]
            answer = base * math.exp(-0.12 * earlier)
            leave = 0.004 + 0.004 * earlier
            draw = rng.random()
            outcome = (
                "answered"
                if draw < answer
                else "unsubscribed"
                if draw < answer + leave
                else "complained"
                if draw < answer + leave * 1.3
                else rng.choice(("delivered", "opened"))
            )
            rows.append(
                {
                    "customer_id": customer,
                    "channel": rng.choice(channels),
                    "type": kind,
                    "sent_at": (start + timedelta(days=day)).replace(microsecond=0),
                    "outcome": outcome,
                    "source": "demo",
                    "external_id": f"demo:{customer}:{position}",
                }
            )
    return rows


def load_contact_demo(engine: Engine, data: DemoData) -> int:
    """Write the demo's messages once (a second load adds nothing); how many were written."""
    with engine.begin() as conn:
        done = conn.execute(
            select(func.count()).select_from(Communication).where(Communication.source == "demo")
        ).scalar()
        if done:
            return 0
        rows = _messages(data)
        for begin in range(0, len(rows), 5000):
            conn.execute(insert(Communication), rows[begin : begin + 5000])
    return len(rows)
