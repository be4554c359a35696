"""The column-wise import of delimited files: the row-wise results, a column at a time.

:func:`fast_batches` reads a CSV/TSV once more as text (the same decoding as the reader), splits
it into lines and fields with pyarrow, and checks and converts every field of a column at once.
A value is taken from the vectorised checks only where they prove it is exactly what the
row-wise parser (:class:`~otklik.ingest.rows.RowBuilder`) would return; every other value goes
through that parser itself, one value at a time (a column with few distinct values, such as a
channel or a score, calls it once per distinct value), and every row with any problem goes
through :meth:`RowBuilder.build` whole, so quarantine entries (line, field, reason) are the
row-wise path's own. What the row-wise path keeps state for (ids made from the row's content,
first-of-two-duplicates) is done in file order.

Falls back to the row-wise path (returns None) for: readers other than CSV/TSV, customer
lists, files with twin columns ("Score" and "score"), a carriage return that does not end a
line, a NUL character, a quoted field that runs over a line end (an odd number of quotes on a
line), or any disagreement with the profile pass's row count. Inside a file, lines with a
quote, a control character or Unicode whitespace, and lines whose field count differs from the
header's, are split by the csv module and built row-wise.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import compress
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from otklik.ingest.limits import MAX_DURATION_S, MAX_REVENUE, MAX_TRANSFERS
from otklik.ingest.normalize import DateParser, number_style, parse_score, split_date
from otklik.ingest.profile import ColumnProfile, FileProfile, NumberProfile, _number_or_none
from otklik.ingest.readers.base import Table
from otklik.ingest.readers.delimited import FIELD_LIMIT
from otklik.ingest.readers.encoding import open_text
from otklik.ingest.rows import RowBuilder
from otklik.ledger.writer import ITEM_COLUMNS, anonymous

__all__ = ["FastBatch", "FastLines", "fast_batches", "profile_lines", "read_lines"]

CHUNK_ROWS = 100_000
# Characters Python's str.strip() removes besides the space, and the other control characters:
# a line holding one is split and built row-wise.
_UNUSUAL = (
    "[\\x00-\\x08\\x0a-\\x1f\\x7f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
    "\\x{202f}\\x{205f}\\x{3000}]"
)
# Fields whose parser is not short_text (see RowBuilder.__init__); "id" and "customer_id" are.
_OWN_PARSERS = frozenset(
    {
        "channel",
        "scale",
        "text",
        "language",
        "handle_time_s",
        "wait_time_s",
        "transfers",
        "resolved",
        "ended_by",
        "revenue",
        "occurred_at",
        "started_at",
        "churned_at",
    }
)
_NUMBERS = frozenset({"handle_time_s", "wait_time_s", "transfers", "revenue"})
# (pattern, strptime format, the same moment as "YYYY-MM-DD HH:MM:SS.ffffff" from the text:
# slices of it and literals): a value is taken when its parse, written back, equals that.
_Piece = tuple[int, int] | str
_DATE_FORMATS: tuple[tuple[str, str, tuple[_Piece, ...]], ...] = (
    (
        "^\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d:\\d\\d$",
        "%d.%m.%Y %H:%M:%S",
        ((6, 10), "-", (3, 5), "-", (0, 2), " ", (11, 19), ".000000"),
    ),
    (
        "^\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d$",
        "%d.%m.%Y %H:%M",
        ((6, 10), "-", (3, 5), "-", (0, 2), " ", (11, 16), ":00.000000"),
    ),
    (
        "^\\d\\d\\.\\d\\d\\.\\d{4}$",
        "%d.%m.%Y",
        ((6, 10), "-", (3, 5), "-", (0, 2), " 00:00:00.000000"),
    ),
    (
        "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$",
        "%Y-%m-%d %H:%M:%S",
        ((0, 10), " ", (11, 19), ".000000"),
    ),
    (
        "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d$",
        "%Y-%m-%dT%H:%M:%S",
        ((0, 10), " ", (11, 19), ".000000"),
    ),
    ("^\\d{4}-\\d\\d-\\d\\d$", "%Y-%m-%d", ((0, 10), " 00:00:00.000000")),
)


@dataclass
class FastBatch:
    """One batch of a file: ``rows_out`` are rows of the ``columns`` named (those of
    :data:`otklik.ledger.ITEM_COLUMNS` that any row fills, in that order) in file order, as
    :func:`otklik.ledger.write_item_rows` takes them (dates as naive-UTC ISO strings
    ``YYYY-MM-DD HH:MM:SS.ffffff``, attributes as JSON text); ``quarantine`` entries are
    :meth:`RowBuilder.quarantine`'s; ``rows`` is how many data rows the batch covered."""

    rows_out: list[tuple[Any, ...]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    columns: tuple[str, ...] = ITEM_COLUMNS

    def full_rows(self) -> list[tuple[Any, ...]]:
        """``rows_out`` laid out as :data:`ITEM_COLUMNS` (the columns left out as None)."""
        at = {name: position for position, name in enumerate(self.columns)}
        return [
            tuple(row[at[name]] if name in at else None for name in ITEM_COLUMNS)
            for row in self.rows_out
        ]


def _np(array: Any) -> np.ndarray:
    """``array`` as numpy (booleans as bool, nulls as False/0), without pyarrow's pandas shim."""
    if pa.types.is_boolean(array.type):
        return np.asarray(pc.fill_null(array, False).cast(pa.uint8()).to_numpy(), dtype=bool)
    return np.asarray(pc.fill_null(array, 0).to_numpy())


def _written(text: pa.Array, pieces: tuple[_Piece, ...]) -> pa.Array:
    """``text`` rewritten by ``pieces`` (slices of it, literals), as one string array."""
    parts = [
        pa.scalar(piece, text.type)
        if isinstance(piece, str)
        else pc.utf8_slice_codeunits(text, piece[0], piece[1])
        for piece in pieces
    ]
    return pc.binary_join_element_wise(*parts, pa.scalar("", text.type))


def _iso(value: Any) -> Any:
    return (
        value.isoformat(sep=" ", timespec="microseconds") if isinstance(value, datetime) else value
    )


@dataclass
class FastLines:
    """A delimited file as lines: ``lines`` (large_string, one physical line each, its end
    removed), ``data`` (0-based indices of the data rows, in file order; line = index + 1),
    ``slow`` (indices of lines the csv module splits: a quote, a control character)."""

    lines: pa.Array
    data: np.ndarray
    delimiter: str
    slow: np.ndarray  # per line: True where the csv module splits it
    _split: tuple[pa.Array, pa.Array, np.ndarray] | None = None

    def _data_split(self, width: int) -> tuple[pa.Array, pa.Array, np.ndarray]:
        if self._split is None:
            lines = self.lines.take(pa.array(self.data))
            split = pc.split_pattern(lines, pattern=self.delimiter)
            counts = _np(pc.list_value_length(split))
            fast = (counts == width) & ~self.slow[self.data]
            flat = pc.list_flatten(split.filter(pa.array(fast)))
            self._split = (lines, flat, fast)
        return self._split

    def column(self, index: int, width: int) -> tuple[pa.Array, list[Any]]:
        """Cell ``index`` of the fast data rows that have ``width`` fields (an array), and the
        same cell of every other data row (Python values, None where the row is too short)."""
        lines, flat, fast = self._data_split(width)
        cells = flat.take(pa.array(np.arange(index, int(fast.sum()) * width, width)))
        others: list[Any] = []
        for at in np.flatnonzero(~fast).tolist():
            values = _split(str(lines[at].as_py()), self.delimiter)
            others.append(values[index] if index < len(values) else None)
        return cells, others


def read_lines(table: Table) -> FastLines | None:
    """The file's lines for the column-wise path, or None where it does not apply (or
    anything unforeseen goes wrong: the row-wise path then reads the file)."""
    try:
        return _read_lines(table)
    except Exception:
        return None


def _read_lines(table: Table) -> FastLines | None:
    info = table.columnar
    if info is None:
        return None
    delimiter = info["delimiter"]
    try:
        with open_text(table.path, info["decoding"]) as handle:
            text = handle.read()
    except (UnicodeError, OSError):
        return None  # the row-wise path says what is wrong, with the line
    if "\x00" in text:
        return None
    data = text.encode("utf-8")
    del text
    buffer = np.frombuffer(data, dtype=np.uint8)
    returns = np.flatnonzero(buffer == 13)
    if len(returns) and (returns[-1] + 1 >= len(buffer) or np.any(buffer[returns + 1] != 10)):
        return None  # a lone carriage return: the csv module ends a record there
    newlines = np.flatnonzero(buffer == 10)
    offsets = np.concatenate(([0], newlines + 1))
    if offsets[-1] != len(buffer):
        offsets = np.append(offsets, len(buffer))
    count = len(offsets) - 1
    if count and int(np.diff(offsets).max()) > FIELD_LIMIT:
        return None  # the csv module refuses such a field: a broken row, row-wise
    raw = pa.LargeStringArray.from_buffers(
        count, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(data)
    )
    lines = pc.utf8_rtrim(raw, characters="\r\n")
    quoted = _np(pc.match_substring(lines, '"'))
    unusual = _unusual(lines, delimiter)
    for index in np.flatnonzero(quoted):
        if str(lines[int(index)].as_py()).count('"') % 2:
            return None  # a quoted field over several lines: the reader's own business
    spaces = "\\t" if delimiter == "\t" else re.escape(delimiter)
    blank = _np(pc.match_substring_regex(lines, f"^[ {spaces}]*$"))
    for index in np.flatnonzero(quoted | unusual):
        blank[index] = not "".join(_split(str(lines[int(index)].as_py()), delimiter)).strip()
    filled = np.flatnonzero(~blank)
    filled = filled[filled >= int(info.get("skip", 0))]  # Excel's sep= line
    if not len(filled):
        return None
    data_rows = filled[1:]  # the first filled line is the header (after a sep= hint)
    return FastLines(lines, data_rows, delimiter, quoted | unusual)


def _unusual(lines: pa.Array, delimiter: str) -> np.ndarray:
    pattern = _UNUSUAL if delimiter == "\t" else _UNUSUAL[:-1] + "\\t]"
    found = pc.match_substring_regex(lines, pattern)
    return np.asarray(found)


def _split(text: str, delimiter: str) -> list[str]:
    if '"' not in text:
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter), [])


