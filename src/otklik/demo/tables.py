"""The demo company's distributions, as lookup tables drawn from with one ``random()`` call.

A weighted choice is a tuple in which each value appears as many times as its weight, so a draw
is one index; ``random.choices`` would cost several times more per row, and rows are many.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

__all__ = [
    "CES_TOPICS",
    "CONTACT_CHANNELS",
    "CONTACT_TOPICS",
    "CSAT_TOPICS",
    "EXIT_CHANNELS",
    "EXIT_OTHER_REASONS",
    "MARKETPLACE_REVIEW_TOPICS",
    "PRODUCT_OF_TOPIC",
    "REVIEW_TOPICS",
    "SCORES",
    "SURVEY_CHANNELS",
    "SURVEY_SCALES",
    "TOUCHPOINT_OF_TOPIC",
    "nps_topics",
    "weighted",
]

_T = TypeVar("_T")


def weighted(pairs: Iterable[tuple[_T, int]]) -> tuple[_T, ...]:
    return tuple(value for value, weight in pairs for _ in range(weight))


def _scores(weights: Iterable[int], low: int) -> tuple[float, ...]:
    return weighted((float(low + offset), weight) for offset, weight in enumerate(weights))


# Per scale: "base" is an ordinary month, "bad" a customer who has just been let down.
SCORES: dict[str, dict[str, tuple[float, ...]]] = {
    "nps": {
        "base": _scores((3, 1, 1, 2, 2, 4, 7, 10, 18, 22, 30), 0),
        "bad": _scores((22, 9, 9, 10, 9, 10, 9, 7, 6, 5, 4), 0),
    },
    "csat5": {"base": _scores((6, 5, 10, 29, 50), 1), "bad": _scores((45, 25, 15, 9, 6), 1)},
    "rating5": {"base": _scores((15, 5, 7, 15, 58), 1), "bad": _scores((68, 15, 8, 5, 4), 1)},
    "ces7": {
        "base": _scores((3, 4, 6, 10, 19, 26, 32), 1),
        "bad": _scores((30, 22, 18, 12, 8, 5, 5), 1),
    },
    "csat10": {
        "base": _scores((2, 2, 2, 3, 4, 6, 10, 17, 22, 32), 1),
        "bad": _scores((20, 15, 14, 12, 10, 9, 8, 5, 4, 3), 1),
    },
}

SURVEY_SCALES = weighted((("nps", 45), ("csat5", 33), ("ces7", 15), ("csat10", 7)))
SURVEY_CHANNELS = weighted(
    (("app", 38), ("web", 17), ("email", 17), ("sms", 13), ("chat", 9), ("call", 6))
)
# What a transactional (CSAT) or effort (CES) survey asks about.
CSAT_TOPICS = weighted(
    (
        ("transfers", 18),
        ("card", 16),
        ("support", 20),
        ("loan", 10),
        ("insurance", 8),
        ("delivery", 18),
        ("app", 10),
    )
)
CES_TOPICS = weighted(
    (("support", 30), ("transfers", 20), ("loan", 15), ("card", 15), ("insurance", 10), ("app", 10))
)
TOUCHPOINT_OF_TOPIC: dict[str, str] = {
    "login": "app login",
    "app": "mobile app",
    "fees": "tariffs",
    "transfers": "transfers",
    "card": "cards",
    "support": "support",
    "loan": "loan application",
    "insurance": "insurance claim",
    "delivery": "marketplace order",
    "cashback": "cashback",
}
PRODUCT_OF_TOPIC: dict[str, str] = {
    "loan": "consumer loan",
    "insurance": "insurance",
    "delivery": "marketplace",
}

_NPS_BASE: dict[str, tuple[tuple[str, int], ...]] = {
    "neg": (
        ("login", 5),
        ("app", 12),
        ("transfers", 10),
        ("card", 9),
        ("support", 14),
        ("loan", 7),
        ("insurance", 5),
        ("delivery", 10),
        ("cashback", 6),
    ),
    "mix": (
        ("login", 4),
        ("app", 14),
        ("fees", 10),
        ("transfers", 10),
        ("card", 8),
        ("support", 12),
        ("loan", 6),
        ("insurance", 3),
        ("delivery", 10),
        ("cashback", 10),
    ),
    "pos": (
        ("login", 4),
        ("app", 22),
        ("fees", 4),
        ("transfers", 16),
        ("card", 9),
        ("support", 16),
        ("loan", 5),
        ("insurance", 2),
        ("delivery", 9),
        ("cashback", 13),
    ),
}


def _nps_month(pol: str, month: int) -> tuple[str, ...]:
    pairs = _NPS_BASE[pol]
    if pol == "neg":
        # Fee complaints grow through the year, in step with the exit surveys' churn reason.
        pairs = (*pairs, ("fees", 10 + 3 * month))
    return weighted(pairs)


_NPS_TOPICS: dict[tuple[str, int], tuple[str, ...]] = {
    (pol, month): _nps_month(pol, month) for pol in _NPS_BASE for month in range(12)
}


def nps_topics(pol: str, month: int) -> tuple[str, ...]:
    """What a relationship (NPS) comment of this tone talks about, in month 0..11."""
    return _NPS_TOPICS[pol, month]


REVIEW_TOPICS: dict[str, tuple[str, ...]] = {
    "neg": weighted(
        (("login", 12), ("app", 30), ("fees", 14), ("transfers", 12), ("support", 14), ("card", 8))
    ),
    "mix": weighted((("app", 40), ("fees", 15), ("transfers", 15), ("cashback", 15), ("login", 8))),
    "pos": weighted(
        (("app", 40), ("transfers", 20), ("cashback", 15), ("login", 10), ("support", 10))
    ),
}

MARKETPLACE_REVIEW_TOPICS = weighted((("delivery", 75), ("support", 15), ("cashback", 10)))

CONTACT_TOPICS = weighted(
    (
        ("card", 16),
        ("transfers", 16),
        ("fees", 10),
        ("login", 7),
        ("app", 8),
        ("loan", 9),
        ("insurance", 7),
        ("delivery", 14),
        ("cashback", 6),
    )
)
CONTACT_CHANNELS: dict[str, tuple[str, ...]] = {
    "insurance": weighted((("call", 70), ("chat", 30))),
    "delivery": weighted((("chat", 60), ("call", 30), ("email", 10))),
    "default": weighted((("call", 55), ("chat", 38), ("email", 7))),
}

EXIT_CHANNELS = weighted((("email", 45), ("sms", 20), ("app", 20), ("call", 15)))
EXIT_OTHER_REASONS = weighted(
    (
        ("better offer elsewhere", 32),
        ("poor service", 20),
        ("app problems", 14),
        ("moving away", 18),
        ("no longer needed", 16),
    )
)
