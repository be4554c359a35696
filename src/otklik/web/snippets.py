"""A comment as a search result shows it: personal data masked (:func:`otklik.classify.mask_pii`),
cut to a window around the first match, the words the query matched marked.

The template renders the parts with autoescaping and wraps marked ones in ``<mark>``; nothing
here builds HTML.
"""

from __future__ import annotations

from otklik.classify import mask_pii
from otklik.ledger import match_spans

__all__ = ["SNIPPET_CHARS", "snippet"]

SNIPPET_CHARS = 220


def snippet(text: str | None, q: str | None, width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """``text`` masked and cut to about ``width`` characters, as (part, matched) pairs in order.

    Matches are searched in the masked text, so a placeholder such as ``[PHONE]`` is never
    marked and a phone number can never show, whatever the query.
    """
    masked = mask_pii(text or "")
    spans = match_spans(masked, q)
    start = 0
    if spans and spans[0][0] > width // 3:
        start = max(0, spans[0][0] - width // 3)
        space = masked.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(masked), start + width)
    parts: list[tuple[str, bool]] = []
    if start > 0:
        parts.append(("…", False))
    at = start
    for left, right in spans:
        if right <= start or left >= end:
            continue
        left, right = max(left, start), min(right, end)
        if left > at:
            parts.append((masked[at:left], False))
        parts.append((masked[left:right], True))
        at = right
    if at < end:
        parts.append((masked[at:end], False))
    if end < len(masked):
        parts.append(("…", False))
    return parts
