"""Reading what the detector needs from the store: time, segments, score and current labels."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, String, cast, column, select, table

from otklik.ledger import CURRENT_VIEW, FeedbackItem

__all__ = ["EVENT_COLUMNS", "load_events", "topics_of"]

EVENT_COLUMNS = (
    "occurred_at",
    "channel",
    "product",
    "region",
    "partner",
    "score",
    "scale",
    "type",
    "topic",
)


def topics_of(value: Any) -> list[str]:
    """A label's topics as a list (JSON text on SQLite, a list on PostgreSQL)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def load_events(engine: Engine, *, since: datetime, until: datetime | None = None) -> pd.DataFrame:
    """The items the detector reads, from ``since`` (naive UTC): time, segments, score, and
    the current labels (type, topics)."""
    labels = table(
        CURRENT_VIEW,
        column("item_id"),
        column("type", String),
        column("topics", String),
    )
    item = FeedbackItem
    partner = cast(item.attributes["partner"].as_string(), String)
    query = (
        select(
            # As text: one vectorised parse below instead of a datetime per row (3× faster).
            cast(item.occurred_at, String).label("occurred_at"),
            item.channel,
            item.product,
            item.region,
            partner.label("partner"),
            item.score,
            item.scale,
            labels.c.type,
            labels.c.topics.label("topic"),
        )
        .outerjoin(labels, labels.c.item_id == item.id)
        .where(item.occurred_at >= since)
    )
    if until is not None:
        query = query.where(item.occurred_at <= until)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    # Plain tuples: pandas probes a Row for namedtuple fields, at 20 µs a row.
    frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=list(EVENT_COLUMNS))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], format="ISO8601")
    frame["topic"] = frame["topic"].map(topics_of)  # JSON text on SQLite, a list on PostgreSQL
    return frame
