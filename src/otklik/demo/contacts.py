"""Calls, chats and e-mails with their handling facts, and the customers who come back.

Two planted patterns live here: the agent who keeps his handle time low by ending calls (his
customers call again), and insurance claims bounced between the bank and its partner.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Any

from otklik.demo.company import Company
from otklik.demo.scenario import GAMING_AGENT, GAMING_TEAM, REPEAT_WINDOW_DAYS
from otklik.demo.tables import (
    CONTACT_CHANNELS,
    CONTACT_TOPICS,
    PRODUCT_OF_TOPIC,
    TOUCHPOINT_OF_TOPIC,
    weighted,
)
from otklik.demo.texts import TextMaker, pick
from otklik.demo.timeline import (
    DAY,
    END,
    HOUR,
    OUTAGE_FROM,
    OUTAGE_TO,
    draw_time,
    outage_time,
    to_datetime,
)

__all__ = ["AGENTS", "contacts"]

AGENTS: dict[str, tuple[str, ...]] = {
    GAMING_TEAM: (
        "Анна Смирнова",
        "Ирина Кузнецова",
        "Ольга Попова",
        "Михаил Васильев",
        "Сергей Петров",
        "Алексей Соколов",
        "Мария Михайлова",
        "Елена Новикова",
        "Дмитрий Федоров",
        "Наталья Морозова",
        GAMING_AGENT,
        "Татьяна Волкова",
        "Андрей Алексеев",
        "Юлия Лебедева",
        "Павел Семенов",
        "Екатерина Егорова",
        "Игорь Павлов",
        "Светлана Козлова",
        "Николай Степанов",
        "Ксения Николаева",
    ),
    "Chat support": (
        "Виктория Орлова",
        "Артем Андреев",
        "Полина Макарова",
        "Роман Никитин",
        "Дарья Захарова",
        "Кирилл Зайцев",
        "Алина Соловьева",
        "Максим Борисов",
        "Вероника Яковлева",
        "Антон Григорьев",
        "Евгения Романова",
        "Глеб Воробьев",
    ),
    "Back office": (
        "Людмила Сергеева",
        "Вадим Кузьмин",
        "Галина Фролова",
        "Олег Александров",
        "Марина Дмитриева",
    ),
    "Insurance partner": (
        "Оксана Королева",
        "Руслан Гусев",
        "Валерия Киселева",
        "Станислав Ильин",
        "Жанна Максимова",
        "Тимур Поляков",
    ),
    "Marketplace support": (
        "Ангелина Сорокина",
        "Илья Виноградов",
        "София Белова",
        "Егор Медведев",
        "Алёна Антонова",
        "Никита Тарасов",
        "Карина Жукова",
        "Степан Баранов",
    ),
}
_TEAM_OF_CHANNEL = {"call": GAMING_TEAM, "chat": "Chat support", "email": "Back office"}
# Each agent works at their own pace: 0.8x .. 1.25x the team's typical handle time.
_PACE: dict[str, float] = {
    agent: 0.8 + 0.45 * ((position * 7) % len(team)) / (len(team) - 1)
    for team in AGENTS.values()
    for position, agent in enumerate(team)
}
_LOG_HANDLE = {"call": math.log(300), "chat": math.log(540), "email": math.log(420)}
_LOG_GAMING_HANDLE = math.log(85)
_TOPIC_PACE = {"insurance": 1.3, "loan": 1.2, "delivery": 1.1}
_MEAN_WAIT = {"call": 80.0, "chat": 45.0, "email": 4.0 * HOUR}
_ENDED_BY: dict[str, tuple[str, ...]] = {
    "call": weighted((("customer", 88), ("agent", 6), ("system", 6))),
    "chat": weighted((("customer", 60), ("agent", 25), ("system", 15))),
}
_GAMING_ENDED_BY = weighted((("agent", 60), ("customer", 35), ("system", 5)))
_TRANSFERS = weighted(((0, 92), (1, 7), (2, 1)))
_INSURANCE_TRANSFERS = weighted(((0, 20), (1, 30), (2, 30), (3, 15), (4, 5)))
_SIDES = ("bank", "insurance partner")
_TEXT_SHARE = {"call": 0.0, "chat": 0.7, "email": 0.9}
_OUTAGE_SHARE = 0.02
_MAX_CALLBACKS = 3


class _Desk:
    """Handles one contact: who took it, how long it took, and whether the customer will be back."""

    def __init__(self, company: Company, rng: random.Random) -> None:
        self.company = company
        self.rng = rng
        self.texts = TextMaker(rng)

    def _route(self, topic: str, channel: str) -> tuple[str, int, dict[str, Any]]:
        rng = self.rng
        attributes: dict[str, Any] = {"topic": topic}
        if topic == "insurance":
            transfers = pick(rng, _INSURANCE_TRANSFERS)
            # Every transfer hands the customer to the other side; the last side keeps them.
            team = "Insurance partner" if transfers % 2 else _TEAM_OF_CHANNEL[channel]
            if transfers:
                path = [_SIDES[step % 2] for step in range(transfers + 1)]
                attributes["transfer_path"] = " → ".join(path)
            return team, transfers, attributes
        transfers = pick(rng, _TRANSFERS)
        if topic == "delivery" and channel != "email":
            return "Marketplace support", transfers, attributes
        return _TEAM_OF_CHANNEL[channel], transfers, attributes

    def handle(
        self, number: int, at: int, who: int, topic: str, channel: str
    ) -> tuple[dict[str, Any], float]:
        """The contact's ledger row and the chance the customer contacts us again this week."""
        rng, company = self.rng, self.company
        team, transfers, attributes = self._route(topic, channel)
        agent = pick(rng, AGENTS[team])
        outage_week = OUTAGE_FROM <= at < OUTAGE_TO
        ended_by: str | None
        if agent == GAMING_AGENT:
            handle = rng.lognormvariate(_LOG_GAMING_HANDLE, 0.45)
            ended_by = pick(rng, _GAMING_ENDED_BY)
            resolved = rng.random() < 0.38
            comeback = 0.55
        else:
            pace = _PACE[agent] * _TOPIC_PACE.get(topic, 1.0)
            handle = rng.lognormvariate(_LOG_HANDLE[channel], 0.5) * pace
            ended_by = pick(rng, _ENDED_BY[channel]) if channel in _ENDED_BY else None
            if topic == "login" and outage_week:
                chance = 0.3
            elif transfers and topic == "insurance":
                chance = 0.45
            else:
                chance = 0.82
            resolved = rng.random() < chance
            comeback = 0.06 if resolved else 0.3
        handle += transfers * (60 + rng.random() * 120)
        wait = rng.expovariate(1 / _MEAN_WAIT[channel])
        if outage_week and channel != "email":
            wait *= 4  # the queue during the outage
        text = lang = None
        if rng.random() < _TEXT_SHARE[channel]:
            lang = company.lang[who]
            text = self.texts.topic(lang, topic, "neg" if rng.random() < 0.65 else "mix")
        row = {
            "external_id": f"demo-contact-{number:06d}",
            "kind": "contact",
            "channel": channel,
            "occurred_at": to_datetime(at),
            "customer_id": company.ids[who],
            "score": None,
            "scale": None,
            "text": text,
            "language": lang,
            "product": PRODUCT_OF_TOPIC.get(topic) or company.product[who],
            "region": company.region[who],
            "team": team,
            "agent": agent,
            "owner_team": None,
            "touchpoint": TOUCHPOINT_OF_TOPIC[topic],
            "handle_time_s": float(round(handle)),
            "wait_time_s": float(round(wait)),
            "transfers": transfers,
            "resolved": resolved,
            "ended_by": ended_by,
            "revenue": company.revenue[who],
            "attributes": attributes,
        }
        return row, comeback


def contacts(company: Company, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``count`` contacts; an unresolved one is often followed by the same customer's next."""
    desk = _Desk(company, rng)
    window = REPEAT_WINDOW_DAYS * DAY - 2 * HOUR
    number = 0
    while number < count:
        if rng.random() < _OUTAGE_SHARE:
            at, topic = outage_time(rng), "login"
        else:
            at, topic = draw_time(rng), pick(rng, CONTACT_TOPICS)
        who = company.pick_active(rng, at, heavy=True)
        channel = pick(rng, CONTACT_CHANNELS.get(topic, CONTACT_CHANNELS["default"]))
        for callback in range(_MAX_CALLBACKS + 1):
            number += 1
            row, comeback = desk.handle(number, at, who, topic, channel)
            yield row
            if number >= count or callback == _MAX_CALLBACKS or rng.random() >= comeback:
                break
            at += HOUR + int(rng.random() * window)
            if at >= min(END, company.churned[who]):
                break
            channel = "call" if rng.random() < 0.7 else "chat"
