"""Demo conduct data (docs/conduct.md): a few abusive customers, one courier address where
drivers are repeatedly abused (it becomes a risk area), and one operator who over-flags.

:func:`load_conduct_demo` writes the abusive contacts, classifies and routes them (which checks
them on arrival, like any import), then :func:`play_conduct_policy` takes the policy steps,
reviews and an appeal, as operators and supervisors would.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from otklik.conduct import appeal, apply_step, load_policy, review, set_risk
from otklik.config import load_settings
from otklik.ledger import ConductEvent, FeedbackItem, write_items
from otklik.routing import classify_and_route

__all__ = [
    "CONDUCT_SOURCE",
    "RISK_ADDRESS",
    "add_conduct_items",
    "load_conduct_demo",
    "play_conduct_policy",
]

CONDUCT_SOURCE = "demo-conduct"
RISK_ADDRESS = "Москва, ул. Складская, 7"
SUPERVISOR = "lead@demo.otklik"

# (customer, channel, text, address or None); our own text.
_MESSAGES: tuple[tuple[str, str, str, str | None], ...] = (
    ("demo-abuser-1", "chat", "Третий раз пишу! Вы там совсем охуели? Где мои деньги?", None),
    ("demo-abuser-1", "call", "Слушай, дебил, переключи на нормального человека.", None),
    ("demo-abuser-1", "chat", "Ты тупая или притворяешься? Верни деньги, сука.", None),
    ("demo-abuser-1", "email", "Уроды, я вас всех урою, если завтра не вернёте.", None),
    ("demo-abuser-2", "call", "Я знаю, где ты живёшь. Лучше верни деньги по-хорошему.", None),
    ("demo-abuser-2", "chat", "Что на тебе сейчас надето? Скинь фотку, детка.", None),
    ("demo-abuser-3", "chat", "Пиздец, а не поддержка. Ждал час.", None),
    ("demo-abuser-3", "call", "Заткнись и слушай, что я говорю.", None),
    ("demo-abuser-4", "call", "Курьеру вашему ноги переломаю, если опять опоздает.", RISK_ADDRESS),
    ("demo-abuser-4", "chat", "Ваш курьер — полный идиот, пусть только сунется.", RISK_ADDRESS),
    ("demo-abuser-5", "call", "Ещё раз этот водитель приедет — мало не покажется.", RISK_ADDRESS),
    ("demo-abuser-6", "chat", "You stupid bitch, put me through to a manager.", None),
    ("demo-abuser-6", "email", "What the fuck is wrong with you people?", None),
)


def _agents(engine: Engine) -> list[tuple[str, str | None, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedbackItem.agent, FeedbackItem.team, func.count())
            .where(FeedbackItem.kind == "contact", FeedbackItem.agent.is_not(None))
            .group_by(FeedbackItem.agent, FeedbackItem.team)
            .order_by(func.count().desc(), FeedbackItem.agent)
        ).all()
    return [(str(a), t, int(n)) for a, t, n in rows]


def add_conduct_items(engine: Engine, seed: int = 42) -> int:
    """Write the abusive customers' contacts; returns how many were new."""
    rng = random.Random(f"{seed}-conduct")
    agents = _agents(engine)
    if not agents:
        return 0
    with engine.connect() as conn:
        last = conn.execute(select(func.max(FeedbackItem.occurred_at))).scalar()
    end = last or datetime(2025, 12, 31)
    items = []
    for i, (customer, channel, text, address) in enumerate(_MESSAGES):
        agent, team, _ = agents[(i * 7) % len(agents)]
        attributes: dict[str, str] = {}
        if channel == "call":
            attributes["recording_url"] = f"https://recordings.example/demo/{i + 1}"
        if address:
            attributes["address"] = address
        items.append(
            {
                "external_id": f"{CONDUCT_SOURCE}-{i + 1:03d}",
                "kind": "contact",
                "channel": channel,
                "occurred_at": end - timedelta(days=rng.randint(1, 80), hours=rng.randint(0, 9)),
                "text": text,
                "customer_id": customer,
                "language": "en" if text.isascii() else "ru",
                "agent": agent,
                "team": team,
                "attributes": attributes or None,
            }
        )
    return write_items(engine, run_id=None, source=CONDUCT_SOURCE, items=items).imported


