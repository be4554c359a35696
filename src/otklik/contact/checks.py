"""Checks of a message's text before it goes: length per channel, readability, tone, form of
address and promises the sender cannot keep.

- **SMS**: GSM-7 text takes 160 characters in one segment, 153 per segment when split (the
  extension characters ``^{}\\[~]|€`` take two); any other character makes the whole text
  UCS-2: 70 in one segment, 67 per segment (UTF-16 units: an emoji takes two).
- **push**: a title up to 50 characters and a body up to 178 (what lock screens show);
  **e-mail**: a subject up to 78 characters (RFC 5322), warned over 60 (cut on phones).
- **promises**: a concrete time ("свет дадут к 23:00", "by 11 pm"), an amount ("вернём
  500 ₽", "$50 back"), a day ("завтра", "tomorrow", "besok", "mañana", "غدا") or a guarantee
  verb is flagged in ru/en/id/ar/es: the sender must be sure before promising it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "GSM_BASIC",
    "GSM_EXTENDED",
    "Finding",
    "TextCheck",
    "check_text",
    "find_promises",
    "sms_segments",
]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
PUSH_TITLE = 50
PUSH_BODY = 178
SUBJECT_MAX = 78
SUBJECT_WARN = 60
SMS_MAX_SEGMENTS = 3
LONG_SENTENCE_WORDS = 20

_TIME = (
    r"(?<![\d:.])(?:[01]?\d|2[0-3])[:.][0-5]\d(?![\d:])"
    r"|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)\b"
)
_NUMBER = r"\d{1,3}(?:[ .,\u00a0]\d{3})*(?:[.,]\d{1,2})?|\d+"
_MONEY = (
    rf"(?:[$€£¥₽₹]\s?(?:{_NUMBER}))"
    rf"|\brp\.?\s?(?:{_NUMBER})"
    rf"|(?:{_NUMBER})\s?(?:₽|руб\w*|р\.|\$|€|usd\b|eur\b|dollars?\b|euros?\b|rupiah\b|ريال|"
    r"درهم|جنيه|pesos?\b)"
)
_DAYS = (
    r"\b(?:сегодня|завтра|послезавтра|в течение (?:часа|дня|суток|\d+ (?:час\w*|дн\w*|минут\w*))"
    r"|today|tomorrow|tonight|within \d+ (?:hours?|days?|minutes?)"
    r"|hari ini|besok|lusa|dalam \d+ (?:jam|hari|menit)"
    r"|hoy|mañana|pasado mañana|en \d+ (?:horas?|días?|minutos?))\b"
    r"|(?:اليوم|غدا|غدًا|خلال \d+ (?:ساعة|ساعات|يوم|أيام))"
    r"|\b\d{1,2}\s(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|"
    r"ноября|декабря|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|januari|februari|maret|mei|juni|juli|agustus|oktober|desember|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre)\b"
)
_GUARANTEE = (
    r"\b(?:гарантируем|гарантированно|обязательно (?:вернём|вернем|сделаем|починим|дадут)|"
    r"точно будет|guarantee[ds]?|definitely|for sure|will be fixed by|dijamin|pasti|"
    r"garantizamos|sin falta|seguro que)\b|(?:نضمن|بالتأكيد)"
)
_PROMISES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("time", re.compile(_TIME, re.IGNORECASE)),
    ("amount", re.compile(_MONEY, re.IGNORECASE)),
    ("date", re.compile(_DAYS, re.IGNORECASE)),
    ("guarantee", re.compile(_GUARANTEE, re.IGNORECASE)),
)
_TONE: dict[str, tuple[str, ...]] = {
    "ru": (
        "вы сами",
        "как мы уже",
        "по вашей вине",
        "вам следовало",
        "в связи с вышеизложенным",
        "доводим до вашего сведения",
        "не можем ничем",
    ),
    "en": (
        "you failed to",
        "as we already told",
        "your fault",
        "you should have",
        "please be advised",
        "per our policy",
        "nothing we can do",
    ),
    "id": ("kesalahan anda", "seperti yang sudah kami", "anda seharusnya"),
    "es": ("como ya le dijimos", "es su culpa", "usted debió", "no podemos hacer nada"),
    "ar": ("خطؤك", "كما أخبرناك"),
}
_ADDRESS: dict[str, dict[str, re.Pattern[str]]] = {
    "ru": {
        "formal": re.compile(r"\b(?:вы|вас|вам|вами|ваш\w*)\b", re.IGNORECASE),
        "informal": re.compile(
            r"\b(?:ты|тебя|тебе|тобой|твой|твоя|твоё|твое|твои\w*)\b", re.IGNORECASE
        ),
    },
    "es": {
        "formal": re.compile(r"\b(?:usted|ustedes|su|sus)\b", re.IGNORECASE),
        "informal": re.compile(r"\b(?:tú|te|ti|tu|tus)\b", re.IGNORECASE),
    },
    "id": {
        "formal": re.compile(r"\b(?:anda|bapak|ibu)\b", re.IGNORECASE),
        "informal": re.compile(r"\b(?:kamu|kau|lo|lu)\b", re.IGNORECASE),
    },
}
_SENTENCE = re.compile(r"[^.!?؟…]+[.!?؟…]*")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


@dataclass(frozen=True)
class Finding:
    """One problem: ``kind`` (length, promise, tone, address, readability), a message, and the
    matched text when there is one; ``severity`` error (too long) or warning."""

    kind: str
    message: str
    text: str | None = None
    severity: str = "warning"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "text": self.text,
        }


@dataclass
class TextCheck:
    """Everything found in one text for one channel, with the SMS encoding and segments."""

    channel: str
    characters: int
    encoding: str | None = None
    segments: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "characters": self.characters,
            "encoding": self.encoding,
            "segments": self.segments,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
        }


def sms_segments(text: str) -> tuple[str, int, int]:
    """(encoding "GSM-7" or "UCS-2", units, segments) of an SMS body."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / part)
    return encoding, units, segments


