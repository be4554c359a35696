"""Which text encoding a file is in, and how sure we are.

Order of evidence:

1. A BOM. UTF-8's is trusted when the body decodes as UTF-8. A UTF-16 BOM is trusted when the
   body has NUL bytes (in UTF-16 every ASCII character, the line breaks and delimiters
   included, carries one; UTF-8 text has none); a UTF-16 BOM in front of a body without them
   (some exporters write one before UTF-8 text) is skipped and the body detected on its own.
2. UTF-16 without a BOM: NUL bytes at mostly even (big-endian) or mostly odd (little-endian)
   positions.
3. Strict UTF-8 over the whole file (the fast path: most exports are UTF-8).
4. A file that is not UTF-8 and has NUL bytes is not text: refused.
5. A file whose lines are partly valid UTF-8 and partly not is a mix: refused, naming the line
   where the encoding changes.
6. Otherwise charset-normalizer proposes single-byte encodings used for Russian, Arabic,
   Turkish and Western European text (``CANDIDATES``), judged on the lines that have non-ASCII
   bytes; each is ranked by how much its letters look like real words of their script
   (:func:`plausibility`: Russian or Arabic letter frequencies, no case flips, signs or mixed
   scripts inside a word) less charset-normalizer's "chaos". This separates KOI8-R from
   Windows-1251, which charset-normalizer alone confuses on short files, and keeps Arabic
   Windows-1256 from being read as Cyrillic. The winner must then decode the whole file.

A file with NUL bytes that is neither UTF-16 nor UTF-8, or that no candidate reads cleanly, is
refused with
:class:`InputFileError`: importing it would store mojibake. ``confidence`` is 1.0 for a BOM or
valid UTF-8, else ``1 - chaos`` of charset-normalizer for the chosen encoding, lowered when a
runner-up reads the text almost as well (then ``warning`` says so).
"""

from __future__ import annotations

import codecs
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes

from otklik.errors import InputFileError

__all__ = [
    "CANDIDATES",
    "Decoding",
    "detect_encoding",
    "given_encoding",
    "open_text",
    "plausibility",
]

_SAMPLE_BYTES = 256 * 1024
_CHUNK = 1 << 20
# Single-byte encodings our users' exports come in; the first wins a tie.
CANDIDATES = (
    "cp1251",
    "koi8_r",
    "cp866",
    "mac_cyrillic",
    "iso8859_5",
    "koi8_u",
    "cp1252",
    "cp1254",
    "cp1250",
    "iso8859_15",
    "cp1256",
    "iso8859_6",
)
_MAX_CHAOS = 0.2  # charset-normalizer's own default threshold
# Relative frequencies of Russian letters (per mille), a standard corpus count.
_RUSSIAN = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (110, 85, 80, 74, 67, 63, 55, 47, 45, 44, 35, 32, 30, 28, 26, 20, 19, 17, 17, 17, 16,
         14, 12, 10, 9, 7, 6, 5, 4, 3, 3, 0.4, 2),
        strict=True,
    )
)  # fmt: skip
# Relative frequencies of Arabic letters (per mille), rounded from a newspaper corpus count.
_ARABIC = dict(
    zip(
        "الميونرتبعهدفقسةكحأجىشصطخإزضثذغظءآؤئ",
        (125, 105, 62, 75, 58, 57, 45, 42, 40, 35, 35, 33, 28, 26, 26, 25, 24, 20, 20, 15, 15,
         11, 10, 9, 9, 8, 7, 6, 5, 5, 4, 2, 3, 2, 1, 2),
        strict=True,
    )
)  # fmt: skip
# Accented Latin letters of the Latin-script languages our users write (Spanish, Turkish;
# French and German ones come with Western exports); any other (þ, ţ, ś …) is rare, so text in
# a Central European code page may be read as Windows-1252 (none of our languages needs it).
_ACCENTED = set("áéíóúüñçğışöâàèêëîïôùûäß")
_SPANISH_SIGNS = set("¿¡")  # opening question and exclamation marks, glued to a word
_RARE = math.log(0.2 / 1000)
_CHAOS_WEIGHT = 5.0  # plausibility per letter lost per unit of charset-normalizer's chaos
_CLEAR_MARGIN = 0.3  # a rival closer than this lowers the confidence and is named
_LATIN = math.log(30 / 1000)
_ACCENTED_RATE = math.log(5 / 1000)
_WORDS = re.compile(r"[ \t\r\n]+")  # ASCII whitespace: a no-break space in mojibake is a sign


@dataclass(frozen=True)
class Decoding:
    """How to read a file as text: ``codec`` after skipping ``skip`` bytes (a stray BOM)."""

    codec: str
    confidence: float = 1.0
    skip: int = 0
    note: str | None = None  # e.g. "a UTF-16 BOM before UTF-8 text"
    warning: str | None = None  # e.g. "could also be koi8_r"

    @property
    def name(self) -> str:
        """The codec's usual name (``koi8-r``, ``cp1251``, ``utf-8-sig``)."""
        return codecs.lookup(self.codec).name

    def describe(self) -> dict[str, object]:
        shown: dict[str, object] = {
            "encoding": self.name,
            "encoding_confidence": round(self.confidence, 2),
        }
        if self.note:
            shown["encoding_note"] = self.note
        return shown


