"""The survey, review, exit-survey and employee feeds (contacts have their own module).

Each feed is a generator of ledger item dicts drawn from its own random stream, so a feed can be
regenerated alone and always comes out the same.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from otklik.demo.company import Company
from otklik.demo.drivers import fee_answer
from otklik.demo.ex import answer_attributes
from otklik.demo.scenario import GROWING_REASON
from otklik.demo.tables import (
    CES_TOPICS,
    CSAT_TOPICS,
    EXIT_CHANNELS,
    EXIT_OTHER_REASONS,
    MARKETPLACE_REVIEW_TOPICS,
    PRODUCT_OF_TOPIC,
    REVIEW_TOPICS,
    SCORES,
    SURVEY_CHANNELS,
    SURVEY_SCALES,
    TOUCHPOINT_OF_TOPIC,
    nps_topics,
    weighted,
)
from otklik.demo.texts import TextMaker, pick, polarity
from otklik.demo.timeline import (
    DAY,
    END,
    clock,
    day_offset,
    draw_time,
    month_of,
    outage_time,
    to_datetime,
)

__all__ = ["employees", "exits", "reviews", "surveys"]

_TEXT_SHARE = {"neg": 0.6, "mix": 0.3, "pos": 0.28}
# Share of each feed's rows that the outage adds on top of an ordinary week.
_SURVEY_OUTAGE = 0.012
_REVIEW_OUTAGE = 0.05
_OUTAGE_SCALES = weighted((("nps", 40), ("csat5", 35), ("ces7", 25)))
_STORES = weighted((("Google Play", 45), ("App Store", 35), ("RuStore", 15), ("AppGallery", 5)))


def surveys(company: Company, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """NPS (relationship), CSAT and CES (after a transaction or contact) answers."""
    texts = TextMaker(rng)
    for number in range(1, count + 1):
        if number in company.planted:
            yield fee_answer(company, number, rng)
            continue
        topic: str | None
        outage = rng.random() < _SURVEY_OUTAGE
        if outage:
            at = outage_time(rng)
            scale = pick(rng, _OUTAGE_SCALES)
            topic = None if scale == "nps" else "login"
            mood = "bad" if rng.random() < 0.85 else "base"
            channel = "app" if rng.random() < 0.6 else "web"
        else:
            at = draw_time(rng)
            scale = pick(rng, SURVEY_SCALES)
            topic = (
                None
                if scale == "nps"
                else pick(rng, CES_TOPICS if scale == "ces7" else CSAT_TOPICS)
            )
            mood = "bad" if topic == "insurance" and rng.random() < 0.5 else "base"
            channel = pick(rng, SURVEY_CHANNELS)
        touchpoint = "relationship" if topic is None else TOUCHPOINT_OF_TOPIC[topic]
        who = company.pick_active(rng, at)
        score = pick(rng, SCORES[scale][mood])
        pol = polarity(scale, score)
        text = lang = None
        outage = outage and mood == "bad"
        if rng.random() < (0.9 if outage else _TEXT_SHARE[pol]):
            if topic is not None:
                about = topic
            elif outage and pol == "neg":
                about = "login"
            else:
                about = pick(rng, nps_topics(pol, month_of(at)))
            lang = company.lang[who]
            text = texts.topic(lang, about, pol)
        yield {
            "external_id": f"demo-survey-{number:06d}",
            "kind": "survey",
            "channel": channel,
            "occurred_at": to_datetime(at),
            "customer_id": company.ids[who],
            "score": score,
            "scale": scale,
            "text": text,
            "language": lang,
            "product": PRODUCT_OF_TOPIC.get(topic or "") or company.product[who],
            "region": company.region[who],
            "team": None,
            "agent": None,
            "owner_team": None,
            "touchpoint": touchpoint,
            "handle_time_s": None,
            "wait_time_s": None,
            "transfers": None,
            "resolved": None,
            "ended_by": None,
            "revenue": company.revenue[who],
            "attributes": None,
        }


def _app_version(at: int) -> str:
    # A release every three weeks.
    return f"6.{at // (21 * DAY)}.{(at // DAY) % 3}"


def reviews(company: Company, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """App-store reviews (anonymous) and marketplace order reviews (by buyers), 1-5 stars."""
    texts = TextMaker(rng)
    for number in range(1, count + 1):
        outage = rng.random() < _REVIEW_OUTAGE
        at = outage_time(rng) if outage else draw_time(rng)
        in_store = outage or rng.random() < 0.72
        mood = "bad" if outage and rng.random() < 0.9 else "base"
        score = pick(rng, SCORES["rating5"][mood])
        pol = polarity("rating5", score)
        if in_store:
            # Store reviewers are anonymous; their region and language follow the customer base.
            profile = int(rng.random() * len(company))
            customer_id, revenue, product = None, None, None
            channel, touchpoint = "store", pick(rng, _STORES)
            attributes: dict[str, Any] | None = {"app_version": _app_version(at)}
            topic = "login" if outage and pol == "neg" else pick(rng, REVIEW_TOPICS[pol])
        else:
            profile = company.pick_active(rng, at)
            customer_id, product = company.ids[profile], "marketplace"
            revenue = round(rng.lognormvariate(math.log(2_500), 0.9), 2)
            channel, touchpoint, attributes = "marketplace", "marketplace order", None
            topic = pick(rng, MARKETPLACE_REVIEW_TOPICS)
        text = lang = None
        if rng.random() < (0.85 if pol != "pos" else 0.7):
            lang = company.lang[profile]
            text = texts.topic(lang, topic, pol)
        yield {
            "external_id": f"demo-review-{number:06d}",
            "kind": "review",
            "channel": channel,
            "occurred_at": to_datetime(at),
            "customer_id": customer_id,
            "score": score,
            "scale": "rating5",
            "text": text,
            "language": lang,
            "product": product,
            "region": company.region[profile],
            "team": None,
            "agent": None,
            "owner_team": None,
            "touchpoint": touchpoint,
            "handle_time_s": None,
            "wait_time_s": None,
            "transfers": None,
            "resolved": None,
            "ended_by": None,
            "revenue": revenue,
            "attributes": attributes,
        }


def _growing_share(month: int) -> float:
    """The planted churn reason: 8% of leavers in January, about 41% in December."""
    return 0.08 + 0.03 * month


def exits(company: Company, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Exit surveys: one per responding leaver, a few days after they left."""
    texts = TextMaker(rng)
    for number, who in enumerate(company.leavers[:count], start=1):
        at = min(company.churned[who] + int(rng.random() * 3 * DAY), END - 1)
        if who in company.fee_leavers or rng.random() < _growing_share(month_of(at)):
            reason = GROWING_REASON
        else:
            reason = pick(rng, EXIT_OTHER_REASONS)
        score: float | None = None
        if rng.random() < 0.7:
            calm = reason in ("moving away", "no longer needed")
            score = pick(rng, SCORES["nps"]["base" if calm else "bad"])
        text = lang = None
        if rng.random() < 0.65:
            lang = company.lang[who]
            text = texts.exit_reason(lang, reason)
        yield {
            "external_id": f"demo-exit-{number:06d}",
            "kind": "exit",
            "channel": pick(rng, EXIT_CHANNELS),
            "occurred_at": to_datetime(at),
            "customer_id": company.ids[who],
            "score": score,
            "scale": "nps" if score is not None else None,
            "text": text,
            "language": lang,
            "product": company.product[who],
            "region": company.region[who],
            "team": None,
            "agent": None,
            "owner_team": None,
            "touchpoint": "account closure",
            "handle_time_s": None,
            "wait_time_s": None,
            "transfers": None,
            "resolved": None,
            "ended_by": None,
            "revenue": company.revenue[who],
            "attributes": {"churn_reason": reason},
        }


