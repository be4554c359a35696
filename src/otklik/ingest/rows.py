"""Building one ledger record (or one quarantine entry) from one input row.

Every field goes through its parser inside a guard: a value that cannot be stored — malformed,
out of range (``otklik.ingest.limits``), NaN, a NUL character, an integer wider than any column
— becomes a quarantine reason naming the line and the field, whatever exception its parser
raised. Nothing about one row can stop the import.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from otklik.ingest.identity import RawIdentity
from otklik.ingest.limits import (
    MAX_DURATION_S,
    MAX_REVENUE,
    MAX_TRANSFERS,
    ImportLimits,
    safe_raw,
    string_problem,
    value_problem,
)
from otklik.ingest.mapping import ColumnMap, MappingFile
from otklik.ingest.normalize import (
    DateParser,
    parse_bool,
    parse_duration,
    parse_ended_by,
    parse_int,
    parse_number,
    parse_score,
    parse_text,
)
from otklik.ingest.readers.jsonfile import NOT_AN_OBJECT
from otklik.types import SCALES, normalize_channel

__all__ = ["Problem", "RowBuilder"]

_MAX_LENGTH = {"channel": 50, "language": 10}
_DEFAULT_MAX = 200


@dataclass
class Problem:
    field: str | None
    reason: str


def _scalar(value: Any) -> Any:
    """``value`` if it is a single finite value; nested JSON and NaN are not a field's value."""
    if isinstance(value, dict):
        raise ValueError("is a JSON object, not a single value")
    if isinstance(value, list):
        raise ValueError("is a JSON list, not a single value")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return value


def _checked_text(value: Any) -> str | None:
    text = parse_text(_scalar(value))
    if text is not None and (why := string_problem(text)):
        raise ValueError(why)
    return text


def _short_text(name: str) -> Callable[[Any], str | None]:
    limit = _MAX_LENGTH.get(name, _DEFAULT_MAX)

    def parse(value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 12345.0 from a spreadsheet is the id 12345
        text = _checked_text(value)
        if text is not None and len(text) > limit:
            raise ValueError(f"{text[:40]!r}… is longer than {limit} characters")
        return text

    return parse


def _channel(value: Any) -> str | None:
    text = _short_text("channel")(value)
    return None if text is None else normalize_channel(text)


def _language(value: Any) -> str | None:
    text = _short_text("language")(value)
    return None if text is None else text.lower()


def _scale(value: Any) -> str | None:
    text = _checked_text(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "").replace("-", "")
    if key not in SCALES:
        raise ValueError(f"unknown scale {text[:40]!r}; use one of {', '.join(SCALES)}")
    return key


def _duration(decimal: str | None) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        seconds = parse_duration(_scalar(value), decimal)
        if seconds is not None and seconds > MAX_DURATION_S:
            raise ValueError(
                f"{seconds:,.0f} s is longer than {MAX_DURATION_S // 86_400} days "
                f"({MAX_DURATION_S:,} s)"
            )
        return seconds

    return parse


def _transfers(decimal: str | None) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        number = parse_int(_scalar(value), decimal)
        if number is not None and not 0 <= number <= MAX_TRANSFERS:
            shown = f"{number}" if abs(number) < 10**12 else f"{number:.3g}"
            raise ValueError(f"transfers {shown} is outside 0–{MAX_TRANSFERS:,}")
        return number

    return parse


def _revenue(decimal: str | None) -> Callable[[Any], float | None]:
    def parse(value: Any) -> float | None:
        number = parse_number(_scalar(value), decimal)
        if number is not None and abs(number) >= MAX_REVENUE:
            raise ValueError(f"{number:.6g} is not below {MAX_REVENUE:.0e} in absolute value")
        return number

    return parse


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | dict):
        return value
    return str(value)


def _reason(name: str | None, exc: Exception) -> str:
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


