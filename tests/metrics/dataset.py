"""One small, deterministic dataset loaded into every engine, with the awkward cases in it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

START = datetime(2023, 12, 27)
CHANNELS = ("app", "web", "call", None)


def _at(rng: random.Random, days: int = 185) -> datetime:
    return START + timedelta(seconds=rng.randrange(days * 86400), microseconds=rng.randrange(10**6))


def items() -> list[dict[str, Any]]:
    rng = random.Random(20240101)
    rows: list[dict[str, Any]] = []

    def add(**fields: Any) -> None:
        rows.append({"external_id": f"x{len(rows)}", "channel": rng.choice(CHANNELS), **fields})

    for _ in range(320):
        add(
            kind=rng.choice(("survey", "survey", "review")),
            scale="nps",
            score=float(rng.choice((0, 3, 5, 6, 7, 8, 9, 9, 10, 10))),
            occurred_at=_at(rng),
        )
    for _ in range(45):
        add(kind="employee", scale="nps", score=float(rng.randrange(11)), occurred_at=_at(rng))
    for scale, low, high, count in (
        ("csat5", 1, 5, 160),
        ("csat10", 1, 10, 70),
        ("rating5", 1, 5, 40),
        ("ces7", 1, 7, 110),
    ):
        for _ in range(count):
            add(
                kind="survey",
                scale=scale,
                score=float(rng.randint(low, high)),
                occurred_at=_at(rng),
            )
    add(kind="employee", scale="csat5", score=5.0, occurred_at=_at(rng))  # not a customer
    add(kind="survey", scale="nps", score=None, occurred_at=_at(rng))  # no score: not counted
    # Period boundaries: exactly midnight of 1 February belongs to February.
    add(kind="survey", scale="nps", score=10.0, occurred_at=datetime(2024, 2, 1))
    add(
        kind="survey", scale="nps", score=0.0, occurred_at=datetime(2024, 1, 31, 23, 59, 59, 999999)
    )
    customers = [f"c{i:03d}" for i in range(70)]
    for _ in range(420):
        add(
            kind="contact",
            customer_id=rng.choice((*customers, None)),
            occurred_at=_at(rng),
            handle_time_s=rng.choice(
                (None, *(round(rng.expovariate(1 / 200), 3) for _ in range(9)))
            ),
            transfers=rng.choice((None, 0, 0, 0, 1, 2)),
            ended_by=rng.choice((None, "customer", "customer", "agent", "system")),
        )
    t = datetime(2024, 3, 4, 10, 30, 0, 250000)
    edge = [
        ("edge-exact", t),
        ("edge-exact", t + timedelta(days=7)),  # repeat: (t, t + 7d]
        ("edge-after", t),
        ("edge-after", t + timedelta(days=7, microseconds=1)),  # not a repeat
        ("edge-tie", t),
        ("edge-tie", t),  # same moment: no later contact, both resolved
    ]
    for customer, moment in edge:
        add(
            kind="contact",
            customer_id=customer,
            occurred_at=moment,
            channel="call",
            handle_time_s=100.0,
            transfers=0,
            ended_by="customer",
        )
    # A repeat in another channel still counts against the first call.
    add(
        kind="contact",
        customer_id="edge-chan",
        occurred_at=t,
        channel="call",
        handle_time_s=60.0,
        transfers=1,
        ended_by="agent",
    )
    add(
        kind="contact",
        customer_id="edge-chan",
        occurred_at=t + timedelta(days=1),
        channel="chat",
        handle_time_s=60.0,
        transfers=0,
        ended_by="customer",
    )
    # Exit surveys of customers who left: their own metric (exit_nps), in no customer metric.
    for _ in range(25):
        add(
            kind="exit", scale="nps", score=float(rng.choice((0, 2, 5, 8, 9))), occurred_at=_at(rng)
        )
    add(kind="exit", scale="csat5", score=1.0, occurred_at=_at(rng))
    for row in rows:
        row.setdefault("customer_id", None)
    return rows


def customers() -> list[dict[str, Any]]:
    rng = random.Random(7)
    rows = []
    for i in range(220):
        started = datetime(2023, 1, 1) + timedelta(seconds=rng.randrange(500 * 86400))
        churned = None
        if rng.random() < 0.4:
            churned = started + timedelta(seconds=rng.randrange(300 * 86400))
        rows.append(
            {
                "customer_id": f"c{i:03d}",
                "started_at": started,
                "churned_at": churned,
                "revenue": rng.choice((None, 50.0, 120.0, 990.0, 15000.0)),
                "segment": rng.choice(("retail", "sme", None)),
                "region": rng.choice(("north", "south")),
                "product": "card",
                "content_hash": f"h{i}",
            }
        )
    rows.append(
        {
            "customer_id": "edge-boundary",
            "started_at": datetime(2023, 5, 1),
            "churned_at": datetime(2024, 3, 1),
            "revenue": 100.0,
            "segment": "retail",
            "region": "north",
            "product": "card",
            "content_hash": "hb",
        }
    )
    rows.append(
        {
            "customer_id": "edge-nostart",
            "started_at": None,
            "churned_at": datetime(2024, 2, 10),
            "revenue": 100.0,
            "segment": "retail",
            "region": "north",
            "product": "card",
            "content_hash": "hn",
        }
    )
    return rows


SURVEYS = ((1, "checkout-csat", "csat"), (2, "quarterly-nps", "nps"))
MECHANICS = ("success-screen", "bottom-sheet", "popup", "link")
# Answer probability per mechanic: planted so the mechanics really differ.
ANSWER_RATE = {"success-screen": 0.45, "bottom-sheet": 0.35, "popup": 0.2, "link": 0.1}


def invitations() -> list[dict[str, Any]]:
    rng = random.Random(11)
    rows = []
    for i in range(400):
        sent = _at(rng)
        survey_id, survey, survey_type = rng.choice(SURVEYS)
        mechanic = rng.choice(MECHANICS)
        channel = "app" if mechanic != "link" else rng.choice(("sms", "push", "email", None))
        answered = None
        if rng.random() < ANSWER_RATE[mechanic]:
            answered = sent + timedelta(hours=rng.randrange(1, 48))
        rows.append(
            {
                "id": i + 1,
                "survey_id": survey_id,
                "survey": survey,
                "survey_type": survey_type,
                "customer_id": f"c{i % 90:03d}",
                "sent_at": sent,
                "expires_at": sent + timedelta(days=14),
                "answered_at": answered,
                "channel": channel,
                "mechanic": mechanic,
            }
        )
    return rows