class _Columns:
    """Column-wise checks and conversions for the fast rows of one batch."""

    def __init__(self, builder: RowBuilder, width: int) -> None:
        self.builder = builder
        self.width = width
        self.defaults = builder.defaults
        self.scale_step = any(name == "scale" for name, _, _ in builder.steps)

    def _python(
        self, parse: Callable[[Any], Any], name: str, raw: list[Any], positions: np.ndarray
    ) -> tuple[dict[int, Any], list[int]]:
        """The row-wise parser on the cells at ``positions``: values, and where it refused."""
        values: dict[int, Any] = {}
        bad: list[int] = []
        defaults = self.defaults
        for position in positions.tolist():
            value = raw[position]
            if defaults and (value is None or (isinstance(value, str) and not value.strip())):
                value = defaults.get(name)
            try:
                values[position] = parse(value)
            except Exception:
                bad.append(position)
        return values, bad

    def memo(
        self, name: str, parse: Callable[[Any], Any], column: pa.Array
    ) -> tuple[list[Any], np.ndarray]:
        """The row-wise parser once per distinct value."""
        encoded = column.dictionary_encode()
        uniques = encoded.dictionary.to_pylist()
        indices = _np(encoded.indices)
        results: list[Any] = []
        refused = np.zeros(len(uniques), dtype=bool)
        defaults = self.defaults
        for k, value in enumerate(uniques):
            if defaults and (value is None or not value.strip()):
                value = defaults.get(name)
            try:
                results.append(parse(value))
            except Exception:
                results.append(None)
                refused[k] = True
        table = np.empty(len(results), dtype=object)
        table[:] = results
        return table[indices].tolist(), refused[indices]

    def numbers(
        self, name: str, parse: Callable[[Any], Any], column: pa.Array
    ) -> tuple[list[Any], np.ndarray]:
        """Number fields: plain integers and decimals written with the column's separator
        converted at once (within the field's range), every other value by the parser."""
        decimal = self.builder.decimals.get(name)
        signed = "-?" if name == "revenue" else ""
        digits = "{1,4}" if name == "transfers" else "{1,15}"
        candidate = _np(pc.match_substring_regex(column, f"^{signed}\\d{digits}$"))
        if decimal in (",", ".") and name != "transfers":
            mark = "\\." if decimal == "." else ","
            pattern = f"^{signed}\\d{{1,15}}{mark}\\d{{1,15}}$"
            candidate |= _np(pc.match_substring_regex(column, pattern))
        size = len(column)
        listed: list[Any]
        if candidate.any():
            picked = pc.if_else(pa.array(candidate), column, pa.scalar(None, column.type))
            numbers = pc.cast(pc.replace_substring(picked, ",", "."), pa.float64())
            if name == "transfers":
                within = _np(pc.less_equal(numbers, MAX_TRANSFERS))
                listed = pc.cast(numbers, pa.int64()).to_pylist()
            elif name == "revenue":
                within = _np(pc.less(pc.abs(numbers), MAX_REVENUE))
                listed = numbers.to_pylist()
            else:
                within = _np(pc.less_equal(numbers, MAX_DURATION_S))
                listed = numbers.to_pylist()
            candidate &= within
        else:
            listed = [None] * size
        refused = np.zeros(size, dtype=bool)
        rest = np.flatnonzero(~candidate)
        if len(rest):
            values, bad = self.memo(name, parse, column.take(pa.array(rest)))
            for position, value in zip(rest.tolist(), values, strict=True):
                listed[position] = value
            refused[rest] = bad
        return listed, refused

    def text(
        self, name: str, parse: Callable[[Any], Any], column: pa.Array, limit: int
    ) -> tuple[list[Any], np.ndarray]:
        """Text fields: trimmed, NFC, within ``limit`` characters, blank as None."""
        trimmed = pc.utf8_trim(column, characters=" ")
        length = _np(pc.utf8_length(trimmed))
        ascii_ = pc.string_is_ascii(trimmed)
        same = pc.or_(ascii_, pc.equal(pc.utf8_normalize(trimmed, "NFC"), trimmed))
        python = ~_np(same) | (length > limit)
        empty = length == 0
        if name in self.defaults:
            python |= empty
        values = pc.if_else(pa.array(empty), pa.scalar(None, trimmed.type), trimmed)
        listed = values.to_pylist()
        refused = np.zeros(len(listed), dtype=bool)
        positions = np.flatnonzero(python)
        if len(positions):
            fixed, bad = self._python(parse, name, column.to_pylist(), positions)
            for position, value in fixed.items():
                listed[position] = value
            refused[bad] = True
        return listed, refused

    def dates(
        self, name: str, parser: DateParser, parse: Callable[[Any], Any], column: pa.Array
    ) -> tuple[list[Any], np.ndarray]:
        """Dates as naive-UTC ISO strings; formats proved by a round trip, the rest row-wise."""
        size = len(column)
        utc = pa.nulls(size, pa.timestamp("us"))
        done = np.zeros(size, dtype=bool)
        if not parser.date_format:
            for pattern, form, pieces in _DATE_FORMATS:
                matches = pc.match_substring_regex(column, pattern)
                where = _np(matches) & ~done
                if not where.any():
                    continue
                picked = pc.if_else(pa.array(where), column, pa.scalar(None, column.type))
                moments = pc.strptime(picked, format=form, unit="us", error_is_null=True)
                back = pc.cast(moments, pa.large_string())  # YYYY-MM-DD HH:MM:SS.ffffff
                exact = pc.equal(back, _written(picked, pieces))
                year = pc.year(moments)
                ok = pc.and_(
                    exact, pc.and_(pc.greater_equal(year, 1900), pc.less_equal(year, 2100))
                )
                ok_np = _np(ok)
                ok_np &= where
                if ok_np.any():
                    utc = pc.if_else(pa.array(ok_np), moments, utc)
                    done |= ok_np
            if done.any() and parser.tz is not UTC:
                utc, shifted = self._to_utc(utc, done, parser)
                done &= shifted
        listed = pc.cast(utc, pa.large_string()).to_pylist() if done.any() else [None] * size
        refused = np.zeros(size, dtype=bool)
        positions = np.flatnonzero(~done)
        if len(positions):
            fixed, bad = self._python(parse, name, column.to_pylist(), positions)
            for position, value in fixed.items():
                listed[position] = _iso(value)
            refused[bad] = True
        return listed, refused

    @staticmethod
    def _to_utc(
        local: pa.Array, done: np.ndarray, parser: DateParser
    ) -> tuple[pa.Array, np.ndarray]:
        """Local wall times to UTC, a day at a time: a day whose offset is the same at its start
        and end is shifted by it; the others (a clock change) go row-wise."""
        days = pc.floor_temporal(local, unit="day")
        encoded = days.dictionary_encode()
        shifts: list[int | None] = []
        for day in encoded.dictionary.to_pylist():
            if day is None:
                shifts.append(None)
                continue
            start = day.replace(tzinfo=parser.tz).utcoffset()
            end = (day + timedelta(hours=23, minutes=59, seconds=59)).replace(tzinfo=parser.tz)
            if start is None or start != end.utcoffset():
                shifts.append(None)
            else:
                shifts.append(int(start.total_seconds() * 1_000_000))
        table = np.array([0 if s is None else s for s in shifts], dtype=np.int64)
        known = np.array([s is not None for s in shifts], dtype=bool)
        indices = _np(encoded.indices)
        valid = ~_np(pc.is_null(encoded.indices))
        safe = np.where(valid, indices, 0).astype(np.int64)
        micros = _np(local.cast(pa.int64()))
        shifted = micros - table[safe]
        ok = done & valid & known[safe]
        return pa.array(shifted, type=pa.int64()).cast(pa.timestamp("us")), ok


