"""Query parameters shared by pages and the API: date ranges, filters, metric options.

**One status for a bad parameter.** A query parameter that cannot be read (a ``period`` such as
``2025-13``, a ``from``/``to`` that is not a day, ``to`` before ``from``, a ``where`` that is not
FIELD=VALUE, an unknown case ``status`` or ``sla``) is answered **422** ``invalid_request`` by
every page and API route, the status FastAPI gives every typed parameter it rejects: most
routes answered 422 already, so a client tells a bad parameter (422) from a request that cannot
be carried out (400, e.g. a file). The JSON message names the parameter; a page shows a
one-line translated message (``error.param.<name>``) with that message as its detail. A valid
range with nothing in it is not an error: it has n = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import Path, Query

from otklik import routing
from otklik.errors import ConfigError, MetricError
from otklik.ledger import FILTER_FIELDS
from otklik.metrics import Period, as_utc_naive, get_zone, query_day
from otklik.web.errors import ApiError

__all__ = [
    "ITEM_FILTERS",
    "MAX_ID",
    "MAX_OFFSET",
    "DbId",
    "Offset",
    "case_filter_of",
    "day_range",
    "parse_day",
    "parse_period",
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


def case_filter_of(
    chosen: dict[str, list[str]], *, zone: str | None, overdue: bool
) -> routing.CaseFilter:
    """The case filter of a request's chosen values (``status``, ``team``, ``sla``… as lists);
    an unknown status or SLA state is a bad parameter: 422 ``invalid_request`` (see above)."""
    try:
        return routing.CaseFilter.of(**chosen, zone=zone, overdue=overdue)
    except ConfigError as exc:
        raise ApiError(
            422, str(exc), code="invalid_request", page_key="error.param.filter"
        ) from None


def parse_day(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return query_day(value.strip()[:10], name)
    except MetricError as exc:
        raise ApiError(
            422, f"{name}: {exc}", code="invalid_request", page_key=f"error.param.{name}"
        ) from None


def parse_period(value: str | Period | None, name: str = "period") -> Period | None:
    """A period as people type it (``2025``, ``2025-Q1``, ``2025-03``, ``2025-W05``, a day,
    ``2025-01-01..2025-02-15``; see :meth:`otklik.metrics.Period.parse`), None when blank.

    Raises ApiError 422 ``invalid_request`` (page line ``error.param.period``) when it cannot
    be read: the same answer on every route that takes a period."""
    if value is None or isinstance(value, Period):
        return value
    if not value.strip():
        return None
    try:
        return Period.parse(value.strip())
    except MetricError as exc:
        raise ApiError(
            422, f"{name}: {exc}", code="invalid_request", page_key=f"error.param.{name}"
        ) from None


def day_range(
    start: str | None, end: str | None, zone: str | tzinfo | None = None
) -> tuple[datetime | None, datetime | None]:
    """``from`` (inclusive) and ``to`` (the last day included), days of the reporting ``zone``
    (``OTKLIK_TIMEZONE``; None: UTC), as a half-open range of naive UTC times."""
    first, last = parse_day(start, "from"), parse_day(end, "to")
    if first is not None and last is not None and last < first:
        raise ApiError(
            422,
            f"to {last} is before from {first}",
            code="invalid_request",
            page_key="error.param.range",
        )
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
