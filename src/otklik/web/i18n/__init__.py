"""Russian and English for the web app: message catalogues and locale-aware formatting.

Messages live in ``ru.json`` and ``en.json`` beside this module, plus one file per area
(``ru.inbox.json``, ``en.inbox.json``, …) merged into the same catalogue; a key defined in two
files of one locale is an error. A test keeps both locales' keys equal and checks every key the
templates use. Numbers and dates are formatted by Babel with the
locale's own separators and month names.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["LOCALES", "Translator", "catalogue", "negotiate", "translator", "unit_digits"]

# Russian business documents write days as 01.03.2025; Babel's "medium" would say "1 мар. 2025 г.".
_NUMERIC_DATES: dict[str, tuple[str, str]] = {"ru": ("dd.MM.yyyy", "dd.MM.yyyy HH:mm")}

LOCALES: tuple[str, ...] = ("ru", "en")
_HERE = Path(__file__).parent
_UNIT_DIGITS = {"%": 1, "points": 1, "s": 0}


def unit_digits(unit: str) -> int:
    """Decimals a metric value in ``unit`` is shown (and exported) with: % and points 1,
    seconds 0, scores 2."""
    return _UNIT_DIGITS.get(unit, 2)


@cache
def catalogue(locale: str) -> Mapping[str, str]:
    """The messages of ``locale`` (``ru`` or ``en``): ``<locale>.json`` and ``<locale>.*.json``.

    Raises ``ValueError`` when two files of the locale define the same key.
    """
    data: dict[str, str] = {}
    for path in [_HERE / f"{locale}.json", *sorted(_HERE.glob(f"{locale}.*.json"))]:
        part: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(data))
        if twice:
            raise ValueError(f"{path.name} defines keys already defined: {', '.join(twice)}")
        data.update(part)
    return data


def negotiate(accept_language: str | None, default: str) -> str:
    """The best of :data:`LOCALES` for an ``Accept-Language`` header, else ``default``."""
    if not accept_language:
        return default
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            wanted.append((quality - position * 1e-6, tag.strip().replace("_", "-")))
    found = Locale.negotiate(
        [tag for _, tag in sorted(wanted, reverse=True)], list(LOCALES), sep="-"
    )
    return str(found) if found is not None else default


@dataclass(frozen=True)
class Translator:
    """``t("key", name=value)`` and number/date formatting for one locale."""

    locale: str

    def __call__(self, key: str, **values: object) -> str:
        text = catalogue(self.locale).get(key) or catalogue("en").get(key) or key
        return text.format(**values) if values else text

    def code(self, kind: str, value: object) -> str:
        """A stored code shown to people: ``t.code("channel", "app")`` → ``Приложение``.

        Looks up ``code.<kind>.<value>`` (``kind``: channel, kind, type, sentiment, status,
        scale, role, method, mechanic, …); a value without a message is shown as stored.
        """
        if value is None or value == "":
            return "–"
        key = f"code.{kind}.{value}"
        text = catalogue(self.locale).get(key) or catalogue("en").get(key)
        return text if text is not None else str(value)

    def has(self, key: str) -> bool:
        """Whether ``key`` has a message in either locale."""
        return key in catalogue(self.locale) or key in catalogue("en")

    def column(self, name: str) -> str:
        """A column or field name shown to people (table and export headers): the first of
        ``field.<name>``, ``col.<name>``, ``export.col.<name>`` that has a message, else
        ``name`` as it is."""
        for key in (f"field.{name}", f"col.{name}", f"export.col.{name}"):
            if self.has(key):
                return self(key)
        return name

    def boolean(self, value: bool | None) -> str:
        """Yes/no in the locale (``да``/``нет``); None is ``–``."""
        if value is None:
            return "–"
        return self("word.yes" if value else "word.no")

    def money(self, value: float | None, currency: str | None = None) -> str:
        """An amount with two decimals in the locale's format (``1 234,50 ₽`` with
        ``currency="RUB"``; without a currency just ``1 234,50``)."""
        if value is None:
            return "–"
        if currency:
            return format_currency(value, currency, locale=self.locale)
        return self.number(value, 2)

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        if not math.isfinite(value) or abs(value) >= 1e15:  # beyond what a figure can mean
            return f"{value:.{max(digits, 1)}g}"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def integer(self, value: int | None) -> str:
        return "–" if value is None else format_decimal(value, format="#,##0", locale=self.locale)

    def percent(self, value: float | None, digits: int = 1) -> str:
        """``value`` in percent units (42.5 → 42,5 %)."""
        if value is None:
            return "–"
        base = Locale.parse(self.locale).percent_formats[None].pattern
        pattern = base.replace("#,##0", "#,##0" + ("." + "0" * digits if digits > 0 else ""), 1)
        return format_percent(value / 100, format=pattern, locale=self.locale)

    def metric(self, value: float | None, unit: str) -> str:
        """A metric value in its unit: %, points (signed), seconds or a score."""
        if value is None:
            return "–"
        digits = unit_digits(unit)
        if unit == "%":
            return self.percent(value, digits)
        if unit == "points":
            return ("+" if value > 0 else "") + self.number(value, digits)
        if unit == "s":
            return self.number(value, digits) + " " + self("unit.seconds")
        return self.number(value, digits)

    def date(self, value: dt.date | dt.datetime | None, fmt: str = "medium") -> str:
        """A day or a time: ``fmt`` is a Babel format (``short``, ``medium``, a pattern);
        in Russian ``medium`` is numeric: ``01.03.2025`` and ``01.03.2025 10:05``."""
        if value is None:
            return "–"
        numeric = _NUMERIC_DATES.get(self.locale)
        if numeric is not None and fmt == "medium":
            fmt = numeric[1] if isinstance(value, dt.datetime) else numeric[0]
        if isinstance(value, dt.datetime):
            return format_datetime(value, format=fmt, locale=self.locale)
        return format_date(value, format=fmt, locale=self.locale)

    def month_short(self, value: dt.date | None) -> str:
        """A chart tick: ``янв. 2025`` / ``Jan 2025``."""
        return "–" if value is None else format_date(value, format="LLL yyyy", locale=self.locale)

    def month(self, value: dt.date | None) -> str:
        return "–" if value is None else format_date(value, format="LLLL yyyy", locale=self.locale)


@cache
def translator(locale: str) -> Translator:
    return Translator(locale if locale in LOCALES else LOCALES[0])