# split_date's pattern for the separators it can meet here ("." dates are not counted), for
# ASCII values; others are checked by split_date itself.
_SLASH_DATE = (
    "^(\\d{1,2})SEP(\\d{1,2})SEP(?:\\d{2}|\\d{4})"
    "(?:[ T,]+\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d{1,6})?)?)?$"
)


def _counts(cells: pa.Array, others: list[Any]) -> list[tuple[Any, int]]:
    """(value, how many times) for every distinct cell, in the order of first appearance
    (the arrow cells first: the profile only adds counts, except for examples, see below)."""
    counted: dict[Any, int] = {}
    if len(cells):
        encoded = cells.dictionary_encode()
        uniques = encoded.dictionary.to_pylist()
        tally = np.bincount(_np(encoded.indices), minlength=len(uniques))
        counted = dict(zip(uniques, tally.tolist(), strict=True))
    for value in others:
        counted[value] = counted.get(value, 0) + 1
    return list(counted.items())


def profile_lines(
    found: FastLines,
    width: int,
    date_columns: list[int],
    score_column: int | None,
    number_columns: Iterable[int] = (),
    *,
    decimal: str | None = None,
) -> FileProfile:
    """:func:`~otklik.ingest.profile.profile_rows` over the lines, a column at a time (the
    same profile: counts are sums; an example is the first value in file order)."""
    numbers = {index: NumberProfile() for index in number_columns}
    if score_column is not None:
        numbers.setdefault(score_column, NumberProfile())
    profile = FileProfile(dates={index: ColumnProfile() for index in date_columns}, numbers=numbers)
    profile.rows = len(found.data)
    for index, number_column in numbers.items():
        if index >= width:
            continue
        pairs = [
            (value, count)
            for value, count in _in_file_order(found, index, width)
            if type(value) is str and ("," in value or "." in value)
        ]
        if not pairs:
            continue
        values = [value for value, _ in pairs]
        styles = np.empty(len(pairs), dtype=object)
        styles[:] = _styles(values)
        counts = np.array([count for _, count in pairs], dtype=np.int64)
        # per style, in the order each first occurs: its total, and its first value
        firsts: dict[str, int] = {}
        for style in (",", ".", "?"):
            where = np.flatnonzero(styles == style)
            if len(where):
                firsts[style] = int(where[0])
        for style, at in sorted(firsts.items(), key=lambda pair: pair[1]):
            total = int(counts[styles == style].sum())
            if style == ",":
                number_column.comma += total
            elif style == ".":
                number_column.point += total
            else:
                number_column.ambiguous += total
            number_column.example.setdefault(style, values[at].strip()[:20])
    for index, column in profile.dates.items():
        if index >= width:
            continue
        cells, others = found.column(index, width)
        trimmed = pc.utf8_trim(cells, characters=" ")
        ascii_ = _np(pc.string_is_ascii(trimmed))
        head = pc.utf8_slice_codeunits(cells, 0, 6)
        counted = ~_np(pc.match_substring(head, "."))
        hit = np.zeros(len(cells), dtype=bool)
        for separator in ("/", "-"):
            pattern = _SLASH_DATE.replace("SEP", separator)
            hit |= _np(pc.match_substring_regex(trimmed, pattern))
        hit &= ascii_ & counted
        if hit.any():
            chosen = pc.filter(trimmed, pa.array(hit))
            pieces = pc.split_pattern_regex(chosen, pattern="[/-]", max_splits=2)
            first = _np(pc.cast(pc.list_element(pieces, 0), pa.int64()))
            second = _np(pc.cast(pc.list_element(pieces, 1), pa.int64()))
            column.slash_dates += len(first)
            column.first_over_12 += int((first > 12).sum())
            column.second_over_12 += int(((first <= 12) & (second > 12)).sum())
        rest = _cells(cells, ~ascii_) + others
        for value in rest:
            if not isinstance(value, str) or "." in value[:6]:
                continue
            parts = split_date(value)
            if parts is None:
                continue
            column.slash_dates += 1
            if parts[0] > 12:
                column.first_over_12 += 1
            elif parts[1] > 12:
                column.second_over_12 += 1
    if score_column is not None:
        profile.score_decimal = decimal or numbers[score_column].decimal()
        if score_column < width:
            cells, others = found.column(score_column, width)
            for value, count in _counts(cells, others):
                if isinstance(value, str | int | float):
                    score = _number_or_none(value, profile.score_decimal)
                    if score is not None:
                        profile.scores[score] += count
    return profile


