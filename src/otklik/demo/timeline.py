"""Time in the demo: whole seconds from the period start, turned into naive UTC datetimes last.

Working in integer offsets keeps per-row date arithmetic to additions; a datetime is built once,
when a row is handed out.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from otklik.demo.scenario import OUTAGE_START, PERIOD_END, PERIOD_START
from otklik.demo.tables import weighted
from otklik.demo.texts import pick

__all__ = [
    "DAY",
    "DAYS",
    "END",
    "HOUR",
    "OUTAGE_FROM",
    "OUTAGE_TO",
    "clock",
    "day_offset",
    "draw_time",
    "month_of",
    "outage_time",
    "to_datetime",
]

HOUR = 3600
DAY = 86_400
DAYS = (PERIOD_END - PERIOD_START).days
END = DAYS * DAY
OUTAGE_FROM = (OUTAGE_START - PERIOD_START).days * DAY
OUTAGE_TO = OUTAGE_FROM + 7 * DAY

_MONTH_OF_DAY: tuple[int, ...] = tuple(
    (PERIOD_START + timedelta(days=day)).month - 1 for day in range(DAYS)
)


def _day_weight(day: int) -> int:
    weekday = (PERIOD_START + timedelta(days=day)).weekday()
    base = 10 if weekday < 5 else (7 if weekday == 5 else 6)
    # The business grows through the year: a quarter more feedback in December than in January.
    return round(base * (1 + 0.25 * day / DAYS))


_DAY_TABLE: tuple[int, ...] = weighted((day, _day_weight(day)) for day in range(DAYS))
# Customers write during the Moscow day (UTC+3); the table is in UTC hours.
_LOCAL_HOURS = (2, 1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 11, 11, 10, 10, 10, 10, 9, 9, 8, 6, 4, 3)
_HOUR_TABLE: tuple[int, ...] = weighted(
    ((local - 3) % 24, weight) for local, weight in enumerate(_LOCAL_HOURS)
)
# An outage hits hardest on its first days and fades as the fix rolls out.
_OUTAGE_DAYS: tuple[int, ...] = weighted(enumerate((12, 10, 7, 4, 2, 1, 1)))


def clock(rng: random.Random) -> int:
    """A time of day, in seconds, when customers are awake."""
    return pick(rng, _HOUR_TABLE) * HOUR + int(rng.random() * HOUR)


def draw_time(rng: random.Random) -> int:
    """A moment in the period, weekdays and daytime more likely."""
    return pick(rng, _DAY_TABLE) * DAY + clock(rng)


def outage_time(rng: random.Random) -> int:
    """A moment in the outage week."""
    return OUTAGE_FROM + pick(rng, _OUTAGE_DAYS) * DAY + clock(rng)


def day_offset(when: datetime) -> int:
    return (when - PERIOD_START).days * DAY


def month_of(offset: int) -> int:
    """Month 0..11 of an offset inside the period."""
    return _MONTH_OF_DAY[offset // DAY]


def to_datetime(offset: int) -> datetime:
    return PERIOD_START + timedelta(seconds=offset)
