"""Query parameters shared by pages and the API: date ranges, filters, metric options."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import Path, Query

from otklik.errors import MetricError
from otklik.ledger import FILTER_FIELDS
from otklik.metrics import as_utc_naive, get_zone, query_day
from otklik.web.errors import ApiError

__all__ = [
    "ITEM_FILTERS",
    "MAX_ID",
    "MAX_OFFSET",
    "DbId",
    "Offset",
    "day_range",
    "parse_day",
    "parse_where",
    "split_values",
]

# Ids are INTEGER columns, 32-bit on PostgreSQL: a larger one is a 422, never a 500.
MAX_ID = 2**31 - 1
MAX_OFFSET = 10_000_000
DbId = Annotated[int, Path(ge=1, le=MAX_ID, description="an id (1 … 2³¹−1)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

# Filters the item lists offer (``team`` in the API means the owner team: the zone).
ITEM_FILTERS: tuple[str, ...] = tuple(name for name in FILTER_FIELDS if name != "scale")


def parse_day(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return query_day(value.strip()[:10], name)
    except MetricError as exc:
        raise ApiError(422, f"{name}: {exc}", code="invalid_request") from None


def day_range(
    start: str | None, end: str | None, zone: str | tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """``from`` (inclusive) and ``to`` (the last day included), days of the reporting ``zone``
    (``OTKLIK_TIMEZONE``; None: UTC), as a half-open range of naive UTC times."""
    first, last = parse_day(start, "from"), parse_day(end, "to")
    if first is not None and last is not None and last < first:
        raise ApiError(422, f"to {last} is before from {first}", code="invalid_request")
    where = get_zone(zone)
    begin = as_utc_naive(first, where) if first else None
    stop = as_utc_naive(last + timedelta(days=1), where) if last else None
    return begin, stop


def split_values(values: Sequence[str] | None) -> list[str | None]:
    """Repeated parameters, each possibly comma-separated; ``-`` stands for a missing value."""
    found: list[str | None] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if part:
                found.append(None if part == "-" else part)
    return list(dict.fromkeys(found))


def parse_where(items: Sequence[str] | None) -> dict[str, list[str | None]]:
    filters: dict[str, list[str | None]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ApiError(422, f"where {item!r} is not FIELD=VALUE", code="invalid_request")
        filters.setdefault(name.strip(), []).append(value.strip())
    return filters