def _styles(values: list[str]) -> list[str | None]:
    """:func:`~otklik.ingest.normalize.number_style` of each value: plain ``123,45`` at once,
    the rest by the function itself."""
    if not values:
        return []
    array = pa.array(values, pa.large_string())
    parts = pc.extract_regex(array, "^[+-]?(?P<whole>\\d+)(?P<mark>[.,])(?P<fraction>\\d+)$")
    simple = _np(pc.is_valid(parts))
    whole = pc.struct_field(parts, "whole")
    fraction = pc.struct_field(parts, "fraction")
    mark = pc.struct_field(parts, "mark").to_pylist()
    grouped = _np(
        pc.and_(
            pc.equal(pc.utf8_length(fraction), 3),
            pc.not_equal(pc.utf8_slice_codeunits(whole, 0, 1), "0"),
        )
    )
    styles = np.empty(len(values), dtype=object)
    marks = np.empty(len(values), dtype=object)
    marks[:] = mark
    styles[simple] = np.where(grouped[simple], "?", marks[simple])
    for position in np.flatnonzero(~simple).tolist():
        styles[position] = number_style(values[position])
    return list(styles.tolist())


def _cells(cells: pa.Array, mask: np.ndarray) -> list[Any]:
    return pc.filter(cells, pa.array(mask)).to_pylist() if mask.any() else []


