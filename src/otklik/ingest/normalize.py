"""Turning the strings (and typed cells) of real exports into ledger values.

Each parser returns the value or raises :class:`ValueError` with a message that names the
value and says what was expected; the pipeline puts that message in the quarantine.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from otklik.ingest.limits import YEARS
from otklik.types import SCALES, EndedBy

__all__ = [
    "DateParser",
    "number_style",
    "parse_bool",
    "parse_duration",
    "parse_ended_by",
    "parse_int",
    "parse_number",
    "parse_score",
    "parse_text",
    "split_date",
]

_EXCEL_EPOCH = datetime(1899, 12, 30)
_NUMERIC_DATE = re.compile(r"^\d{4,5}(?:[.,]\d+)?$")
# d.m.y / d/m/y / d-m-y with optional time: the order of d and m is decided per column.
_DMY = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?$"
)
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        # one form for "ё" (U+0451, not е + U+0308) and "é", so searches find what was typed
        text = unicodedata.normalize("NFC", text)
    return text or None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number_style(value: str) -> str | None:
    """Which decimal separator one written number shows: ``","``, ``"."``, ``"?"`` or None.

    None: no separator at all (``1250``). ``"?"``: ambiguous, one separator followed by exactly
    three digits after a non-zero whole part (``1.000``, ``12,500``: a thousand or one?). Both
    separators: the last one is the decimal (``1.250,00``, ``1,250.00``); one kind repeated is
    the thousands separator (``1.000.000``). Spaces and apostrophes are always thousands.
    """
    text = _SPACES.sub("", value).lstrip("+-")
    comma, point = text.rfind(","), text.rfind(".")
    if comma < 0 and point < 0:
        return None
    if comma >= 0 and point >= 0:
        return "," if comma > point else "."
    mark = "," if comma >= 0 else "."
    if text.count(mark) > 1:
        return "." if mark == "," else ","
    whole, _, fraction = text.partition(mark)
    if len(fraction) == 3 and fraction.isdigit() and whole.isdigit() and whole[0] != "0":
        return "?"
    return mark


def parse_number(value: Any, decimal: str | None = None) -> float | None:
    """A finite number from a cell; ``decimal`` is the column's separator (``","``/``"."``).

    With ``decimal`` None (the column never showed which), a value whose own writing is
    ambiguous (``1.000``) is refused, not guessed; every other value says its own convention.
    Spaces and non-breaking spaces are thousands separators (``1 250,50``).
    """
    if type(value) is str:
        if "," in value or "." in value:
            number = _parse_localised(value, decimal)
        else:
            try:
                # Most cells are plain numbers: float() is the fast path, the rest below.
                number = float(value)
            except ValueError:
                if not value.strip():
                    return None
                number = _parse_localised(value, decimal)
    elif value is None:
        return None
    elif isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    elif isinstance(value, int):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(f"{value} is too large") from None
    elif isinstance(value, float):
        number = value
    else:
        number = _parse_localised(str(value), decimal)
    if not math.isfinite(number):
        raise ValueError(f"{_show(value)} is not a finite number")
    return number


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else f"{text[:40]}…")


_GROUPED = {".": re.compile(r"^\d{1,3}(?:\.\d{3})+$"), ",": re.compile(r"^\d{1,3}(?:,\d{3})+$")}


def _parse_localised(value: str, decimal: str | None) -> float:
    text = _SPACES.sub("", value)
    if not text:
        raise ValueError(f"{_show(value)} is not a number")
    if "٫" in text or "٬" in text:  # the Arabic decimal and thousands separators say themselves
        text = text.replace("٬", "").replace("٫", ".").translate(_ASCII_DIGITS)
        decimal = "."
    sign = ""
    if text[0] in "+-":
        sign, text = text[0], text[1:]
    style = number_style(text)
    if decimal is None:
        if style == "?":
            raise ValueError(
                f"{_show(value)} is ambiguous: the column never shows whether ',' or '.' is "
                "the decimal separator; set decimal: in a mapping file"
            )
        decimal = style or "."
    thousands = "." if decimal == "," else ","
    whole, _, fraction = text.partition(decimal)
    if thousands in whole:
        if not _GROUPED[thousands].match(whole):
            raise ValueError(
                f"{_show(value)} is not a number written with {decimal!r} as the decimal "
                "separator (the column's convention)"
            )
        whole = whole.replace(thousands, "")
    if thousands in fraction or decimal in fraction:
        raise ValueError(f"{_show(value)} is not a number")
    try:
        number = float(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    except (ValueError, OverflowError):
        raise ValueError(f"{_show(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{_show(value)} is not a finite number")
    return number


def parse_int(value: Any, decimal: str | None = None) -> int | None:
    number = parse_number(value, decimal)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{_show(value)} is not a whole number")
    return int(number)


_DURATION_PART = re.compile(r"^\d+(?:[.,]\d+)?$")


def parse_duration(value: Any, decimal: str | None = None) -> float | None:
    """Seconds, or ``mm:ss`` / ``hh:mm:ss`` as call-centre exports write durations.

    Refused: a sign anywhere (``-0:30``, ``-3``), NaN and infinities (``nan:00``, ``inf``,
    ``1e400``), exponents in ``hh:mm:ss`` (``1e308:1e308``), and minutes or seconds of 60 or
    more after a larger unit (``1:75``).
    """
    if _blank(value):
        return None
    if isinstance(value, time):
        return float(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, str) and ":" in value:
        seconds = _clock(value)
    else:
        if isinstance(value, str) and value.strip().startswith("-"):
            raise ValueError(f"{_show(value)} is negative")
        parsed = parse_number(value, decimal)
        assert parsed is not None
        seconds = parsed
    if seconds < 0 or math.copysign(1.0, seconds) < 0:
        raise ValueError(f"{_show(value)} is negative")
    return seconds


def _clock(value: str) -> float:
    parts = value.strip().split(":")
    if len(parts) > 3 or not all(_DURATION_PART.match(part) for part in parts):
        if value.strip().startswith("-"):
            raise ValueError(f"{_show(value)} is negative")
        raise ValueError(f"{_show(value)} is not a duration (seconds or hh:mm:ss)")
    numbers = [float(part.replace(",", ".")) for part in parts]
    if any(number >= 60 for number in numbers[1:]):
        raise ValueError(f"{_show(value)} is not a duration: minutes and seconds go up to 59")
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


_TRUE = {"1", "true", "yes", "y", "да", "д", "решено", "решен", "решён", "+", "t", "ya", "sí", "si"}
_FALSE = {
    "0",
    "false",
    "no",
    "n",
    "нет",
    "н",
    "не решено",
    "не решен",
    "не решён",
    "-",
    "f",
    "tidak",
}


def parse_bool(value: Any) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = str(value).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{str(value)!r} is not yes/no (да/нет, true/false, 1/0)")


_ENDED_BY = {
    "customer": EndedBy.CUSTOMER,
    "client": EndedBy.CUSTOMER,
    "caller": EndedBy.CUSTOMER,
    "клиент": EndedBy.CUSTOMER,
    "абонент": EndedBy.CUSTOMER,
    "agent": EndedBy.AGENT,
    "operator": EndedBy.AGENT,
    "оператор": EndedBy.AGENT,
    "сотрудник": EndedBy.AGENT,
    "агент": EndedBy.AGENT,
    "system": EndedBy.SYSTEM,
    "ivr": EndedBy.SYSTEM,
    "timeout": EndedBy.SYSTEM,
    "система": EndedBy.SYSTEM,
    "таймаут": EndedBy.SYSTEM,
}


def parse_ended_by(value: Any) -> str | None:
    if _blank(value):
        return None
    key = str(value).strip().lower()
    if key in _ENDED_BY:
        return _ENDED_BY[key].value
    raise ValueError(f"{str(value)!r} is not one of customer, agent, system")


def parse_score(value: Any, scale: str | None, decimal: str | None = None) -> float | None:
    """A score checked against its scale: whole and within the scale's range."""
    number = parse_number(value, decimal)
    if number is None:
        return None
    if scale is None:
        return number
    spec = SCALES[scale]
    if not number.is_integer():
        raise ValueError(f"score {str(value)!r} is not a whole number on the {scale} scale")
    if not spec.low <= number <= spec.high:
        raise ValueError(f"score {number:g} is outside the {scale} scale {spec.low}–{spec.high}")
    return number