_WAVES: tuple[tuple[str, int], ...] = (
    ("2025-Q1", day_offset(datetime(2025, 3, 17))),
    ("2025-Q2", day_offset(datetime(2025, 6, 16))),
    ("2025-Q3", day_offset(datetime(2025, 9, 15))),
    ("2025-Q4", day_offset(datetime(2025, 12, 8))),
)
_STAFF_TEAMS = weighted(
    (
        ("Contact center", 30),
        ("Chat support", 12),
        ("IT", 15),
        ("Mobile app", 8),
        ("Cards", 8),
        ("Lending", 8),
        ("Marketplace", 10),
        ("Branches", 9),
    )
)
_FRONT_LINE = frozenset({"Contact center", "Chat support"})
_OFFICES = weighted((("Moscow", 60), ("Saint Petersburg", 15), ("Kazan", 13), ("Novosibirsk", 12)))


def employees(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Quarterly eNPS answers; the front line grows less happy wave after wave."""
    texts = TextMaker(rng)
    for number in range(1, count + 1):
        wave = int(rng.random() * len(_WAVES))
        label, start = _WAVES[wave]
        # Most answers come in the first days after the invitation.
        at = start + int(14 * rng.random() ** 2) * DAY + clock(rng)
        team = pick(rng, _STAFF_TEAMS)
        unhappy = 0.3 + 0.1 * wave if team in _FRONT_LINE else 0.12
        score = pick(rng, SCORES["nps"]["bad" if rng.random() < unhappy else "base"])
        text = lang = None
        if rng.random() < 0.4:
            lang = "ru" if rng.random() < 0.88 else "en"
            text = texts.employee(lang, polarity("nps", score))
            lang = lang if text is not None else None
        yield {
            "external_id": f"demo-employee-{number:06d}",
            "kind": "employee",
            "channel": "web",
            "occurred_at": to_datetime(min(at, END - 1)),
            "customer_id": None,
            "score": score,
            "scale": "nps",
            "text": text,
            "language": lang,
            "product": None,
            "region": pick(rng, _OFFICES),
            "team": team,
            "agent": None,
            "owner_team": None,
            "touchpoint": "eNPS survey",
            "handle_time_s": None,
            "wait_time_s": None,
            "transfers": None,
            "resolved": None,
            "ended_by": None,
            "revenue": None,
            "attributes": {"wave": label, **answer_attributes(team, number)},
        }
