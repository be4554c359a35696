"""One field's parser each, with the ledger's range for it (``otklik.ingest.limits``).

Every parser takes one cell (a string, or a typed XLSX/JSON value) and returns the ledger value
or raises :class:`ValueError` with a message naming the value; :func:`reason_of` turns any
exception into a quarantine reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from otklik.ingest.limits import MAX_DURATION_S, MAX_REVENUE, MAX_TRANSFERS, string_problem
from otklik.ingest.normalize import parse_duration, parse_int, parse_number, parse_text
from otklik.types import SCALES, normalize_channel

__all__ = [
    "checked_text",
    "duration_parser",
    "jsonable",
    "parse_channel",
    "parse_language",
    "parse_scale",
    "reason_of",
    "revenue_parser",
    "scalar",
    "short_text",
    "transfers_parser",
]

_MAX_LENGTH = {"channel": 50, "language": 10}
_DEFAULT_MAX = 200


def scalar(value: Any) -> Any:
    """``value`` if it is a single finite value; nested JSON and NaN are not a field's value."""
    if isinstance(value, dict):
        raise ValueError("is a JSON object, not a single value")
    if isinstance(value, list):
        raise ValueError("is a JSON list, not a single value")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return value


def checked_text(value: Any) -> str | None:
    text = parse_text(scalar(value))
    if text is not None and (why := string_problem(text)):
        raise ValueError(why)
    return text


def short_text(name: str) -> Callable[[Any], str | None]:
    limit = _MAX_LENGTH.get(name, _DEFAULT_MAX)

    def parse(value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 12345.0 from a spreadsheet is the id 12345
        text = checked_text(value)
        if text is not None and len(text) > limit:
            raise ValueError(f"{text[:40]!r}… is longer than {limit} characters")
        return text

    return parse


def parse_channel(value: Any) -> str | None:
    text = short_text("channel")(value)
    return None if text is None else normalize_channel(text)


def parse_language(value: Any) -> str | None:
    text = short_text("language")(value)
    return None if text is None else text.lower()


def parse_scale(value: Any) -> str | None:
    text = checked_text(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "").replace("-", "")
    if key not in SCALES:
        raise ValueError(f"unknown scale {text[:40]!r}; use one of {', '.join(SCALES)}")
    return key


def duration_parser(decimal: str | None) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        seconds = parse_duration(scalar(value), decimal)
        if seconds is not None and seconds > MAX_DURATION_S:
            raise ValueError(
                f"{seconds:,.0f} s is longer than {MAX_DURATION_S // 86_400} days "
                f"({MAX_DURATION_S:,} s)"
            )
        return seconds

    return parse


def transfers_parser(decimal: str | None) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        number = parse_int(scalar(value), decimal)
        if number is not None and not 0 <= number <= MAX_TRANSFERS:
            shown = f"{number}" if abs(number) < 10**12 else f"{number:.3g}"
            raise ValueError(f"transfers {shown} is outside 0–{MAX_TRANSFERS:,}")
        return number

    return parse


def revenue_parser(decimal: str | None) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        number = parse_number(scalar(value), decimal)
        if number is not None and abs(number) >= MAX_REVENUE:
            raise ValueError(f"{number:.6g} is not below {MAX_REVENUE:.0e} in absolute value")
        return number

    return parse


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | dict):
        return value
    return str(value)


def reason_of(name: str | None, exc: Exception) -> str:
    """A quarantine reason for any exception a parser raised."""
    if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
        message = str(exc)
    else:
        detail = str(exc)
        detail = detail if len(detail) <= 120 else f"{detail[:120]}…"
        message = f"cannot be read ({type(exc).__name__}: {detail})"
    if name is None or message.startswith(f"{name} ") or message.startswith(f"{name}:"):
        return message
    return f"{name}: {message}"