def find_promises(text: str) -> list[Finding]:
    """Concrete times, amounts, days and guarantees in ``text`` (any of ru/en/id/ar/es)."""
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PROMISES:
        for match in pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            found.append(
                Finding(
                    "promise",
                    f"a concrete {kind}: promise it only if the sender can guarantee it",
                    match.group(0).strip(),
                )
            )
    return found


def _readability(text: str) -> list[Finding]:
    sentences = [s for s in _SENTENCE.findall(text) if _WORD.search(s)]
    findings = []
    for sentence in sentences:
        words = _WORD.findall(sentence)
        if len(words) > LONG_SENTENCE_WORDS:
            findings.append(
                Finding(
                    "readability",
                    f"a sentence of {len(words)} words (keep under {LONG_SENTENCE_WORDS})",
                    sentence.strip()[:80],
                )
            )
    return findings


def _tone(text: str, language: str | None) -> list[Finding]:
    findings = []
    lowered = text.lower()
    for lang, phrases in _TONE.items():
        if language not in (None, lang):
            continue
        for phrase in phrases:
            if phrase in lowered:
                findings.append(Finding("tone", "blame or bureaucratic wording", phrase))
    shouting = [w for w in _WORD.findall(text) if len(w) >= 4 and w.isupper()]
    if shouting:
        findings.append(Finding("tone", "words in capitals read as shouting", shouting[0]))
    if "!!" in text:
        findings.append(Finding("tone", "several exclamation marks", "!!"))
    return findings


def _address(text: str, language: str | None, address: str | None) -> list[Finding]:
    forms = _ADDRESS.get(language or "")
    if not forms or address not in ("formal", "informal"):
        return []
    other = "informal" if address == "formal" else "formal"
    found = forms[other].search(text)
    if found is None:
        return []
    return [Finding("address", f"the template is {address}, this word is {other}", found.group(0))]


def check_text(
    text: str,
    *,
    channel: str,
    subject: str | None = None,
    language: str | None = None,
    address: str | None = None,
    max_segments: int = SMS_MAX_SEGMENTS,
) -> TextCheck:
    """Check ``text`` (and the e-mail or push ``subject``/title) for sending on ``channel``."""
    result = TextCheck(channel, len(text))
    if channel == "sms":
        encoding, units, segments = sms_segments(text)
        result.encoding, result.segments = encoding, segments
        if segments > max_segments:
            result.findings.append(
                Finding(
                    "length",
                    f"{segments} SMS segments ({encoding}, {units} units); at most {max_segments}",
                    severity="error",
                )
            )
        elif segments > 1:
            result.findings.append(
                Finding(
                    "length",
                    f"{segments} SMS segments ({encoding}, {units} units): each is paid for",
                )
            )
    elif channel == "push":
        if len(text) > PUSH_BODY:
            result.findings.append(
                Finding(
                    "length",
                    f"push body of {len(text)} characters; lock screens show {PUSH_BODY}",
                    severity="error",
                )
            )
        if subject is not None and len(subject) > PUSH_TITLE:
            result.findings.append(
                Finding(
                    "length",
                    f"push title of {len(subject)} characters (at most {PUSH_TITLE})",
                    severity="error",
                )
            )
    elif channel == "email":
        if not (subject or "").strip():
            result.findings.append(Finding("length", "an e-mail needs a subject", severity="error"))
        elif len(subject or "") > SUBJECT_MAX:
            result.findings.append(
                Finding(
                    "length",
                    f"subject of {len(subject or '')} characters (at most {SUBJECT_MAX})",
                    severity="error",
                )
            )
        elif len(subject or "") > SUBJECT_WARN:
            result.findings.append(
                Finding(
                    "length",
                    f"subject of {len(subject or '')} characters: phones cut "
                    f"it after about {SUBJECT_WARN}",
                )
            )
    full = f"{subject}\n{text}" if subject else text
    result.findings += find_promises(full)
    result.findings += _tone(full, language)
    result.findings += _address(full, language, address)
    result.findings += _readability(text)
    return result