def split_date(text: str) -> tuple[int, int] | None:
    """The first two numbers of a d/m/y-looking date, for deciding the column's order."""
    match = _DMY.match(text.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(3))


def _fast_dotted(text: str) -> datetime | None:
    """``dd.mm.yyyy[ HH:MM[:SS]]`` by position: the common Russian export, without a regex."""
    size = len(text)
    if size not in (10, 16, 19) or text[2] != "." or text[5] != ".":
        return None
    if size > 10 and (text[10] != " " or text[13] != ":" or (size == 19 and text[16] != ":")):
        return None
    try:
        return datetime(
            int(text[6:10]),
            int(text[3:5]),
            int(text[0:2]),
            int(text[11:13]) if size > 10 else 0,
            int(text[14:16]) if size > 10 else 0,
            int(text[17:19]) if size == 19 else 0,
        )
    except ValueError:
        return None  # the general path explains what is wrong with it


_FIRST_YEAR, _LAST_YEAR = YEARS

# Dates written with the month's name, in the five languages (issue 13: text in Russian,
# English, Spanish, Indonesian and Arabic): «3 ноября 2026 г.», "3 Nov 2026", "Nov 3, 2026",
# «3 de noviembre de 2026», «12 Agustus 2026 14:30», «3 نوفمبر 2026». A name stands for a month
# when it is a full name or the start (3 letters or more) of the full names of one month only.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("январь", "января", "january", "enero", "januari", "يناير"),
    2: ("февраль", "февраля", "february", "febrero", "februari", "فبراير"),
    3: ("март", "марта", "march", "marzo", "maret", "مارس"),
    4: ("апрель", "апреля", "april", "abril", "أبريل", "ابريل", "إبريل"),
    5: ("май", "мая", "may", "mayo", "mei", "مايو"),
    6: ("июнь", "июня", "june", "junio", "juni", "يونيو"),
    7: ("июль", "июля", "july", "julio", "juli", "يوليو"),
    8: ("август", "августа", "august", "agosto", "agustus", "أغسطس", "اغسطس"),
    9: ("сентябрь", "сентября", "september", "septiembre", "setiembre", "سبتمبر"),
    10: ("октябрь", "октября", "october", "octubre", "oktober", "أكتوبر", "اكتوبر"),
    11: ("ноябрь", "ноября", "november", "noviembre", "نوفمبر"),
    12: ("декабрь", "декабря", "december", "diciembre", "desember", "ديسمبر"),
}
_MONTH_OF = {name: month for month, names in _MONTH_NAMES.items() for name in names}
_CLOCK = r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?"
_NAMED_DAY_FIRST = re.compile(
    r"^(\d{1,2})(?:-?(?:го|er|st|nd|rd|th))?\.?\s*(?:de\s+)?([^\W\d_]+)\.?,?\s*(?:de\s+|del\s+)?"
    r"(\d{4})(?:\s*(?:г\.?|года|م))?(?:,?\s*(?:(?:в|at|a las|pukul|jam|الساعة)\s*)?"
    + _CLOCK
    + r")?$",
    re.IGNORECASE,
)
_NAMED_MONTH_FIRST = re.compile(
    r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s*(?:at\s+)?" + _CLOCK + r")?$",
    re.IGNORECASE,
)
# Arabic-Indic and Extended (Persian) digits as ASCII, for ISO dates written with them.
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def month_number(name: str) -> int | None:
    """The month (1–12) a written name stands for in Russian, English, Spanish, Indonesian or
    Arabic («ноября», "Nov", «agustus», «dic», «نوفمبر»), or None."""
    name = name.lower().rstrip(".")
    if name in _MONTH_OF:
        return _MONTH_OF[name]
    if len(name) < 3:
        return None
    months = {month for full, month in _MONTH_OF.items() if full.startswith(name)}
    return months.pop() if len(months) == 1 else None


