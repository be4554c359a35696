"""Correcting one item's classification by hand (the web's relabel form and its JSON API).

A correction is a human label, stored by :func:`~otklik.classify.store.write_human_labels`
exactly as ``otklik label import`` stores a file's rows: it wins over the machine's label field
by field wherever a classification is read (:func:`~otklik.classify.store.current_labels`, the
``current_classifications`` view), records who and when, and is what ``otklik model train``
learns from. Values are the taxonomy's names (``complaint``, ``app.login``, ``negative``);
anything else raises :class:`~otklik.errors.ConfigError` naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from otklik.classify.run import owner_of
from otklik.classify.store import HumanLabel, write_human_labels
from otklik.classify.taxonomy import Taxonomy
from otklik.errors import ConfigError
from otklik.ledger import Classification

__all__ = ["LabelChoices", "human_label_of", "label_choices", "relabel_item"]


@dataclass(frozen=True)
class LabelChoices:
    """What a correction may say, as (name, title in ``language``) pairs in taxonomy order."""

    types: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    sentiments: list[tuple[str, str]]


def _title(label: dict[str, str], name: str, language: str) -> str:
    return label.get(language) or label.get("en") or name


def label_choices(taxonomy: Taxonomy, language: str = "en") -> LabelChoices:
    """Types, topics (dotted ids, titled ``Parent › Child``) and sentiments of ``taxonomy``."""
    titles: dict[str, str] = {}
    topics = []
    for node in taxonomy.flat_topics():
        title = node.title(language)
        titles[node.id] = f"{titles[node.parent]} › {title}" if node.parent in titles else title
        topics.append((node.id, titles[node.id]))
    types = [
        (name, _title(spec.label, name, language) if spec else name)
        for name, spec in ((n, taxonomy.types.get(n)) for n in taxonomy.type_names)
    ]
    sentiments = [
        (name, _title(spec.label, name, language)) for name, spec in taxonomy.sentiments.items()
    ]
    return LabelChoices(types=types, topics=topics, sentiments=sentiments)


def relabel_item(
    engine: Engine,
    taxonomy: Taxonomy,
    item_id: int,
    *,
    type: str | None = None,
    topics: Sequence[str] | None = None,
    sentiment: str | None = None,
    labelled_by: str,
) -> HumanLabel:
    """Store a human correction of ``item_id``; a field left None keeps its earlier value.

    ``topics=[]`` says "no topic". The owner team follows the topics (as in a label file).
    Raises :class:`ConfigError` for a value the taxonomy does not know, or when nothing is given.
    The caller checks that the item exists and that the user may see it.
    """
    if type is None and topics is None and sentiment is None:
        raise ConfigError("a correction needs a type, topics or a sentiment")
    if type is not None and type not in taxonomy.type_names:
        raise ConfigError(f"type: unknown type {type!r}")
    if sentiment is not None and sentiment not in taxonomy.sentiments:
        raise ConfigError(f"sentiment: unknown sentiment {sentiment!r}")
    label = HumanLabel(item_id=item_id, type=type, sentiment=sentiment, labelled_by=labelled_by)
    if topics is not None:
        known = set(taxonomy.topic_ids())
        unknown = [topic for topic in topics if topic not in known]
        if unknown:
            raise ConfigError(f"topics: unknown topic {unknown[0]!r}")
        label.topics = list(dict.fromkeys(topics))
        label.owner_team = owner_of(taxonomy, label.topics)
    write_human_labels(engine, [label])
    return label


def human_label_of(engine: Engine, item_id: int) -> dict[str, Any] | None:
    """The item's human label (``type``, ``topics``, ``sentiment``, ``labelled_by``,
    ``labelled_at`` as naive UTC), or None when no human has labelled it."""
    query = select(
        Classification.type,
        Classification.topics,
        Classification.sentiment,
        Classification.labelled_by,
        Classification.created_at,
    ).where(Classification.item_id == item_id, Classification.origin == "human")
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return {
        "type": row.type,
        "topics": row.topics,
        "sentiment": row.sentiment,
        "labelled_by": row.labelled_by,
        "labelled_at": row.created_at,
    }
