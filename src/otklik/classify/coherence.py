"""A complaint is negative and praise is positive: the sentiment of feedback follows its type
where the reading of sentiment found none.

Type and sentiment are read apart. The rules read both from the same words, so their answers
agree. The shipped type model, though, answers where the rules found no type («глючит с
обновления», "driver arrived 25 min after the time shown"), and the sentiment reading of the
same text is then ``neutral``. Stored that way, the item counts as a complaint, but not as
negative feedback. Where the sentiment is ``neutral`` and the type is a complaint or praise,
:func:`sentiment_of_type` gives the type's polarity. It gives nothing for the other types,
nor where the sentiment already has a polarity.

Posts of kind ``social`` keep their own reading: they are not addressed to the company
(news, adverts, mentions), and the type model, trained on direct feedback, reads them poorly
(«Русский Стандарт запустил кредитку…» as a complaint, 0.88 sure).

How this was chosen: measured on otklik's hand-written comment sets that the sentiment model
was never trained on, on public review and survey sets, and on otklik's written bank and
telecom tweets (docs/benchmarks-classify.md, "Sentiment that follows the type"). SentiRuEval
was not used. Accuracy of ``auto``'s sentiment, before → after:

* comment sets: ru blind3 0.748 → 0.864, en blind3 0.683 → 0.833, es 0.765 → 0.860,
  ar 0.685 → 0.825;
* NPS verbatims 0.700 → 0.742;
* ElSahar Arabic product reviews 0.670 → 0.720;
* SentiRuEval-2015 reviews 0.844 → 0.846;
* SmSA 0.790 → 0.776.

Two wider variants were measured and dropped: "a complaint is never positive" and "the type
always sets the sentiment". Both did better on the comment sets, whose labels follow the type
by construction, and worse on the public sets. On the written tweets this module would cost
0.751 → 0.611, hence the exception for ``social``.
"""

from __future__ import annotations

__all__ = ["POLARITY_OF_TYPE", "UNADDRESSED_KINDS", "sentiment_of_type"]

# The sentiment a feedback type carries, for the types that carry one.
POLARITY_OF_TYPE: dict[str, str] = {"complaint": "negative", "praise": "positive"}
# Item kinds not addressed to the company, whose sentiment never follows the type.
UNADDRESSED_KINDS = frozenset({"social"})
_SILENT = "neutral"


def sentiment_of_type(type_: str | None, sentiment: str | None, kind: str | None) -> str | None:
    """The sentiment that the feedback type ``type_`` gives an item of ``kind`` whose sentiment
    was read as ``sentiment``. Returns ``negative`` for a complaint and ``positive`` for praise
    when the reading is ``neutral`` (or missing). Returns None, and the reading stands, for any
    other type, for a reading with a polarity, and for an item of kind ``social``.
    """
    if kind in UNADDRESSED_KINDS or sentiment not in (_SILENT, None):
        return None
    return POLARITY_OF_TYPE.get(type_ or "")
