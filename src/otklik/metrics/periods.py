"""Calendar periods: the grains a metric is grouped by and the period names people type.

Periods are half-open, [start, end), cut in the *reporting time zone* (setting
``OTKLIK_TIMEZONE``, default UTC): a Moscow answer at 01.03.2025 00:30 belongs to March when the
zone is Europe/Moscow, though the ledger stores it as 2025-02-28 21:30 (naive UTC). Weeks are
ISO weeks starting on Monday; quarters start in January, April, July and October.

How engines cut local periods: the zone's UTC offset is piecewise constant, so for the range a
query reads :func:`utc_offsets` lists the offsets and the instants (UTC) where they change, and
the query shifts each timestamp by its offset (one ``CASE`` over those instants) before
truncating it. This needs no time-zone database in the engine (SQLite has none) and gives the
same periods on every engine, exact across DST changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from otklik.errors import ConfigError, MetricError

__all__ = [
    "UTC_ZONE",
    "Grain",
    "Period",
    "Span",
    "as_utc_naive",
    "check_day",
    "get_zone",
    "grain_of",
    "local_date",
    "next_period_start",
    "parse_period",
    "period_start",
    "periods_between",
    "query_day",
    "today",
    "utc_offsets",
]

UTC_ZONE = ZoneInfo("UTC")


def get_zone(name: str | tzinfo | None = None) -> ZoneInfo:
    """The reporting zone: ``name`` (an IANA name such as ``Europe/Moscow``), or the setting
    ``OTKLIK_TIMEZONE`` when None (UTC when unset). An unknown name is a :class:`ConfigError`."""
    if isinstance(name, ZoneInfo):
        return name
    if name is None:
        from pydantic import ValidationError

        from otklik.config import load_settings

        try:
            name = load_settings().timezone
        except ValidationError as exc:
            raise ConfigError(f"OTKLIK_TIMEZONE: {exc.errors()[0]['msg']}") from None
    if isinstance(name, tzinfo):
        if name is UTC:
            return UTC_ZONE
        raise ConfigError(f"time zone {name!r} has no IANA name: use one like Europe/Moscow")
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}: use an IANA name such as UTC, Europe/Moscow or "
            "America/Sao_Paulo (OTKLIK_TIMEZONE)"
        ) from None


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"

    @property
    def ibis_unit(self) -> str:
        """The unit code of ``ibis`` ``truncate`` for this grain."""
        return {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[self.value]


Span = tuple[date, date]
"""A half-open date range [start, end)."""


def as_utc_naive(value: date | datetime, zone: tzinfo = UTC_ZONE) -> datetime:
    """A date or datetime as the naive UTC datetime the ledger stores.

    A date means its midnight in ``zone`` (the reporting zone); a naive datetime is already UTC
    (the ledger's convention) and an aware one is converted.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    midnight = datetime(value.year, value.month, value.day, tzinfo=zone)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def today(zone: tzinfo = UTC_ZONE) -> date:
    """Today's date in ``zone`` (the reporting zone's calendar, not the server's)."""
    return datetime.now(UTC).astimezone(zone).date()


def local_date(moment: datetime, zone: tzinfo = UTC_ZONE) -> date:
    """The date in ``zone`` of a naive UTC ``moment``."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def _offset_s(zone: tzinfo, moment: datetime) -> int:
    offset = moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


_STEP = timedelta(hours=6)


def utc_offsets(zone: tzinfo, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """The UTC offsets (seconds) of ``zone`` over naive UTC [first, last]: a list of
    (since, offset), ``since`` ascending, the first one being ``first``.

    Changes are found by stepping 6 hours and bisecting to the second, so two changes less
    than 6 hours apart (none in the tz database since 1970) would be missed.
    """
    if last < first:
        last = first
    found = [(first, _offset_s(zone, first))]
    at = first
    while at < last:
        step = min(_STEP, last - at)
        after = at + step
        offset = _offset_s(zone, after)
        if offset != found[-1][1]:
            low, high = at, after  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0) if middle.microsecond else middle
                if middle <= low:
                    break
                if _offset_s(zone, middle) == offset:
                    high = middle
                else:
                    low = middle
            found.append((high.replace(microsecond=0), offset))
        at = after
    return found


def period_start(day: date, grain: Grain) -> date:
    """The first day of the period of ``grain`` that contains ``day``."""
    if isinstance(day, datetime):
        day = day.date()
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    if grain is Grain.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain is Grain.YEAR:
        return date(day.year, 1, 1)
    raise ValueError("the 'all' grain has no periods")


def next_period_start(start: date, grain: Grain) -> date:
    """The start of the period after the one that starts on ``start``."""
    if grain is Grain.DAY:
        return start + timedelta(days=1)
    if grain is Grain.WEEK:
        return start + timedelta(days=7)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def periods_between(first: date, last: date, grain: Grain) -> list[date]:
    """Starts of every period of ``grain`` from the one containing ``first`` to ``last``'s."""
    starts = []
    current = period_start(first, grain)
    while current <= last:
        starts.append(current)
        current = next_period_start(current, grain)
    return starts


_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$"), "range"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def check_day(day: date, name: str = "date") -> date:
    """``day`` itself when a query may name it: years :data:`otklik.ingest.limits.YEARS`
    (1900–2100, the range an import accepts). Raises :class:`MetricError` otherwise, so a
    day at the end of the calendar never overflows the arithmetic after it."""
    from otklik.ingest.limits import YEARS  # here: importing otklik.ingest costs ~0.3 s

    first, last = YEARS
    if not first <= day.year <= last:
        raise MetricError(f"{name} {day.isoformat()} is outside the years {first}–{last}")
    return day


def query_day(text: str, name: str = "date") -> date:
    """A ``YYYY-MM-DD`` day a query may name (see :func:`check_day`); :class:`MetricError`
    when it is not a real day or is out of range."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise MetricError(f"{name} {text!r} is not a date (use YYYY-MM-DD)") from None
    return check_day(day, name)


def parse_period(text: str) -> Span:
    """A period name as a half-open span of dates.

    Accepted: ``2024`` (year), ``2024-Q1``, ``2024-03`` (month), ``2024-W05`` (ISO week),
    ``2024-03-15`` (day) and ``2024-01-01..2024-02-15`` (both days included).
    """
    value = text.strip()
    for pattern, form in _FORMS:
        match = pattern.match(value)
        if not match:
            continue
        parts = [int(part) for part in match.groups()]
        from otklik.ingest.limits import YEARS

        first, last_year = YEARS
        years = [parts[0], parts[3]] if form == "range" else [parts[0]]
        if any(not first <= year <= last_year for year in years):
            raise MetricError(f"period {text!r} is outside the years {first}–{last_year}")
        try:
            if form == "range":
                start, last = date(*parts[:3]), date(*parts[3:])
                if last < start:
                    raise MetricError(f"period {text!r} ends before it starts")
                return start, last + timedelta(days=1)
            if form == "day":
                start = date(*parts)
                return start, start + timedelta(days=1)
            if form == "week":
                start = date.fromisocalendar(parts[0], parts[1], 1)
                return start, start + timedelta(days=7)
            if form == "month":
                start = date(parts[0], parts[1], 1)
                return start, next_period_start(start, Grain.MONTH)
            if form == "quarter":
                start = date(parts[0], 3 * (parts[1] - 1) + 1, 1)
                return start, next_period_start(start, Grain.QUARTER)
            start = date(parts[0], 1, 1)
            return start, next_period_start(start, Grain.YEAR)
        except ValueError as exc:
            raise MetricError(f"period {text!r} is not a real date: {exc}") from exc
    raise MetricError(
        f"cannot read period {text!r}: use 2024, 2024-Q1, 2024-03, 2024-W05, 2024-03-15 "
        "or 2024-01-01..2024-02-15"
    )


def _label(start: date, grain: Grain) -> str:
    if grain is Grain.YEAR:
        return f"{start.year}"
    if grain is Grain.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain is Grain.MONTH:
        return f"{start:%Y-%m}"
    if grain is Grain.WEEK:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def grain_of(start: date, end: date) -> Grain | None:
    """The grain of which [start, end) is one whole period, or None (an arbitrary range)."""
    for grain in (Grain.DAY, Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        if period_start(start, grain) == start and next_period_start(start, grain) == end:
            return grain
    return None


@dataclass(frozen=True)
class Period:
    """The one period type: a half-open range of local days [start, end) in the reporting
    zone, with the name people know it by (``2025-02``, ``2025-W05``, ``2025-Q1``…)."""

    label: str
    start: date
    end: date

    @classmethod
    def of(cls, day: date, grain: Grain) -> Period:
        """The period of ``grain`` that contains ``day``."""
        start = period_start(day, grain)
        return cls(_label(start, grain), start, next_period_start(start, grain))

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period as people type it (see :func:`parse_period`)."""
        start, end = parse_period(text)
        grain = grain_of(start, end)
        return cls(_label(start, grain) if grain else text.strip(), start, end)

    @property
    def grain(self) -> Grain | None:
        return grain_of(self.start, self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The calendar period before this one (the same number of days before, for a range)."""
        grain = self.grain
        if grain is not None:
            return Period.of(self.start - timedelta(days=1), grain)
        start = self.start - (self.end - self.start)
        label = f"{start.isoformat()}..{(self.start - timedelta(days=1)).isoformat()}"
        return Period(label, start, self.start)

    def utc_bounds(self, zone: tzinfo = UTC_ZONE) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC instants: local midnights in ``zone`` (DST-exact)."""
        return as_utc_naive(self.start, zone), as_utc_naive(self.end, zone)

    def to_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "from": self.start.isoformat(),
            "to": self.last_day.isoformat(),
        }