def _named_month(text: str) -> datetime | None:
    """A date written with its month's name (see ``_MONTH_NAMES``), or None if it is not one."""
    match = _NAMED_DAY_FIRST.match(text)
    if match is not None:
        day, name, year = int(match.group(1)), match.group(2), int(match.group(3))
        clock = match.groups()[3:]
    else:
        match = _NAMED_MONTH_FIRST.match(text)
        if match is None:
            return None
        name, day, year = match.group(1), int(match.group(2)), int(match.group(3))
        clock = match.groups()[3:]
    month = month_number(name)
    if month is None:
        return None
    hour, minute, second = (int(part or 0) for part in clock[:3])
    half = (clock[3] or "").lower().replace(".", "")
    if half and not 1 <= hour <= 12:
        return None
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ValueError(f"date {text!r} is not a real date ({exc})") from None


class DateParser:
    """Parses one column's dates into naive UTC, between the years 1900 and 2100.

    ``day_first`` is the column's order for ``a/b/yyyy`` dates: True, False, or None when the
    column never showed which (then such dates are refused, not guessed). Dotted dates
    (``dd.mm.yyyy``) are day-first by convention.
    """

    def __init__(
        self, *, tz: tzinfo = UTC, day_first: bool | None = None, date_format: str | None = None
    ) -> None:
        # ZoneInfo("UTC") is not datetime.UTC; using the latter lets naive UTC skip conversion.
        self.tz = UTC if getattr(tz, "key", None) in ("UTC", "Etc/UTC") else tz
        self.day_first = day_first
        self.date_format = date_format

    def _to_utc(self, moment: datetime) -> datetime:
        if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
            raise ValueError(
                f"date {moment.isoformat()!r} is outside the years {_FIRST_YEAR}–{_LAST_YEAR}"
            )
        if moment.tzinfo is None:
            if self.tz is UTC:
                return moment
            moment = moment.replace(tzinfo=self.tz)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def __call__(self, value: Any) -> datetime | None:
        if type(value) is str and not self.date_format:
            fast = _fast_dotted(value)
            if fast is not None:
                return self._to_utc(fast)
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return self._to_utc(value)
        if isinstance(value, date):
            return self._to_utc(datetime.combine(value, time()))
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, int) and not 1 <= value < 2_958_466:
                raise ValueError(f"date {_show(value)} is not a valid Excel day number")
            return self._from_serial(float(value), value)
        text = str(value).strip()
        if not text.isascii():
            text = text.translate(_ASCII_DIGITS)
        if self.date_format:
            try:
                moment = datetime.strptime(text, self.date_format)
            except ValueError:
                raise ValueError(
                    f"date {text!r} does not match date_format {self.date_format!r}"
                ) from None
            return self._to_utc(moment)
        if len(text) >= 10 and text[4] == "-":
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return self._to_utc(moment)
        match = _DMY.match(text)
        if match is not None:
            return self._from_dmy(text, match)
        if _NUMERIC_DATE.match(text):
            return self._from_serial(float(text.replace(",", ".")), text)
        named = _named_month(text)
        if named is not None:
            return self._to_utc(named)
        raise ValueError(
            f"date {text!r} is not a date (expected yyyy-mm-dd, dd.mm.yyyy [hh:mm[:ss]] or "
            "'3 ноября 2026'); set date_format in a mapping file"
        )

    def _from_serial(self, serial: float, original: Any) -> datetime:
        # Excel's day numbers: 1 is 1900-01-01 (with its phantom 1900-02-29, hence 12-30).
        if not 1 <= serial < 2_958_466:
            raise ValueError(f"date {original!r} is not a valid Excel day number")
        return self._to_utc(_EXCEL_EPOCH + timedelta(days=serial))

    def _from_dmy(self, text: str, match: re.Match[str]) -> datetime:
        first, separator, second, year_text = (
            int(match.group(1)),
            match.group(2),
            int(match.group(3)),
            match.group(4),
        )
        if separator == "." or first > 12 or self.day_first is True:
            day, month = first, second
        elif second > 12 or self.day_first is False:
            day, month = second, first
        elif first == second:
            day = month = first
        else:
            raise ValueError(
                f"date {text!r} is ambiguous: the column never shows whether the day or the "
                "month comes first; set date_format (e.g. '%d/%m/%Y') in a mapping file"
            )
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 70 else 1900
        hour, minute, second_ = (int(match.group(i) or 0) for i in (5, 6, 7))
        micro = int((match.group(8) or "0").ljust(6, "0"))
        try:
            moment = datetime(year, month, day, hour, minute, second_, micro)
        except ValueError as exc:
            raise ValueError(f"date {text!r} is not a real date ({exc})") from None
        return self._to_utc(moment)