def open_text(path: Path, decoding: Decoding) -> IO[str]:
    """``path`` opened for reading as text, universal newlines off (the csv module wants that)."""
    raw = path.open("rb")
    raw.seek(decoding.skip)
    return io.TextIOWrapper(raw, encoding=decoding.codec, errors="strict", newline="")


def _decodes(path: Path, codec: str, skip: int = 0) -> int | None:
    """None if the whole file (after ``skip`` bytes) decodes, else the first bad byte's offset."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = skip
    with path.open("rb") as handle:
        handle.seek(skip)
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset + max(exc.start, 0)
    return None


def _utf16_order(sample: bytes) -> str | None:
    """``utf_16_le``/``utf_16_be`` when NUL bytes sit mostly on one side of each pair."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    # Spaces, digits, delimiters and line breaks carry a NUL in UTF-16; even text that is mostly
    # Cyrillic has 5% of them. A stray NUL in UTF-8 text is nowhere near that.
    least = max(2, pairs * 0.05)
    if odd >= least and even <= odd * 0.1:
        return "utf_16_le"
    if even >= least and odd <= even * 0.1:
        return "utf_16_be"
    return None


def _letter(lower: str) -> tuple[str, float]:
    """A lower-case letter's script and log-likelihood."""
    if "а" <= lower <= "я" or lower == "ё":
        return "cyrillic", math.log(_RUSSIAN.get(lower, 1) / 1000)
    if lower.isascii():
        return "latin", _LATIN
    if lower in _ACCENTED:
        return "latin", _ACCENTED_RATE
    if lower in _ARABIC:
        return "arabic", math.log(_ARABIC[lower] / 1000)
    return "other", _RARE  # a letter of none of our languages: ќ, ў, ţ, ہ, Greek …


def plausibility(text: str) -> float:
    """Mean log-likelihood per letter of ``text`` as words; higher reads more like language.

    Cyrillic letters score by Russian frequencies, Arabic ones by Arabic frequencies, Latin
    letters a flat rate (accented ones of Spanish, Turkish or Western European less); a
    lower-case letter followed by a capital inside a word, a word mixing scripts, or a
    non-ASCII sign inside a word costs as much as a very rare letter (mojibake of one code page
    in another does these: Arabic read as KOI8-R is Cyrillic with rare letters, Russian read as
    Windows-1256 is Arabic mixed with French letters).
    """
    total, letters = 0.0, 0
    for word in _WORDS.split(text):
        scripts: dict[str, int] = {}
        previous_lower = False
        for char in word:
            if not char.isalpha():
                previous_lower = False
                if (
                    not char.isascii()
                    and not char.isdigit()
                    and char not in _SPANISH_SIGNS
                    and len(word) > 1
                ):
                    letters += 1
                    total += _RARE  # a sign glued to a word: Ђ‚„ in "—пасибо", ─┴ for "да"
                continue
            letters += 1
            script, score = _letter(char.lower())
            scripts[script] = scripts.get(script, 0) + 1
            total += score
            if previous_lower and char.isupper():
                total += _RARE
            previous_lower = char.islower()
        if len(scripts) > 1:
            total += _RARE * (sum(scripts.values()) - max(scripts.values()))
    return total / letters if letters else 0.0


_MIX_MIN_CHARS = 3  # letters of our languages in valid UTF-8 lines that make a mix, not chance


def _is_our_letter(char: str) -> bool:
    """A non-ASCII letter of the scripts our users write (Russian, Arabic, accented Latin).

    Code-page bytes that happen to be valid UTF-8 decode to something else: CP866 ``там`` to
    the Braille sign ``⠬``, KOI8-R ``её`` to ``ţ``, Windows-1251 ``С»`` to ``ѻ``.
    """
    return not char.isascii() and char.isalpha() and _letter(char.lower())[0] != "other"


def _non_ascii_lines(path: Path, skip: int) -> bytes:
    """Up to a sample's worth of the lines that have non-ASCII bytes, from anywhere in the file
    (a long ASCII head must not leave the code-page guess without evidence).

    Raises :class:`InputFileError` when the file mixes UTF-8 with another encoding: some lines
    are not UTF-8 while others are valid UTF-8 with at least ``_MIX_MIN_CHARS`` letters of our
    languages between them. A line of a single-byte code page is valid UTF-8 only by a fluke
    (a Cyrillic capital directly followed by a sign such as ``»``), and then rarely decodes to
    such letters (:func:`_is_our_letter`), so a genuine Windows-1251, KOI8-R or CP866 file does
    not trip it.
    """
    kept: list[bytes] = []
    size = 0
    first_utf8: int | None = None
    first_other: int | None = None
    utf8_chars = 0
    with path.open("rb") as handle:
        handle.seek(skip)
        for number, line in enumerate(handle, start=1):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                first_other = first_other or number
            else:
                letters = sum(1 for char in text if _is_our_letter(char))
                if letters:
                    first_utf8 = first_utf8 or number
                    utf8_chars += letters
            if first_utf8 and first_other and utf8_chars >= _MIX_MIN_CHARS:
                raise InputFileError(
                    f"{path}: the file mixes UTF-8 with another encoding from line "
                    f"{max(first_utf8, first_other)}; save it as UTF-8"
                )
            if size < _SAMPLE_BYTES:
                kept.append(line)
                size += len(line)
    return b"".join(kept)