class RowBuilder:
    """Turns rows of one file into ledger records; a row with any bad field is quarantined.

    ``decimals`` gives each number field its column's decimal separator (``","``, ``"."`` or
    None when the column never showed one; see :class:`~otklik.ingest.profile.NumberProfile`).
    """

    def __init__(
        self,
        *,
        kind: str,
        headers: list[str],
        columns: ColumnMap,
        mapping: MappingFile,
        file_label: str,
        file_scale: str | None,
        day_first: dict[str, bool | None],
        decimals: dict[str, str | None] | None = None,
        limits: ImportLimits | None = None,
    ) -> None:
        self.kind = kind
        self.headers = headers
        self.columns = columns
        self.file_label = file_label
        self.file_scale = file_scale
        self.limits = limits or ImportLimits()
        self.defaults = dict(mapping.defaults)
        decimals = decimals or {}
        self.score_decimal = decimals.get("score")
        dates = {
            name: DateParser(
                tz=mapping.zone, day_first=day_first.get(name), date_format=mapping.date_format
            )
            for name in ("occurred_at", "started_at", "churned_at")
        }
        parsers: dict[str, Callable[[Any], Any]] = {
            "id": _short_text("id"),
            "customer_id": _short_text("customer_id"),
            "channel": _channel,
            "scale": _scale,
            "text": self._text,
            "language": _language,
            "handle_time_s": _duration(decimals.get("handle_time_s")),
            "wait_time_s": _duration(decimals.get("wait_time_s")),
            "transfers": _transfers(decimals.get("transfers")),
            "resolved": lambda value: parse_bool(_scalar(value)),
            "ended_by": lambda value: parse_ended_by(_checked_text(value)),
            "revenue": _revenue(decimals.get("revenue")),
            **{name: self._date(parser) for name, parser in dates.items()},
        }
        # A default from the mapping file fills a field when its cell is blank or it has no
        # column, and goes through the same parser as the file's own values.
        wanted = {**dict.fromkeys(self.defaults, -1), **columns.fields}
        self.steps = [
            (name, index, parsers.get(name) or _short_text(name))
            for name, index in wanted.items()
            if name != "score"
        ]
        self.score_index = columns.fields.get("score")
        self.identity = RawIdentity(headers)
        # Attribute keys are headers: NUL and lone surrogates are cleaned out of them once.
        self.attribute_columns = [
            (str(safe_raw(header)).replace("\u2400", ""), index)
            for header, index in columns.attributes.items()
        ]

    def _text(self, value: Any) -> str | None:
        text = _checked_text(value)
        limit = self.limits.text_chars
        if text is not None and len(text) > limit:
            raise ValueError(
                f"{len(text):,} characters, longer than the limit of {limit:,} "
                "(OTKLIK_IMPORT_MAX_TEXT_CHARS)"
            )
        return text

    @staticmethod
    def _date(parser: DateParser) -> Callable[[Any], datetime | None]:
        def parse(value: Any) -> datetime | None:
            return parser(_scalar(value))

        return parse

    def raw(self, values: list[Any]) -> dict[str, Any]:
        if values and values[0] == NOT_AN_OBJECT:
            return {"value": safe_raw(_jsonable(values[1]))}
        raw = {
            (header or f"column_{position + 1}"): safe_raw(_jsonable(value))
            for position, (header, value) in enumerate(zip(self.headers, values, strict=False))
        }
        for position in range(len(self.headers), len(values)):
            raw[f"column_{position + 1}"] = safe_raw(_jsonable(values[position]))
        return {str(safe_raw(key)): value for key, value in raw.items()}

    def quarantine(self, line: int, values: list[Any], problems: list[Problem]) -> dict[str, Any]:
        try:
            raw: dict[str, Any] | None = self.raw(values)
        except Exception:  # the raw copy is a courtesy; the line and reason are what count
            raw = None
        return {
            "file": self.file_label,
            "line": line,
            "field": problems[0].field,
            "reason": safe_raw("; ".join(problem.reason for problem in problems)),
            "raw": raw,
        }

    def _shape_problem(self, values: list[Any]) -> Problem | None:
        if values and values[0] == NOT_AN_OBJECT:
            reason = getattr(values[1], "reason", None)
            if reason:
                return Problem(None, f"not valid JSON ({reason})")
            return Problem(None, "not a JSON object")
        if len(values) > len(self.headers) and any(
            not (value is None or (isinstance(value, str) and not value.strip()))
            for value in values[len(self.headers) :]
        ):
            return Problem(
                None,
                f"the row has {len(values)} fields but the header has {len(self.headers)}; "
                "check the quoting or the delimiter",
            )
        return None

    def _fields(self, values: list[Any]) -> tuple[dict[str, Any], list[Problem]]:
        record: dict[str, Any] = {}
        problems: list[Problem] = []
        width = len(values)
        defaults = self.defaults
        for name, index, parse in self.steps:
            value = values[index] if 0 <= index < width else None
            if defaults and (value is None or (isinstance(value, str) and not value.strip())):
                value = defaults.get(name)
            try:
                record[name] = parse(value)
            except Exception as exc:  # any failure is this row's reason
                problems.append(Problem(name, _reason(name, exc)))
        return record, problems

    def attributes(self, values: list[Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The row's unmapped cells, and why they cannot be stored (limits, NUL, NaN)."""
        width = len(values)
        limits = self.limits
        attributes: dict[str, Any] = {}
        problems: list[Problem] = []
        for header, index in self.attribute_columns:
            if index >= width:
                continue
            value = values[index]
            if value is None or (type(value) is str and not value.strip()):
                continue
            why = value_problem(value, limits)
            if why is None and type(value) is str and len(value) > limits.text_chars:
                why = f"{len(value):,} characters, longer than the limit of {limits.text_chars:,}"
            if why is not None:
                problems.append(Problem("attributes", f"attributes: {header[:60]!r} {why}"))
                continue
            attributes[header] = _jsonable(value)
        if len(attributes) > limits.attributes:
            problems.append(
                Problem(
                    "attributes",
                    f"attributes: {len(attributes)} extra columns, more than "
                    f"{limits.attributes}; map or drop some",
                )
            )
        return attributes or None, problems

    def _score(self, values: list[Any], scale: str | None, problems: list[Problem]) -> Any:
        assert self.score_index is not None
        value = values[self.score_index] if self.score_index < len(values) else None
        try:
            score = parse_score(_scalar(value), scale, self.score_decimal)
        except Exception as exc:  # any failure is this row's reason
            problems.append(Problem("score", _reason("score", exc)))
            return None
        if score is not None and scale is None:
            problems.append(
                Problem(
                    "score",
                    f"score {score:g} has no scale: set scale: (nps, csat5, csat10, ces7, "
                    "rating5) in a mapping file",
                )
            )
        return score

    def build(self, line: int, values: list[Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        """:meth:`item` or :meth:`customer` by the kind; an unexpected failure is a problem."""
        try:
            if self.kind == "customers":
                return self.customer(line, values)
            return self.item(line, values)
        except Exception as exc:  # any failure is this row's reason, never the import's
            return None, [Problem(None, _reason(None, exc))]

    def item(self, line: int, values: list[Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        problem = self._shape_problem(values)
        if problem is not None:
            return None, [problem]
        record, problems = self._fields(values)
        if record.get("occurred_at") is None and not any(
            p.field == "occurred_at" for p in problems
        ):
            problems.append(
                Problem(
                    "occurred_at",
                    "occurred_at is missing: add a date column (or defaults: {occurred_at: "
                    "...} in a mapping file)",
                )
            )
        scale = record.get("scale") or self.file_scale
        record["scale"] = scale
        if self.score_index is not None:
            record["score"] = self._score(values, scale, problems)
        if record.get("score") is None:
            record["scale"] = None
        attributes, more = self.attributes(values)
        problems.extend(more)
        if problems:
            return None, problems
        record["attributes"] = attributes
        record["kind"] = self.kind
        external_id = record.pop("id", None)
        record["external_id"] = (
            self.identity.next_id(values) if external_id is None else str(external_id)
        )
        return record, []

    def customer(self, line: int, values: list[Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        problem = self._shape_problem(values)
        if problem is not None:
            return None, [problem]
        record, problems = self._fields(values)
        if record.get("customer_id") is None and not any(
            p.field == "customer_id" for p in problems
        ):
            problems.append(Problem("customer_id", "customer_id is missing"))
        started, churned = record.get("started_at"), record.get("churned_at")
        if started is not None and churned is not None and churned < started:
            problems.append(
                Problem(
                    "churned_at",
                    f"churned_at {churned:%Y-%m-%d} is before started_at {started:%Y-%m-%d}",
                )
            )
        attributes, more = self.attributes(values)
        problems.extend(more)
        if problems:
            return None, problems
        record["attributes"] = attributes
        record["customer_id"] = str(record["customer_id"])
        content = tuple(sorted((k, repr(v)) for k, v in record.items()))
        record["content_hash"] = _digest(content)
        return record, []


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).hexdigest()