def _in_file_order(found: FastLines, index: int, width: int) -> list[tuple[Any, int]]:
    """The distinct cells of a number column that show a separator, in the order of their
    first appearance in the file (NumberProfile's example is the first value of each style),
    with how often each occurs."""
    cells, others = found.column(index, width)
    if not others:
        marked = pc.or_(pc.match_substring(cells, ","), pc.match_substring(cells, "."))
        picked = pc.filter(cells, marked)
        if not len(picked):
            return []
        encoded = picked.dictionary_encode()
        uniques = encoded.dictionary.to_pylist()  # in order of first appearance
        tally = np.bincount(_np(encoded.indices), minlength=len(uniques)).tolist()
        return list(zip(uniques, tally, strict=True))
    lines = found.lines.take(pa.array(found.data))
    counted: dict[Any, int] = {}
    for text in lines.to_pylist():
        row = _split(str(text), found.delimiter)
        value = row[index] if index < len(row) else None
        counted[value] = counted.get(value, 0) + 1
    return list(counted.items())


def fast_batches(
    found: FastLines,
    builder: RowBuilder,
    *,
    source: str,
    run_id: int | None,
    anonymise: bool,
    chunk_rows: int | None = None,
) -> Iterator[FastBatch] | None:
    """The file in batches of ``chunk_rows`` data rows, or None when the column-wise path does
    not apply (see the module docstring; then use the row-wise path). ``anonymise``: drop who
    answered, as :func:`otklik.ledger.anonymous` does for employee answers."""
    if builder.kind == "customers" or builder.columns.twins:
        return None
    size = chunk_rows or CHUNK_ROWS
    return _batches(found, found.delimiter, builder, size, (source, run_id), anonymise)


