"""The demo company's fixed facts: the period, the feeds, and the patterns planted in them.

Everything here is a constant so that the generator, the summary and the tests agree on what
was planted without sharing state; dates are fixed (not "today") so every run is identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "BOUNCE_PRODUCT",
    "BOUNCE_TOUCHPOINT",
    "CUSTOMER_SOURCE",
    "DEMO_SOURCES",
    "GAMING_AGENT",
    "GAMING_TEAM",
    "GROWING_REASON",
    "ITEM_SOURCES",
    "MIN_ROWS",
    "OUTAGE_END",
    "OUTAGE_START",
    "PATTERNS",
    "PERIOD_END",
    "PERIOD_START",
    "REPEAT_WINDOW_DAYS",
    "SOURCE_KINDS",
    "SOURCE_SHARES",
    "PlantedPattern",
]

PERIOD_START = datetime(2025, 1, 1)
# Exclusive: the period is 2025-01-01 .. 2025-12-31 inclusive.
PERIOD_END = datetime(2026, 1, 1)

CUSTOMER_SOURCE = "demo-crm"
# Feed -> the ledger kind of its items; also the kind recorded on its import run.
SOURCE_KINDS: dict[str, str] = {
    "demo-surveys": "survey",
    "demo-contacts": "contact",
    "demo-reviews": "review",
    "demo-exit": "exit",
    "demo-employees": "employee",
}
ITEM_SOURCES: tuple[str, ...] = tuple(SOURCE_KINDS)
DEMO_SOURCES: tuple[str, ...] = (*ITEM_SOURCES, CUSTOMER_SOURCE)
SOURCE_SHARES: dict[str, float] = {
    "demo-surveys": 0.43,
    "demo-contacts": 0.36,
    "demo-reviews": 0.12,
    "demo-exit": 0.05,
    "demo-employees": 0.04,
}
# Below this the planted patterns drown in noise (a few exit surveys a month).
MIN_ROWS = 500

OUTAGE_START = datetime(2025, 6, 9)
OUTAGE_END = datetime(2025, 6, 16)
GAMING_AGENT = "Денис Ковалев"
GAMING_TEAM = "Contact center"
REPEAT_WINDOW_DAYS = 7
BOUNCE_TOUCHPOINT = "insurance claim"
BOUNCE_PRODUCT = "insurance"
GROWING_REASON = "high fees"


@dataclass(frozen=True)
class PlantedPattern:
    """A problem hidden in the demo data, described for the person exploring it."""

    key: str
    title: str
    title_ru: str
    look_for: str


PATTERNS: tuple[PlantedPattern, ...] = (
    PlantedPattern(
        key="outage",
        title="App login outage",
        title_ru="Сбой входа в приложение",
        look_for=(
            f"week of {OUTAGE_START:%d %b %Y}: low scores, 1-star reviews, chats and long queues "
            "about not being able to log in to the app"
        ),
    ),
    PlantedPattern(
        key="gaming_agent",
        title="Agent gaming AHT",
        title_ru="Оператор «накручивает» AHT",
        look_for=(
            f"{GAMING_AGENT} ({GAMING_TEAM}): very short calls, often ended by the agent, and "
            f"his customers call back within {REPEAT_WINDOW_DAYS} days"
        ),
    ),
    PlantedPattern(
        key="bouncing",
        title="Customers bounced between partners",
        title_ru="Клиентов перекидывают между партнёрами",
        look_for=(
            f"touchpoint '{BOUNCE_TOUCHPOINT}': most contacts are transferred between the bank "
            "and the insurance partner; comments about being passed around"
        ),
    ),
    PlantedPattern(
        key="growing_churn_reason",
        title="Growing churn reason",
        title_ru="Растущая причина ухода",
        look_for=(
            f"exit surveys: the share of '{GROWING_REASON}' (высокие комиссии) rises month "
            "after month"
        ),
    ),
)
