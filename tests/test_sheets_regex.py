"""otklik.sheets writes out openpyxl's pattern of characters XML 1.0 forbids; they must agree."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as OPENPYXL_RE

from otklik.sheets import ILLEGAL_CHARACTERS_RE


def test_the_pattern_is_openpyxls() -> None:
    assert ILLEGAL_CHARACTERS_RE.pattern == OPENPYXL_RE.pattern
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert ILLEGAL_CHARACTERS_RE.sub("?", every) == OPENPYXL_RE.sub("?", every)