def _batches(
    found: FastLines,
    delimiter: str,
    builder: RowBuilder,
    chunk_rows: int,
    target: tuple[str, int | None],
    anonymise: bool,
) -> Iterator[FastBatch]:
    width = len(builder.headers)
    for start in range(0, len(found.data), chunk_rows):
        indices = found.data[start : start + chunk_rows]
        try:
            batch = _batch(
                found.lines, found.slow, indices, delimiter, builder, width, target, anonymise
            )
        except Exception:  # a kernel refused something unforeseen: this batch row by row
            batch = _row_wise(found.lines, indices, delimiter, builder, target, anonymise)
        yield batch


def _row_wise(
    lines: pa.Array,
    indices: np.ndarray,
    delimiter: str,
    builder: RowBuilder,
    target: tuple[str, int | None],
    anonymise: bool,
) -> FastBatch:
    """One batch built by :meth:`RowBuilder.build`, line by line (the reference path)."""
    batch = FastBatch(rows=len(indices))
    for at, text in zip(indices.tolist(), lines.take(pa.array(indices)).to_pylist(), strict=True):
        raw = _split(str(text), delimiter)
        record, problems = builder.build(at + 1, raw)
        if record is None:
            batch.quarantine.append(builder.quarantine(at + 1, raw, problems))
        else:
            batch.rows_out.append(_record_row(anonymous(record) if anonymise else record, target))
    return batch


