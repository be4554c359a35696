"""Masking before a text leaves: personal data and, in Russian, names, addresses, organisations.

Every text an LLM sees goes through :func:`mask_for_llm`:

1. :func:`otklik.classify.mask_pii` — e-mails, phones, cards, passports, INN, SNILS;
2. street addresses by pattern (``ул. Ленина, д. 5, кв. 12``, ``123 Main Street``,
   ``проспект Мира 10``) → ``[ADDRESS]``;
3. for Cyrillic text, the natasha/slovnet NER model shipped inside the ``natasha`` wheel:
   persons → ``[NAME]``, organisations → ``[ORG]``, places → ``[PLACE]``;
4. in any language, a name after an introduction, a sign-off or an address form
   (``меня зовут иван``, ``my name is John Smith``, ``Regards, Ann``, ``Mr Smith``,
   ``Ibu Sari``) → ``[NAME]``.

The NER model is loaded once per process (about 0.5 s, 30 MB). Names in English, Indonesian,
Arabic or Spanish text are found only by step 4: no model for them ships offline.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from otklik.classify import mask_pii

__all__ = ["LLM_PLACEHOLDERS", "mask_for_llm", "ner_spans"]

LLM_PLACEHOLDERS = {"PER": "[NAME]", "ORG": "[ORG]", "LOC": "[PLACE]", "address": "[ADDRESS]"}

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ADDRESS_RU = re.compile(
    r"(?<!\w)(?:ул(?:ица|ице|ицу|\.)|пр(?:оспект\w*|-т|\.)|пер(?:еул\w*|\.)|бульвар\w*|б-р|"
    r"шоссе|наб(?:ережн\w*|\.)|пл(?:ощад\w*|\.)|мкр\.?|микрорайон\w*)\s*"
    r"[\w\-. ]{1,40}?(?:,?\s*(?:д(?:ом|\.)?|корп(?:ус|\.)?|к\.|стр(?:оение|\.)?|кв(?:артира|\.)?)"
    r"\s*\d+\w?)+",
    re.IGNORECASE,
)
_ADDRESS_EN = re.compile(
    r"(?<!\w)\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|"
    r"Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Court|Ct\.?|Jalan|Calle)(?:,?\s*(?:apt|flat|"
    r"unit)\.?\s*\d+\w?)?",
)
_ADDRESS_JALAN = re.compile(
    r"(?<!\w)(?:Jl\.|Jalan|Calle|Avenida|Av\.)\s+[\w .]{2,40}?\s+(?:No\.?\s*)?\d+\w?"
)
# After "my name is" a name follows even when typed in lower case; after a sign-off, only a
# capitalised word is taken for one.
_INTRODUCED = re.compile(
    r"(?P<lead>(?:меня зовут|моё имя|мое имя|my name is|nama saya|me llamo|mi nombre es|"
    r"اسمي)\s+)(?P<name>[^\W\d_]+(?:\s+[A-ZА-ЯЁ][\w'\-]+){0,2})",
    re.IGNORECASE,
)
_SIGNED = re.compile(
    r"(?P<lead>(?i:с уважением|regards|best wishes|salam|saludos),?\s+)"
    r"(?P<name>[A-ZА-ЯЁ][\w'\-]*(?:\s+[A-ZА-ЯЁ][\w'\-]+){0,2})"
)
_ADDRESSED = re.compile(
    r"(?P<lead>(?<!\w)(?:Mr|Mrs|Ms|Miss|Dr|Pak|Bapak|Ibu|Bu|Kak|Sr|Sra|Señor|Señora|"
    r"господин|госпожа|оператор|менеджер|сотрудник|сотрудница)\.?\s+)"
    r"(?P<name>[A-ZА-ЯЁ][\w'\-]+(?:\s+[A-ZА-ЯЁ][\w'\-]+)?)"
)
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _ner() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def ner_spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of persons (PER), organisations (ORG) and places (LOC) in Russian.

    Empty for text with no Cyrillic letter. Thread-safe (one tagger, serialised).
    """
    if not _CYRILLIC.search(text):
        return []
    from natasha import Doc
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the model's small matrix products run 5-10× slower when BLAS spreads
    # them over busy cores (measured: 18 → 160 texts/s on a loaded 2-core machine).
    with _LOCK, threadpool_limits(limits=1, user_api="blas"):
        segmenter, tagger = _ner()
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
    return [(span.type, span.start, span.stop) for span in doc.spans]


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    last = 0
    for start, end, placeholder in sorted(spans):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_for_llm(text: str) -> str:
    """``text`` with personal data, addresses and (Russian) names, organisations and places
    replaced by placeholders (``[PHONE]``, ``[ADDRESS]``, ``[NAME]``, ``[ORG]``, ``[PLACE]``…).

    Idempotent: masking a masked text changes nothing.
    """
    if not text:
        return text
    masked = mask_pii(text)
    for pattern in (_ADDRESS_RU, _ADDRESS_EN, _ADDRESS_JALAN):
        masked = pattern.sub(LLM_PLACEHOLDERS["address"], masked)
    for pattern in (_INTRODUCED, _SIGNED, _ADDRESSED):
        masked = pattern.sub(lambda m: m.group("lead") + LLM_PLACEHOLDERS["PER"], masked)
    spans = [
        (start, end, LLM_PLACEHOLDERS[kind])
        for kind, start, end in ner_spans(masked)
        if kind in LLM_PLACEHOLDERS and not _inside_placeholder(masked, start, end)
    ]
    return _replace_spans(masked, spans)


def _inside_placeholder(text: str, start: int, end: int) -> bool:
    fragment = text[max(start - 1, 0) : end + 1].strip()
    return fragment.startswith("[") and fragment.endswith("]") and fragment[1:-1].isupper()
