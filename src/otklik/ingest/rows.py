"""Building one ledger record (or one quarantine entry) from one input row.

Every field goes through its parser inside a guard: a value that cannot be stored — malformed,
out of range (``otklik.ingest.limits``), NaN, a NUL character, an integer wider than any column
— becomes a quarantine reason naming the line and the field, whatever exception its parser
raised. Nothing about one row can stop the import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otklik.ingest.fields import (
    checked_text,
    duration_parser,
    jsonable,
    parse_channel,
    parse_language,
    parse_scale,
    reason_of,
    revenue_parser,
    scalar,
    short_text,
    transfers_parser,
)
from otklik.ingest.identity import RawIdentity
from otklik.ingest.limits import ImportLimits, safe_raw, string_problem, value_problem
from otklik.ingest.mapping import ColumnMap, MappingFile
from otklik.ingest.normalize import DateParser, parse_bool, parse_ended_by, parse_score
from otklik.ingest.readers.jsonfile import NOT_AN_OBJECT

__all__ = ["FIGURE_FIELDS", "Problem", "RowBuilder"]

# Fields a cell of which feeds a figure: the id that makes a row one answer (or one customer),
# the date that puts it in a period, the score and its scale. A CSV/TSV row that ends before
# one of these columns is quarantined (see RowBuilder); one that ends before other columns only
# (the comment, channel, region…: cells that describe the answer) is taken with them blank.
FIGURE_FIELDS = frozenset(
    {"id", "customer_id", "occurred_at", "started_at", "churned_at", "score", "scale"}
)


@dataclass
class Problem:
    field: str | None
    reason: str


class RowBuilder:
    """Turns rows of one file into ledger records; a row with any bad field is quarantined.

    **Field counts.** With ``positional=True`` (CSV/TSV, where a cell's column is its position) a
    row whose field count differs from the header's is a broken row (a quote or delimiter lost,
    a line cut by a newline) and is quarantined with ``row has 3 fields, the header has 5:
    check quotes and delimiters``: one with more non-blank fields always (trailing blank
    fields, ``a,b,c,,``, are only trailing delimiters); one with fewer fields when a missing
    column feeds a figure (:data:`FIGURE_FIELDS`: id, customer_id, dates, score, scale; the
    quarantine's field is the first such). A shorter row whose missing columns are all
    descriptive (text, channel, attributes…) is taken with them blank: some exporters (Excel
    for rows past the 16th, per Microsoft KB 77295; hand-edited files) drop trailing empty
    cells, and those cells change no figure. XLSX and JSON rows are not positional: a missing
    cell or key is a blank value, and an extra key is an attribute column.

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
        positional: bool = False,
    ) -> None:
        self.kind = kind
        self.positional = positional
        self.headers = headers
        self.columns = columns
        self.file_label = file_label
        self.file_scale = file_scale
        self.limits = limits or ImportLimits()
        self.defaults = dict(mapping.defaults)
        decimals = decimals or {}
        self.score_decimal = decimals.get("score")
        self.decimals = decimals  # per number field; the column-wise import reads the same
        dates = {
            name: DateParser(
                tz=mapping.zone, day_first=day_first.get(name), date_format=mapping.date_format
            )
            for name in ("occurred_at", "started_at", "churned_at")
        }
        self.date_parsers = dates  # the column-wise import parses the same way
        parsers: dict[str, Callable[[Any], Any]] = {
            "id": short_text("id"),
            "customer_id": short_text("customer_id"),
            "channel": parse_channel,
            "scale": parse_scale,
            "text": self._text,
            "language": parse_language,
            "handle_time_s": duration_parser(decimals.get("handle_time_s")),
            "wait_time_s": duration_parser(decimals.get("wait_time_s")),
            "transfers": transfers_parser(decimals.get("transfers")),
            "resolved": lambda value: parse_bool(scalar(value)),
            "ended_by": lambda value: parse_ended_by(checked_text(value)),
            "revenue": revenue_parser(decimals.get("revenue")),
            **{name: self._date(parser) for name, parser in dates.items()},
        }
        # A default from the mapping file fills a field when its cell is blank or it has no
        # column, and goes through the same parser as the file's own values.
        wanted = {**dict.fromkeys(self.defaults, -1), **columns.fields}
        self.steps = [
            (name, index, parsers.get(name) or short_text(name))
            for name, index in wanted.items()
            if name != "score"
        ]
        self.score_index = columns.fields.get("score")
        self.identity = RawIdentity(headers)
        # Attribute keys are headers: a header no store can hold (NUL, a lone surrogate) is
        # shown cleaned, and a row with a value under it is quarantined, not silently renamed.
        self.attribute_columns = [
            (str(safe_raw(header)), index, string_problem(header))
            for header, index in columns.attributes.items()
        ]

    def _text(self, value: Any) -> str | None:
        text = checked_text(value)
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
            return parser(scalar(value))

        return parse

    def raw(self, values: list[Any]) -> dict[str, Any]:
        if values and values[0] == NOT_AN_OBJECT:
            return {"value": safe_raw(jsonable(values[1]))}
        raw = {
            (header or f"column_{position + 1}"): safe_raw(jsonable(value))
            for position, (header, value) in enumerate(zip(self.headers, values, strict=False))
        }
        for position in range(len(self.headers), len(values)):
            raw[f"column_{position + 1}"] = safe_raw(jsonable(values[position]))
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

    def _field_of(self, header: str | None) -> str | None:
        """The ledger field a column feeds: its mapped field, else ``attributes``."""
        if header is None:
            return None
        for name, index in self.columns.fields.items():
            if index < len(self.headers) and self.headers[index] == header:
                return name
        return "attributes" if header in self.headers else None

    def _twin_problems(self, values: list[Any]) -> list[Problem]:
        """Columns named alike ("Score", "score") that disagree in this row: which one is the
        field's value is not ours to guess."""
        problems = []
        width = len(values)

        def cell(index: int) -> str:
            value = values[index] if index < width else None
            return "" if value is None else str(value).strip()

        for name, positions in self.columns.twins.items():
            first = self.columns.fields[name]
            for position in positions:
                # a blank on either side is no disagreement: the field's column wins
                if cell(position) and cell(first) and cell(position) != cell(first):
                    problems.append(
                        Problem(
                            name,
                            f"{name}: columns {self.headers[first]!r} and "
                            f"{self.headers[position]!r} disagree ({cell(first)[:20]!r} vs "
                            f"{cell(position)[:20]!r}); rename one or map it in a mapping file",
                        )
                    )
        return problems

    def _shape_problem(self, values: list[Any]) -> Problem | None:
        if values and values[0] == NOT_AN_OBJECT:
            reason = getattr(values[1], "reason", None)
            if reason:
                # the reader's sentence (readers/base.py), on the field its column feeds
                return Problem(self._field_of(getattr(values[1], "header", None)), reason)
            return Problem(None, "not a JSON object")
        width, count = len(self.headers), len(values)
        if count > width and any(
            not (value is None or (isinstance(value, str) and not value.strip()))
            for value in values[width:]
        ):
            return Problem(None, self._count_reason(count))
        if self.positional and count < width:
            cut = self._figures_from(count)
            if cut is not None:
                return Problem(cut, self._count_reason(count))
        return None

    def _count_reason(self, count: int) -> str:
        return (
            f"row has {count} fields, the header has {len(self.headers)}: check quotes and "
            "delimiters"
        )

    def _figures_from(self, position: int) -> str | None:
        """The first field in :data:`FIGURE_FIELDS` whose column is at ``position`` or after."""
        cut = [
            (index, name)
            for name, index in self.columns.fields.items()
            if index >= position and name in FIGURE_FIELDS
        ]
        return min(cut)[1] if cut else None

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
                problems.append(Problem(name, reason_of(name, exc)))
        return record, problems

    def attributes(self, values: list[Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The row's unmapped cells, and why they cannot be stored (limits, NUL, NaN)."""
        width = len(values)
        limits = self.limits
        attributes: dict[str, Any] = {}
        problems: list[Problem] = []
        for header, index, header_problem in self.attribute_columns:
            if index >= width:
                continue
            value = values[index]
            if value is None or (type(value) is str and not value.strip()):
                continue
            if header_problem is not None:
                problems.append(
                    Problem(
                        "attributes",
                        f"attributes: the column name {header[:60]!r} {header_problem}",
                    )
                )
                continue
            why = value_problem(value, limits)
            if why is None and type(value) is str and len(value) > limits.text_chars:
                why = f"{len(value):,} characters, longer than the limit of {limits.text_chars:,}"
            if why is not None:
                problems.append(Problem("attributes", f"attributes: {header[:60]!r} {why}"))
                continue
            attributes[header] = jsonable(value)
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
            score = parse_score(scalar(value), scale, self.score_decimal)
        except Exception as exc:  # any failure is this row's reason
            problems.append(Problem("score", reason_of("score", exc)))
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
            return None, [Problem(None, reason_of(None, exc))]

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
        if self.columns.twins:
            problems.extend(self._twin_problems(values))
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
        if self.columns.twins:
            problems.extend(self._twin_problems(values))
        if problems:
            return None, problems
        record["attributes"] = attributes
        record["customer_id"] = str(record["customer_id"])
        content = tuple(sorted((k, repr(v)) for k, v in record.items()))
        record["content_hash"] = _digest(content)
        return record, []


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).hexdigest()