def _batch(
    lines: pa.Array,
    slow_lines: np.ndarray,
    indices: np.ndarray,
    delimiter: str,
    builder: RowBuilder,
    width: int,
    target: tuple[str, int | None],
    anonymise: bool,
) -> FastBatch:
    batch = FastBatch(rows=len(indices))
    chunk = lines.take(pa.array(indices))
    slow = slow_lines[indices]
    split = pc.split_pattern(chunk, pattern=delimiter)
    counts = _np(pc.list_value_length(split))
    slow |= counts != width
    fast = np.flatnonzero(~slow)
    line_numbers = indices + 1
    columns = _Columns(builder, width)
    fast_split = split.take(pa.array(fast))
    flat = pc.list_flatten(fast_split)
    size = len(fast)

    def column(index: int) -> pa.Array:
        return flat.take(pa.array(np.arange(index, size * width, width)))

    values: dict[str, list[Any]] = {}
    refused = np.zeros(size, dtype=bool)
    for name, index, parse in builder.steps:
        if index < 0 or index >= width:
            value = builder.defaults.get(name) if builder.defaults else None
            try:
                constant = parse(value)
            except Exception:
                refused[:] = True
                constant = None
            values[name] = [_iso(constant)] * size
            continue
        cells = column(index)
        if name == "occurred_at":
            listed, bad = columns.dates(name, builder.date_parsers[name], parse, cells)
        elif name == "text":
            listed, bad = columns.text(name, parse, cells, builder.limits.text_chars)
        elif name not in _OWN_PARSERS:
            listed, bad = columns.text(name, parse, cells, 200)
        elif name in _NUMBERS:
            listed, bad = columns.numbers(name, parse, cells)
        else:
            listed, bad = columns.memo(name, parse, cells)
        values[name] = listed
        refused |= bad
    occurred = values.get("occurred_at")
    if occurred is None:
        refused[:] = True
    else:
        refused |= np.array([value is None for value in occurred], dtype=bool)
    file_scale = builder.file_scale
    row_scales: list[Any] = values.get("scale") or [None] * size
    scales = [scale or file_scale for scale in row_scales]
    if builder.score_index is not None and builder.score_index < width:
        cells = column(builder.score_index)
        decimal = builder.score_decimal
        if not columns.scale_step:

            def score_of(value: Any) -> Any:
                return parse_score(value, file_scale, decimal)

            scores, bad = columns.memo("score", score_of, cells)
            refused |= bad
        else:
            scores = []
            cache: dict[tuple[Any, Any], Any] = {}
            for position, (value, scale) in enumerate(zip(cells.to_pylist(), scales, strict=True)):
                key = (value, scale)
                if key not in cache:
                    try:
                        cache[key] = parse_score(value, scale, decimal)
                    except Exception:
                        cache[key] = _REFUSED
                score = cache[key]
                if score is _REFUSED:
                    refused[position] = True
                    score = None
                scores.append(score)
        for position, (score, scale) in enumerate(zip(scores, scales, strict=True)):
            if score is not None and scale is None:
                refused[position] = True
        values["score"] = scores
    else:
        values["score"] = [None] * size
    values["scale"] = [
        scale if score is not None else None
        for score, scale in zip(values["score"], scales, strict=True)
    ]
    attributes = _attributes(builder, column, size, refused) if builder.attribute_columns else None
    ids = values.pop("id", None)
    needs_identity = ids is None or None in ids
    # Rows that need Python: refused fast rows and slow lines (built whole, row-wise), and
    # accepted fast rows whose id comes from their content (the identity counts in file order).
    pending: dict[int, tuple[str, int]] = {}
    for position in np.flatnonzero(refused).tolist():
        pending[int(fast[position])] = ("build", position)
    for position in np.flatnonzero(slow).tolist():
        pending[position] = ("build", -1)
    if needs_identity:
        for position in range(size):
            if not refused[position] and (ids is None or ids[position] is None):
                pending[int(fast[position])] = ("identity", position)
    external: list[Any] = list(ids) if ids is not None else [None] * size
    built: list[tuple[int, tuple[Any, ...]]] = []
    for at in sorted(pending):
        what, position = pending[at]
        raw = _split(str(chunk[at].as_py()), delimiter)
        line = int(line_numbers[at])
        if what == "identity":
            external[position] = builder.identity.next_id(raw)
            continue
        record, problems = builder.build(line, raw)
        if record is None:
            batch.quarantine.append(builder.quarantine(line, raw, problems))
        else:
            built.append((line, _record_row(anonymous(record) if anonymise else record, target)))
    if anonymise:
        values["customer_id"] = values["agent"] = [None] * size
        if attributes is not None:
            attributes = [_anonymous_attributes(found) for found in attributes]
    if attributes is not None:
        values["attributes"] = [
            None if found is None else json.dumps(found, ensure_ascii=False) for found in attributes
        ]
    values["external_id"] = external
    values["kind"] = [builder.kind] * size
    values["source"] = [target[0]] * size
    values["import_run_id"] = [target[1]] * size
    # Only the columns some row fills are written (the others are stored NULL either way).
    filled = {name for name, listed in values.items() if listed.count(None) != size}
    for _, row in built:
        filled.update(
            name for name, value in zip(ITEM_COLUMNS, row, strict=True) if value is not None
        )
    layout = tuple(name for name in ITEM_COLUMNS if name in filled or name in _REQUIRED)
    nothing = [None] * size
    rows = list(
        compress(
            zip(*(values.get(name, nothing) for name in layout), strict=True),
            (~refused).tolist(),
        )
    )
    if built:
        picked = [ITEM_COLUMNS.index(name) for name in layout]
        lines_of = line_numbers[fast[~refused]].tolist()
        merged = sorted(
            [
                *zip(lines_of, rows, strict=True),
                *((line, tuple(row[at] for at in picked)) for line, row in built),
            ],
            key=lambda pair: pair[0],
        )
        rows = [row for _, row in merged]
    batch.rows_out = rows
    batch.columns = layout
    return batch


