"""CSV/TSV: encoding and delimiter sniffing, quoted fields with newlines, line numbers.

What this reader does with awkward files:

- **Excel's ``sep=;`` first line** (also quoted, ``"sep=<TAB>"``) names the delimiter; it is
  honoured (unless ``--delimiter`` says otherwise) and skipped, so the header is the next line.
  Line numbers stay the file's.
- **A quote that is not closed properly** makes the csv module swallow the following lines
  into one field (``2025-03-01,9,"x`` followed by two good rows reads as one row). Each record
  that spans several lines, or has an odd number of quote characters, is parsed again with
  strict quoting, and checked for swallowed rows (a line inside the quotes, with no quote of
  its own, that splits into exactly the header's fields and begins like the record: a date
  under a date, an id under an id); if either fails, the record's first line is returned as a
  broken row (the import
  quarantines it with the reason) and the lines after it are read again as rows of their own,
  so no row is lost silently. ``detected["warnings"]`` says which line it was. A quoted field
  that is well-formed but runs over more than ``LONG_FIELD_LINES`` lines is read as it is, with
  a warning.
- **A field over the csv module's size limit** (``FIELD_LIMIT`` characters) is a broken row
  for that line, not a crash.
- **Repeated or blank headers** become ``comment (2)``, ``column_4``: no value is dropped.
- **A row longer or shorter than the header** is kept as it is: in a CSV that is a quoting or
  delimiter problem, and the import quarantines it (a shorter one unless only descriptive
  trailing columns are missing; see :class:`otklik.ingest.rows.RowBuilder`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Row, Table, broken, guarded_rows, unique_headers
from otklik.ingest.readers.encoding import (
    Decoding,
    detect_encoding,
    given_encoding,
    open_text,
)

__all__ = ["FIELD_LIMIT", "LONG_FIELD_LINES", "detect_delimiter", "read_delimited"]

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 256 * 1024
FIELD_LIMIT = 64 * 1024 * 1024  # characters in one field
LONG_FIELD_LINES = 50
_UNCLOSED = "a quote in this line is not closed properly; fix the quoting and import again"
# Excel's hint, also as a CSV writer quotes it when the delimiter is a tab: "sep=<TAB>"
_SEP_HINT = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")

csv.field_size_limit(FIELD_LIMIT)


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's records into the most consistent column count."""
    best, best_key = ",", (0, 0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [
                len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row
            ]
        except csv.Error:
            continue
        if len(widths) > 1:
            widths = widths[:-1]  # the sample may cut the last record
        if not widths:
            continue
        width, agreeing = Counter(widths).most_common(1)[0]
        key = (int(width > 1), agreeing, width)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _strict_error(raw: list[str], delimiter: str) -> str | None:
    """Why ``raw`` (one record's lines) is not well-formed CSV, or None if it is."""
    try:
        for _ in csv.reader(raw, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return str(exc)
    return None


def _shape(cell: str) -> str:
    """A cell's outline: runs of letters as ``a``, runs of digits as ``0`` (2025-03-01 → 0-0-0)."""
    return _DIGITS.sub("0", _LETTERS.sub("a", cell.strip()))


def _holds_records(raw: list[str], delimiter: str, width: int | None) -> bool:
    """Whether a quoted field spanning ``raw`` swallowed whole records: a line inside it, with
    no quote of its own, splits into exactly the header's ``width`` fields and begins like the
    record itself (same outline of the first cell: a date under a date, an id under an id)."""
    if width is None or width < 2 or len(raw) < 3:
        return False
    head = raw[0].split(delimiter, 1)[0]
    outline = _shape(head)
    if not outline or '"' in head:
        return False
    for text in raw[1:-1]:
        if '"' in text:
            continue
        cells = text.rstrip("\r\n").split(delimiter)
        if len(cells) == width and _shape(cells[0]) == outline:
            return True
    return False


def _records(
    lines: Iterable[str], delimiter: str, first_line: int, table: list[Table]
) -> Iterator[tuple[int, list[str] | Row]]:
    """(start line, record) for each record, or (start line, broken Row) where the quoting
    breaks; see the module docstring. ``table`` holds the Table once built, for warnings."""
    source = iter(lines)
    taken: list[str] = []  # the physical lines of the record being read
    again: deque[str] = deque()  # lines to read again, before the rest of the source

    def feed() -> Iterator[str]:
        while again:
            text = again.popleft()
            taken.append(text)
            yield text
        for text in source:
            taken.append(text)
            yield text

    line = first_line - 1  # the last line consumed
    width: int | None = None  # the header's, once read
    while True:
        reader = csv.reader(feed(), delimiter=delimiter)
        try:
            for record in reader:
                start = line + 1
                if len(taken) == 1 and not taken[0].count('"') % 2:
                    taken.clear()
                    line = start
                    if width is None and "".join(record).strip():
                        width = len(record)
                    yield start, record
                    continue
                raw = taken[:]
                taken.clear()
                line += len(raw)
                problem = _strict_error(raw, delimiter)
                if problem is None and _holds_records(raw, delimiter, width):
                    problem = "its quoted field holds whole rows"
                if problem is not None and (len(raw) > 1 or "end of data" in problem):
                    if table:
                        table[0].warn(
                            f"line {start}: a quote is not closed properly ({problem}); the "
                            f"line is quarantined and the {len(raw) - 1} line(s) after it are "
                            "read as rows"
                        )
                    yield start, broken(start, raw[0].rstrip("\r\n"), _UNCLOSED)
                    again.extendleft(reversed(raw[1:]))
                    line = start
                    break  # read the lines after it again, with a fresh reader
                if len(raw) > LONG_FIELD_LINES and table:
                    table[0].warn(
                        f"line {start}: a quoted field runs over {len(raw)} lines; check the "
                        "quoting"
                    )
                yield start, record
            else:
                return
        except csv.Error as exc:
            raw = taken[:]
            taken.clear()
            start, line = line + 1, line + len(raw)
            reason = f"{exc} ({FIELD_LIMIT:,} characters); shorten the field"
            yield start, broken(start, raw[0][:1000] if raw else "", reason)


def _is_blank(record: list[str] | Row) -> bool:
    return isinstance(record, list) and not "".join(record).strip()


def read_delimited(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    decoding: Decoding = given_encoding(path, encoding) if encoding else detect_encoding(path)
    with open_text(path, decoding) as handle:
        sample = handle.read(_SAMPLE_CHARS)
    if not sample.strip():
        raise InputFileError(f"{path}: the file is empty")
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    if delimiter is not None and len(delimiter) != 1:
        raise InputFileError(f"--delimiter must be one character, got {delimiter!r}")
    first = sample.split("\n", 1)[0].rstrip("\r")
    hint = _SEP_HINT.match(first)
    skip = 1 if hint else 0
    sniffed = delimiter is None and hint is None
    if delimiter is None:
        delimiter = hint.group(1) if hint else detect_delimiter(sample.split("\n", skip)[-1])
    holder: list[Table] = []

    def records() -> Iterator[tuple[int, list[str] | Row]]:
        with open_text(path, decoding) as text:
            for _ in range(skip):
                text.readline()
            yield from _records(text, delimiter, skip + 1, holder)

    def split(all_records: Iterator[tuple[int, list[str] | Row]]) -> list[str]:
        for start, record in all_records:
            if isinstance(record, tuple):
                raise InputFileError(
                    f"{path}, line {start}: the header row has a quote that is not closed; "
                    "fix it and import again"
                )
            if not _is_blank(record):
                return [cell.strip() for cell in record]
        raise InputFileError(f"{path}: no header row")

    def rows() -> Iterator[Row]:
        all_records = records()
        split(all_records)
        for start, record in all_records:
            if isinstance(record, tuple):
                yield record  # a broken row
            elif "".join(record).strip():
                yield start, record

    headers, renamed = unique_headers(split(records()))
    detected: dict[str, object] = {
        "format": "tsv" if delimiter == "\t" else "csv",
        **decoding.describe(),
        "delimiter": delimiter,
        "delimiter_detected": sniffed,
    }
    if hint:
        detected["delimiter_hint"] = first.strip(" ")
    table = Table(path, headers, detected, guarded_rows(path, rows))
    table.columnar = {"decoding": decoding, "delimiter": delimiter, "skip": skip}
    holder.append(table)
    for message in [decoding.warning, *renamed]:
        if message:
            table.warn(message)
    return table
