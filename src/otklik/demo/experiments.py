"""The demo's experiments: a finished test of survey mechanics and a rollout at 50%.

* ``survey-sheet-vs-popup`` — a CSAT survey shown as a bottom sheet (control) or a popup, to
  1,600 customers over four weeks, plus link-survey invitations to other customers as the
  honest reference. The popup wins on response rate, but its answers are biased: more
  extremes, answered in seconds, scores that disagree with their comments. It was stopped
  without rolling the popup out.
* ``store-rating-prompt`` — asking for an app-store rating after the third successful payment
  (no open complaint, not asked in 90 days) against no prompt; the store rating trend is
  imported per day and variant; the prompt won and is rolled out to 50%.

Everything is deterministic (a fixed seed) and idempotent (skipped when already there).
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from otklik.classify import MachineLabel, write_machine_labels
from otklik.experiments import (
    build,
    choose_variant,
    create_experiment,
    get_experiment,
    list_experiments,
    set_status,
)
from otklik.ledger import ExperimentObservation, Exposure, Invitation, write_items
from otklik.ledger.models import FeedbackItem
from otklik.surveys import create_survey, list_surveys

__all__ = ["MECHANIC_KEY", "ROLLOUT_KEY", "load_experiments_demo"]

MECHANIC_KEY = "survey-sheet-vs-popup"
ROLLOUT_KEY = "store-rating-prompt"
SOURCE = "demo-experiments"
_SURVEY = "demo-mechanics-csat"

# (response rate, score distribution 1–5, median seconds to answer, comment agrees with score)
_MECHANICS: dict[str, tuple[float, list[float], float, float]] = {
    "bottom-sheet": (0.24, [0.06, 0.08, 0.16, 0.36, 0.34], 14.0, 0.86),
    "popup": (0.33, [0.10, 0.02, 0.05, 0.13, 0.70], 3.0, 0.55),
    "link": (0.14, [0.07, 0.09, 0.17, 0.35, 0.32], 25.0, 0.88),
}
_COMMENTS = {
    "negative": ["Долго грузится оплата", "Не прошёл платёж, деньги списали", "Неудобно"],
    "neutral": ["Нормально", "В целом ок", "Обычная оплата"],
    "positive": ["Всё быстро, спасибо", "Удобно и понятно", "Отлично работает"],
}


def _band(score: int) -> str:
    return "negative" if score <= 2 else ("positive" if score >= 4 else "neutral")


def _definitions() -> list[dict[str, Any]]:
    return [
        {
            "key": MECHANIC_KEY,
            "hypothesis": "A popup gets more CSAT answers than a bottom sheet without biasing them",
            "kind": "mechanic",
            "survey_type": "csat",
            "variants": [
                {"name": "bottom-sheet", "mechanic": "bottom-sheet"},
                {"name": "popup", "mechanic": "popup"},
            ],
            "metric": "response_rate",
            "guardrails": ["csat"],
            "mde": 4,
            "baseline": 24,
            "max_days": 28,
        },
        {
            "key": ROLLOUT_KEY,
            "hypothesis": "Asking for a store rating after the third payment raises the rating",
            "kind": "store-prompt",
            "variants": [
                {"name": "no-prompt"},
                {
                    "name": "after-third-payment",
                    "store_prompt": {
                        "successful_payments": 3,
                        "no_open_complaint": True,
                        "not_asked_days": 90,
                    },
                },
            ],
            "metric": "store_rating",
            "mde": 0.2,
            "sd": 1.2,
            "max_days": 28,
        },
    ]


def load_experiments_demo(engine: Engine, *, end: datetime, customers: int = 1600) -> bool:
    """Add the two demo experiments ending at ``end``; False when they are there already."""
    if any(s.key == MECHANIC_KEY for s in list_experiments(engine)):
        return False
    rng = random.Random(19)
    start = end - timedelta(days=35)
    first, second = (build(d) for d in _definitions())
    create_experiment(engine, first, now=start)
    create_experiment(engine, second, now=start)
    _mechanics(engine, rng, start, customers)
    set_status(
        engine,
        MECHANIC_KEY,
        "stopped",
        detail={"note": "popup won on response rate but its scores are biased; not rolled out"},
        now=start + timedelta(days=28),
    )
    _ratings(engine, rng, start, customers)
    stages = (("stopped", None, 21), ("rollout", 20, 24), ("rollout", 50, 30))
    for status, stage, day in stages:
        set_status(
            engine,
            ROLLOUT_KEY,
            status,
            stage=stage,
            winner="after-third-payment",
            now=start + timedelta(days=day),
        )
    return True


def _survey_id(engine: Engine) -> int:
    for survey in list_surveys(engine):
        if survey.name == _SURVEY:
            return survey.id
    return create_survey(engine, name=_SURVEY, type="csat").id


def _mechanics(engine: Engine, rng: random.Random, start: datetime, customers: int) -> None:
    stored = get_experiment(engine, MECHANIC_KEY)
    survey_id = _survey_id(engine)
    plan: list[tuple[str, str, bool]] = []  # customer, mechanic, in the experiment
    for number in range(customers):
        customer = f"exp-{number:05d}"
        plan.append((customer, choose_variant(stored, customer), True))
    for number in range(customers // 2):
        plan.append((f"ref-{number:05d}", "link", False))
    invitations, items, answers = [], [], {}
    for position, (customer, mechanic, _inside) in enumerate(plan):
        rate, weights, median, agree = _MECHANICS[mechanic]
        sent = start + timedelta(days=rng.random() * 28, minutes=position % 600)
        sent = sent.replace(microsecond=0)
        invitations.append(
            {
                "survey_id": survey_id,
                "survey": _SURVEY,
                "survey_type": "csat",
                "customer_id": customer,
                "channel": "app",
                "mechanic": mechanic,
                "transaction_id": None,
                "operation_at": sent,
                "sent_at": sent,
                "expires_at": sent + timedelta(days=14),
                "forced": False,
            }
        )
        if rng.random() >= rate:
            continue
        score = rng.choices([1, 2, 3, 4, 5], weights)[0]
        seconds = round(median * math.exp(rng.gauss(0, 0.6)), 1)
        sentiment = _band(score) if rng.random() < agree else rng.choice(list(_COMMENTS))
        text = rng.choice(_COMMENTS[sentiment]) if rng.random() < 0.5 else None
        external_id = f"demo-exp-{position:06d}"
        answers[position] = (external_id, seconds, sent + timedelta(seconds=seconds + 5), sentiment)
        items.append(
            {
                "external_id": external_id,
                "kind": "survey",
                "channel": "app",
                "occurred_at": sent + timedelta(seconds=seconds + 5),
                "customer_id": customer,
                "score": float(score),
                "scale": "csat5",
                "text": text,
                "touchpoint": f"CSAT after payment ({mechanic})",
                "product": "payments",
            }
        )
    write_items(engine, run_id=None, source=SOURCE, items=items)
    with engine.connect() as conn:
        ids = dict(
            conn.execute(
                select(FeedbackItem.external_id, FeedbackItem.id).where(
                    FeedbackItem.source == SOURCE
                )
            ).all()
        )
    labels = []
    with engine.begin() as conn:
        for position, values in enumerate(invitations):
            result = conn.execute(insert(Invitation).values(**values))
            assert result.inserted_primary_key is not None
            invitation_id = int(result.inserted_primary_key[0])
            customer, mechanic, inside = plan[position]
            if inside:
                conn.execute(
                    insert(Exposure).values(
                        experiment=MECHANIC_KEY,
                        customer_id=customer,
                        variant=mechanic,
                        source="invitation",
                        invitation_id=invitation_id,
                        at=values["sent_at"],
                    )
                )
            if position in answers:
                external_id, seconds, at, sentiment = answers[position]
                item_id = ids[external_id]
                conn.execute(
                    update(Invitation)
                    .where(Invitation.id == invitation_id)
                    .values(
                        answered_at=at,
                        answer_mode="widget",
                        seconds_to_answer=seconds,
                        item_id=item_id,
                    )
                )
                labels.append(
                    MachineLabel(item_id, "praise", sentiment, [], {}, "ru", None, "rules", 0.8, {})
                )
    write_machine_labels(engine, labels)


def _ratings(engine: Engine, rng: random.Random, start: datetime, customers: int) -> None:
    stored = get_experiment(engine, ROLLOUT_KEY)
    exposures = []
    for number in range(customers):
        customer = f"exp-{number:05d}"
        variant = choose_variant(stored, customer)
        day = start + timedelta(days=rng.random() * 21)
        exposures.append(
            {
                "experiment": ROLLOUT_KEY,
                "customer_id": customer,
                "variant": variant,
                "source": "store-prompt" if variant != "no-prompt" else "api",
                "invitation_id": None,
                "at": day.replace(microsecond=0),
            }
        )
    mix = {
        "no-prompt": [0.10, 0.05, 0.08, 0.20, 0.57],
        "after-third-payment": [0.04, 0.02, 0.05, 0.17, 0.72],
    }
    observations = []
    for offset in range(21):
        for variant, weights in mix.items():
            counts = [0] * 5
            for _ in range(rng.randint(30, 45)):
                counts[rng.choices(range(5), weights)[0]] += 1
            for stars, count in enumerate(counts, start=1):
                if count:
                    observations.append(
                        {
                            "experiment": ROLLOUT_KEY,
                            "metric": "store_rating",
                            "variant": variant,
                            "day": (start + timedelta(days=offset)).replace(
                                hour=0, minute=0, second=0, microsecond=0
                            ),
                            "value": float(stars),
                            "count": count,
                        }
                    )
    with engine.begin() as conn:
        conn.execute(insert(Exposure), exposures)
        conn.execute(insert(ExperimentObservation), observations)
