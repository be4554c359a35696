"""CSV/TSV: encoding and delimiter sniffing, quoted fields with newlines, line numbers."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from otklik.errors import InputFileError
from otklik.ingest.readers.base import Row, Table

__all__ = ["detect_delimiter", "detect_encoding", "read_delimited"]

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 256 * 1024
_CHUNK = 1 << 20

csv.field_size_limit(64 * 1024 * 1024)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251 if the bytes decode."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        fallback = codecs.getincrementaldecoder("cp1251")()
        try:
            while chunk := handle.read(_CHUNK):
                fallback.decode(chunk)
            return "cp1251"
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{path}: the text is neither UTF-8 nor Windows-1251 ({exc.reason}); "
                "pass --encoding"
            ) from exc


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


def _check_encoding(path: Path, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise InputFileError(f"unknown encoding {encoding!r}; try utf-8 or cp1251") from exc
    try:
        with path.open(encoding=encoding, newline="") as handle:
            while handle.read(_CHUNK):
                pass
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: cannot be read as {encoding} (byte {exc.start}); "
            "pass another --encoding or leave it out to detect"
        ) from exc
    return encoding


def read_delimited(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    encoding = _check_encoding(path, encoding) if encoding else detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise InputFileError(f"{path}: the file is empty")
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    if delimiter is not None and len(delimiter) != 1:
        raise InputFileError(f"--delimiter must be one character, got {delimiter!r}")
    sniffed = delimiter is None
    delimiter = delimiter or detect_delimiter(sample)

    def read_header(reader: Iterator[list[str]]) -> list[str]:
        for record in reader:
            if any(cell.strip() for cell in record):
                return [cell.strip() for cell in record]
        raise InputFileError(f"{path}: no header row")

    def rows() -> Iterator[Row]:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            read_header(reader)
            previous_end = reader.line_num
            try:
                for record in reader:
                    start = previous_end + 1
                    previous_end = reader.line_num
                    if not record or not "".join(record).strip():
                        continue
                    yield start, list(record)
            except csv.Error as exc:
                raise InputFileError(
                    f"{path}, line {previous_end + 1}: broken CSV ({exc}); "
                    "fix the quoting there and import again"
                ) from exc

    with path.open(encoding=encoding, newline="") as handle:
        headers = read_header(csv.reader(handle, delimiter=delimiter))
    detected = {
        "format": "tsv" if delimiter == "\t" else "csv",
        "encoding": encoding,
        "delimiter": delimiter,
        "delimiter_detected": sniffed,
    }
    return Table(path, headers, detected, rows)
