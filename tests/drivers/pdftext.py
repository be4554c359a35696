"""Reading the text back out of a PDF reportlab wrote, with the standard library only: the
page content streams are decoded (ASCII85, Flate), each font's ToUnicode map is read, and every
string shown (``Tj``) is decoded through it. Enough to check that the page says what the API
says; no PDF library or rasteriser (pypdfium2, poppler) is installed on these machines."""

from __future__ import annotations

import base64
import re
import zlib

__all__ = ["pdf_content", "pdf_fonts", "pdf_pages", "pdf_text"]

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n")


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}


def _stream(body: bytes) -> bytes:
    found = _STREAM.search(body)
    length = re.search(rb"/Length (\d+)(?! 0 R)", body)
    if not found or not length:
        return b""
    raw = body[found.end() : found.end() + int(length.group(1))]
    head = body[: found.start()]
    if b"ASCII85Decode" in head:
        raw = base64.a85decode(re.sub(rb"\s", b"", raw).removesuffix(b"~>"))
    if b"FlateDecode" in head:
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return b""
    return raw


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int.from_bytes(bytes.fromhex(dst.decode()), "big")
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(0), 8))
                i += 1 + len(digits.group(0))
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(nxt, nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return bytes(out)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def pdf_fonts(data: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb"/BaseFont /([A-Za-z0-9+_-]+)", data)]


def pdf_text(data: bytes) -> str:
    """All text shown on the pages, decoded; fonts without a ToUnicode map read as Latin-1."""
    objects = _objects(data)
    maps: dict[str, dict[int, str]] = {}
    for body in objects.values():
        name = re.search(rb"/Name /([A-Za-z0-9+_]+)", body)
        unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if name and unicode_ref:
            maps[name.group(1).decode()] = _cmap(_stream(objects[int(unicode_ref.group(1))]))
    shown: list[str] = []
    for body in objects.values():
        if b"/Length" not in body or b"/Type /XObject" in body:
            continue
        content = _stream(body)
        font: dict[int, str] | None = None
        for token in re.finditer(rb"/([A-Za-z0-9+_]+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content):
            if token.group(1) is not None:
                font = maps.get(token.group(1).decode())
                continue
            raw = _unescape(token.group(2))
            if font:
                shown.append("".join(font.get(b, "?") for b in raw))
            else:
                shown.append(raw.decode("latin-1"))
    return "\n".join(shown)


def pdf_content(data: bytes) -> bytes:
    """Every page content stream, decoded (drawing operators: ``re`` rectangles, ``l`` lines,
    ``rg`` fill colours…)."""
    objects = _objects(data)
    pages = [re.search(rb"/Contents (\d+) 0 R", b) for b in objects.values()]
    return b"\n".join(_stream(objects[int(m.group(1))]) for m in pages if m)