def _guess_single_byte(path: Path, sample: bytes, skip: int) -> Decoding:
    results = from_bytes(sample, cp_isolation=list(CANDIDATES), threshold=_MAX_CHAOS)
    if not len(results):
        raise InputFileError(
            f"{path}: cannot tell the text encoding (not UTF-8, and no code page reads it "
            "cleanly); save it as UTF-8 or pass --encoding"
        )
    order = {name: position for position, name in enumerate(CANDIDATES)}
    scored = []
    for match in results:
        # charset-normalizer groups code pages that read the sample alike under one; the
        # letters they differ in (þ, ş) are what tells them apart, so each is scored.
        for encoding in {match.encoding, *match.could_be_from_charset} & set(CANDIDATES):
            text = sample.decode(encoding, errors="replace")
            merit = plausibility(text) - _CHAOS_WEIGHT * match.chaos
            scored.append((merit, -order[encoding], encoding, match.chaos, text))
    scored.sort(key=lambda entry: entry[:2], reverse=True)
    for merit, _, encoding, chaos, text in scored:
        if _decodes(path, encoding, skip) is not None:
            continue
        confidence = max(0.0, 1.0 - chaos)
        warning = None
        rivals = [other for other in scored if other[2] != encoding and other[4] != text]
        if rivals and merit - rivals[0][0] < _CLEAR_MARGIN:
            confidence = min(confidence, 0.5 + max(0.0, merit - rivals[0][0]))
            rival = codecs.lookup(rivals[0][2]).name
            warning = (
                f"the text encoding could also be {rival}; if the text looks wrong, import "
                "again with --encoding"
            )
        return Decoding(encoding, confidence=confidence, warning=warning)
    raise InputFileError(
        f"{path}: cannot tell the text encoding (no code page reads the whole file); "
        "save it as UTF-8 or pass --encoding"
    )


def _detect_body(path: Path, sample: bytes, skip: int, note: str | None) -> Decoding:
    order = _utf16_order(sample[:4096])
    if order is not None:
        error = _decodes(path, order, skip)
        if error is not None:
            raise InputFileError(
                f"{path}: looks like UTF-16 but is cut or corrupt at byte {error} "
                "(open it in a spreadsheet and save it as CSV UTF-8)"
            )
        return Decoding(order, skip=skip, note=note)
    if _decodes(path, "utf-8", skip) is None:
        return Decoding("utf-8", skip=skip, note=note)
    if 0 in sample:
        raise InputFileError(
            f"{path}: this is not a text file (it has NUL bytes); export the data as CSV, XLSX "
            "or JSON"
        )
    guessed = _guess_single_byte(path, _non_ascii_lines(path, skip) or sample, skip)
    return Decoding(guessed.codec, guessed.confidence, skip, note, guessed.warning)


def detect_encoding(path: Path) -> Decoding:
    """The :class:`Decoding` for ``path``; :class:`InputFileError` if no encoding reads it."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        error = _decodes(path, "utf-8-sig")
        if error is None:
            return Decoding("utf-8-sig")
        raise InputFileError(
            f"{path}: starts with a UTF-8 byte-order mark but byte {error} is not UTF-8; "
            "save the file as UTF-8 again or pass --encoding"
        )
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf_16_le"), (codecs.BOM_UTF16_BE, "utf_16_be")):
        if sample.startswith(bom):
            body = sample[2:]
            if 0 in body[:4096] or not body:  # UTF-16 text has NUL bytes; UTF-8 has none
                error = _decodes(path, codec, 2)
                if error is None:
                    return Decoding("utf-16", note=None)
                raise InputFileError(
                    f"{path}: starts with a UTF-16 byte-order mark but is cut or corrupt at "
                    f"byte {error}; save the file again or pass --encoding"
                )
            return _detect_body(path, body, 2, "a UTF-16 byte-order mark before non-UTF-16 text")
    return _detect_body(path, sample, 0, None)


def given_encoding(path: Path, name: str) -> Decoding:
    """The encoding the user named (``--encoding``), checked against the whole file."""
    try:
        codec = codecs.lookup(name).name
    except LookupError as exc:
        raise InputFileError(f"unknown encoding {name!r}; try utf-8 or cp1251") from exc
    error = _decodes(path, codec)
    if error is not None:
        raise InputFileError(
            f"{path}: cannot be read as {name} (byte {error}); "
            "pass another --encoding or leave it out to detect"
        )
    return Decoding(codec)