def _record_row(record: dict[str, Any], target: tuple[str, int | None]) -> tuple[Any, ...]:
    """A row-wise record as a row of :data:`ITEM_COLUMNS` (what the column-wise path makes)."""
    values = [record.get(name) for name in ITEM_COLUMNS]
    values[_AT_SOURCE], values[_AT_RUN] = target
    values[_AT_OCCURRED] = _iso(values[_AT_OCCURRED])
    if values[_AT_ATTRIBUTES] is not None:
        values[_AT_ATTRIBUTES] = json.dumps(values[_AT_ATTRIBUTES], ensure_ascii=False)
    return tuple(values)


def _anonymous_attributes(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if not found:
        return found
    return anonymous({"kind": "employee", "attributes": found}).get("attributes")


_AT_SOURCE = ITEM_COLUMNS.index("source")
_AT_RUN = ITEM_COLUMNS.index("import_run_id")
_AT_OCCURRED = ITEM_COLUMNS.index("occurred_at")
_AT_ATTRIBUTES = ITEM_COLUMNS.index("attributes")
_REFUSED = object()
# Written in every batch whatever it holds (the unique key, NOT NULL columns, the run).
_REQUIRED = frozenset({"source", "external_id", "kind", "occurred_at", "import_run_id"})


def _attributes(
    builder: RowBuilder,
    column: Callable[[int], pa.Array],
    size: int,
    refused: np.ndarray,
) -> list[dict[str, Any] | None]:
    limits = builder.limits
    counts = np.zeros(size, dtype=np.int64)
    kept: list[tuple[str, list[Any]]] = []
    for header, index, header_problem in builder.attribute_columns:
        if index >= len(builder.headers):
            continue
        cells = column(index)
        filled = pc.greater(pc.utf8_length(pc.utf8_trim(cells, characters=" ")), 0)
        filled_np = _np(filled)
        if header_problem is not None:
            refused |= filled_np
            continue
        too_long = _np(pc.greater(pc.utf8_length(cells), limits.text_chars))
        refused |= filled_np & too_long
        counts += filled_np
        shown = pc.if_else(pa.array(filled_np), cells, pa.scalar(None, cells.type)).to_pylist()
        kept.append((header, shown))
    refused |= counts > limits.attributes
    if not kept:
        return [None] * size
    headers = [header for header, _ in kept]
    result: list[dict[str, Any] | None] = []
    for row in zip(*(cells for _, cells in kept), strict=True):
        found = {h: v for h, v in zip(headers, row, strict=True) if v is not None}
        result.append(found or None)
    return result
