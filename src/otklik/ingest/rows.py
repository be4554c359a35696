"""Building one ledger record (or one quarantine entry) from one input row."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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


def _short_text(name: str) -> Callable[[Any], str | None]:
    limit = _MAX_LENGTH.get(name, _DEFAULT_MAX)

    def parse(value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 12345.0 from a spreadsheet is the id 12345
        text = parse_text(value)
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
    text = parse_text(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "").replace("-", "")
    if key not in SCALES:
        raise ValueError(f"unknown scale {text!r}; use one of {', '.join(SCALES)}")
    return key


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return value
    return str(value)


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).hexdigest()


class RowBuilder:
    """Turns rows of one file into ledger records; a row with any bad field is quarantined."""

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
    ) -> None:
        self.kind = kind
        self.headers = headers
        self.columns = columns
        self.file_label = file_label
        self.file_scale = file_scale
        self.defaults = dict(mapping.defaults)
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
            "text": parse_text,
            "language": _language,
            "handle_time_s": parse_duration,
            "wait_time_s": parse_duration,
            "transfers": self._transfers,
            "resolved": parse_bool,
            "ended_by": parse_ended_by,
            "revenue": parse_number,
            **dates,
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

    @staticmethod
    def _transfers(value: Any) -> int | None:
        number = parse_int(value)
        if number is not None and number < 0:
            raise ValueError(f"transfers {number} is negative")
        return number

    def raw(self, values: list[Any]) -> dict[str, Any]:
        if values and values[0] == NOT_AN_OBJECT:
            return {"value": _jsonable(values[1])}
        raw = {
            (header or f"column_{position + 1}"): _jsonable(value)
            for position, (header, value) in enumerate(zip(self.headers, values, strict=False))
        }
        for position in range(len(self.headers), len(values)):
            raw[f"column_{position + 1}"] = _jsonable(values[position])
        return raw

    def quarantine(self, line: int, values: list[Any], problems: list[Problem]) -> dict[str, Any]:
        return {
            "file": self.file_label,
            "line": line,
            "field": problems[0].field,
            "reason": "; ".join(problem.reason for problem in problems),
            "raw": self.raw(values),
        }

    def _shape_problem(self, values: list[Any]) -> Problem | None:
        if values and values[0] == NOT_AN_OBJECT:
            reason = getattr(values[1], "reason", None)
            if reason:
                return Problem(None, reason)  # the reader's sentence (readers/base.py)
            return Problem(None, "not a JSON object")
        if len(values) > len(self.headers) and any(
            parse_text(value) for value in values[len(self.headers) :]
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
            except ValueError as exc:
                problems.append(Problem(name, f"{name}: {exc}"))
        return record, problems

    def attributes(self, values: list[Any]) -> dict[str, Any] | None:
        width = len(values)
        attributes = {
            header: _jsonable(values[index])
            for header, index in self.columns.attributes.items()
            if index < width and parse_text(values[index]) is not None
        }
        return attributes or None

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
            value = values[self.score_index] if self.score_index < len(values) else None
            try:
                record["score"] = parse_score(value, scale)
            except ValueError as exc:
                message = str(exc)
                problems.append(
                    Problem(
                        "score", message if message.startswith("score") else f"score: {message}"
                    )
                )
            if record.get("score") is not None and scale is None:
                problems.append(
                    Problem(
                        "score",
                        f"score {record['score']:g} has no scale: set scale: (nps, csat5, "
                        "csat10, ces7, rating5) in a mapping file",
                    )
                )
        if record.get("score") is None:
            record["scale"] = None
        if problems:
            return None, problems
        record["attributes"] = self.attributes(values)
        record["kind"] = self.kind
        external_id = record.pop("id", None)
        if external_id is None:
            content = tuple(sorted((k, v) for k, v in record.items() if k != "attributes"))
            attributes = tuple(sorted((record["attributes"] or {}).items()))
            external_id = "h:" + _digest((content, repr(attributes)))
        record["external_id"] = str(external_id)
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
        if problems:
            return None, problems
        record["attributes"] = self.attributes(values)
        record["customer_id"] = str(record["customer_id"])
        content = tuple(sorted((k, repr(v)) for k, v in record.items()))
        record["content_hash"] = _digest(content)
        return record, []
