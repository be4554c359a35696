"""The planted driver: a fee that appears in spring, drags NPS down and drives churn of
high-revenue customers.

From :data:`FEE_START` a "package service fee" is charged to affluent, premium and business
customers. Some of their relationship-NPS answers become detractor answers about it (the
classifier files them under ``payments.fees``), and most of those customers leave within
20–80 days; their exit surveys name high fees. ``otklik drivers``/``otklik backlog`` and the
Priorities page find it first; the demo summary shows it with its cost.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from otklik.demo.company import Company
from otklik.demo.texts import pick
from otklik.demo.timeline import DAY, END, clock, day_offset, to_datetime

__all__ = [
    "FEE_CHURN",
    "FEE_SHARE",
    "FEE_START",
    "FEE_TOPIC",
    "fee_answer",
    "plant_fee",
    "top_problems",
]

FEE_START = datetime(2025, 4, 1)
FEE_TOPIC = "payments.fees"
FEE_SHARE = 0.03  # of all survey rows (about 7% of relationship-NPS answers after March)
FEE_CHURN = 0.6  # of the customers who complain about it leave within 20–80 days
_RICH = frozenset({"affluent", "premium", "sme"})
_SCORES = (0, 0, 1, 1, 2, 2, 3, 3, 4, 5)
_TEXTS: dict[str, tuple[str, ...]] = {
    "ru": (
        "С апреля ввели плату за обслуживание пакета — {amount} ₽ в месяц. Комиссия ни за что.",
        "Новая комиссия за обслуживание премиального пакета, {amount} ₽ в месяц. Закрываю счета.",
        "Без предупреждения начали брать плату за обслуживание {amount} ₽. Ухожу в другой банк.",
        "Плата за обслуживание выросла до {amount} ₽, раньше было бесплатно. Это грабёж.",
    ),
    "en": (
        "Since April you charge a package service charge of {amount} RUB a month. Unacceptable.",
        "A new monthly fee of {amount} RUB for the premium package, without warning. I'm leaving.",
        "The service charge is now {amount} RUB; it used to be free of charge. Moving my money.",
    ),
}


def plant_fee(company: Company, rng: random.Random, surveys: int) -> None:
    """Choose which survey rows become fee complaints, by whom and when, and make most of
    those customers leave; recorded on ``company.planted`` (survey number → customer, time)."""
    rich = [i for i in company.loyal if company.segment[i] in _RICH]
    if not rich:
        return
    start, count = day_offset(FEE_START), max(1, round(surveys * FEE_SHARE))
    numbers = rng.sample(range(1, surveys + 1), min(count, surveys))
    drawn = []
    for number in numbers:
        who = pick(rng, rich)
        at = start + int(rng.random() * (END - start - 2 * DAY)) // DAY * DAY + clock(rng)
        drawn.append((at, number, who, rng.random(), rng.random()))
    leaving: list[int] = []
    for at, number, who, roll, delay in sorted(drawn):  # in time order
        if company.churned[who] <= at:  # left after an earlier complaint
            continue
        company.planted[number] = (who, at)
        if who not in leaving and roll < FEE_CHURN:
            leave = at + int((20 + 60 * delay) * DAY)
            if leave < END:
                company.churned[who] = leave
                leaving.append(who)
    gone = set(leaving)
    company.loyal[:] = [i for i in company.loyal if i not in gone]
    # Leavers at the front of the list answer the exit survey.
    company.leavers[:0] = leaving
    company.fee_leavers.update(gone)


def fee_answer(
    company: Company, number: int, rng: random.Random, amount: Sequence[int] = (290, 490, 990)
) -> dict[str, Any]:
    """The relationship-NPS answer of planted survey row ``number``."""
    who, at = company.planted[number]
    lang = "ru" if company.lang[who] == "ru" else "en"
    text = pick(rng, _TEXTS[lang]).format(amount=pick(rng, amount))
    return {
        "external_id": f"demo-survey-{number:06d}",
        "kind": "survey",
        "channel": "app" if rng.random() < 0.6 else "email",
        "occurred_at": to_datetime(at),
        "customer_id": company.ids[who],
        "score": float(pick(rng, _SCORES)),
        "scale": "nps",
        "text": text,
        "language": lang,
        "product": company.product[who],
        "region": company.region[who],
        "team": None,
        "agent": None,
        "owner_team": None,
        "touchpoint": "relationship",
        "handle_time_s": None,
        "wait_time_s": None,
        "transfers": None,
        "resolved": None,
        "ended_by": None,
        "revenue": company.revenue[who],
        "attributes": None,
    }


def top_problems(engine: Engine, count: int = 3) -> list[dict[str, Any]]:
    """The first ``count`` problems of ``otklik backlog`` over the demo year (impact on NPS,
    share, revenue at risk): the planted fee comes first, with its cost."""
    from otklik.classify import DEFAULT_TAXONOMY, load_taxonomy
    from otklik.demo.scenario import ITEM_SOURCES, PERIOD_START
    from otklik.drivers import analyse, backlog
    from otklik.metrics import Period, get_zone

    report = analyse(
        engine,
        metric="nps",
        period=Period.parse(str(PERIOD_START.year)),
        timezone=get_zone("UTC"),
        taxonomy=load_taxonomy(DEFAULT_TAXONOMY),
        filters={"source": list(ITEM_SOURCES)},
    )
    return backlog(report, count)
