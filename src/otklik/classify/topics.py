"""Which items carry a topic: a SQL condition over the items' *current* labels.

The condition reads the ``current_classifications`` view (the human label wins over the
machine's, field by field: the same merge as :func:`otklik.classify.current_labels`), so an item
a person relabelled is found under its new topic and no longer under the old one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Engine, and_, bindparam, literal, text

from otklik.ledger import CURRENT_VIEW

__all__ = ["topic_filter"]


def topic_filter(engine: Engine, topics: Sequence[str | None]) -> ColumnElement[bool] | None:
    """Items (``feedback_items.id``) labelled with any of ``topics`` or a subtopic of one
    (``app`` takes ``app.login``); None when no topic is asked for.

    Works on SQLite and PostgreSQL (the stores the web app and the CLI write).
    """
    wanted = sorted({topic for topic in topics if topic})
    if not wanted:
        return None
    # A prefix compared with substr, not LIKE: topic ids contain "_", LIKE's any-character.
    match = " OR ".join(
        f"je.value = :topic{i} OR substr(je.value, 1, length(:topic{i}) + 1) = :topic{i} || '.'"
        for i in range(len(wanted))
    )
    if engine.dialect.name == "sqlite":
        source = f"{CURRENT_VIEW} c, json_each(c.topics) je WHERE json_type(c.topics) = 'array'"
    else:  # a scalar would make json_array_elements_text fail, not just not match
        arrays = "CASE WHEN json_typeof(c.topics) = 'array' THEN c.topics ELSE '[]'::json END"
        source = f"{CURRENT_VIEW} c, json_array_elements_text({arrays}) je(value) WHERE TRUE"
    clause = text(
        f"feedback_items.id IN (SELECT c.item_id FROM {source} AND ({match}))"
    ).bindparams(*(bindparam(f"topic{i}", topic) for i, topic in enumerate(wanted)))
    return and_(literal(True), clause)