def play_conduct_policy(engine: Engine, seed: int = 42) -> None:
    """Steps, reviews and an appeal on the demo's abusive contacts, plus the over-flagger:
    the operator with most contacts ends many ordinary conversations as "abusive" and
    supervisors reverse most of those; peers flag rarely and are mostly upheld."""
    policy = load_policy()
    rng = random.Random(f"{seed}-conduct-policy")
    with engine.connect() as conn:
        played = conn.execute(
            select(func.count())
            .select_from(ConductEvent)
            .join(FeedbackItem, FeedbackItem.id == ConductEvent.item_id)
            .where(FeedbackItem.source == CONDUCT_SOURCE)
        ).scalar()
        if played:  # a second demo load changes nothing
            return
        flagged = conn.execute(
            select(FeedbackItem.id, FeedbackItem.agent, FeedbackItem.occurred_at)
            .where(FeedbackItem.source == CONDUCT_SOURCE)
            .order_by(FeedbackItem.external_id)
        ).all()
    for n, (item_id, agent, at) in enumerate(flagged):
        step = "warning" if n % 3 else "end"
        apply_step(engine, policy, item_id, step, by=str(agent), now=at + timedelta(minutes=3))
        decided = at + timedelta(hours=rng.randint(2, 40))
        if n == 5:  # the harasser appeals; the supervisor keeps the decision
            appeal(
                engine, policy, item_id, by="demo-abuser-2", note="Я просто пошутил", now=decided
            )
        review(engine, policy, item_id, "confirm", by=SUPERVISOR, now=decided)
    # The demo's year is over: the policy's automatic flags (90 days from each confirmation)
    # have expired, so the supervisors keep the two standing ones by hand.
    set_risk(
        engine,
        "address",
        RISK_ADDRESS,
        reason="курьеров трижды оскорбляли и угрожали им / couriers abused three times",
        by=SUPERVISOR,
        days=180,
    )
    set_risk(
        engine,
        "customer",
        "demo-abuser-1",
        reason="четыре подтверждённых инцидента / four confirmed incidents",
        by=SUPERVISOR,
        days=180,
    )
    agents = _agents(engine)
    if len(agents) < 5:
        return
    over = agents[0][0]
    with engine.connect() as conn:
        ordinary = conn.execute(
            select(FeedbackItem.id, FeedbackItem.agent, FeedbackItem.occurred_at)
            .where(
                FeedbackItem.kind == "contact",
                FeedbackItem.source != CONDUCT_SOURCE,
                FeedbackItem.agent.is_not(None),
            )
            .order_by(FeedbackItem.id)
        ).all()
    seen: dict[str, int] = {}
    for item_id, name, at in ordinary:
        agent = str(name)
        seen[agent] = seen.get(agent, 0) + 1
        # The over-flagger ends one contact in twelve as "abusive"; peers about one in 170.
        if (agent == over and seen[agent] % 12 != 1) or (agent != over and rng.random() >= 0.006):
            continue
        apply_step(engine, policy, item_id, "end", by=agent, now=at + timedelta(minutes=5))
        upheld = rng.random() < (0.2 if agent == over else 0.85)
        review(
            engine,
            policy,
            item_id,
            "confirm" if upheld else "reverse",
            by=SUPERVISOR,
            note=None if upheld else "в записи оскорблений нет",
            now=at + timedelta(hours=rng.randint(3, 72)),
        )


def load_conduct_demo(engine: Engine, seed: int = 42) -> None:
    """Everything above, after the demo's own classification (a second load changes nothing)."""
    if add_conduct_items(engine, seed):
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(FeedbackItem.id).where(FeedbackItem.source == CONDUCT_SOURCE)
                ).scalars()
            )
        settings = load_settings()
        classify_and_route(engine, taxonomy=settings.taxonomy, teams=settings.teams, item_ids=ids)
    play_conduct_policy(engine, seed)
