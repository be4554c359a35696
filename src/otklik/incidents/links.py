"""Linking feedback to incidents: items that arrived while an incident was open and match one
of its scopes (a topic, the type, a channel, product, region or partner) are linked, and the
item's ``incident`` attribute is set, so its case carries the incident (and the inbox
priority's incident points, :mod:`otklik.routing.priority`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, column, exists, insert, or_, select, table
from sqlalchemy import update as sql_update

from otklik.errors import NotFoundError
from otklik.incidents._shared import naive, scopes_of, utc_now
from otklik.ledger import CURRENT_VIEW, FeedbackItem
from otklik.ledger.models_incidents import Incident, IncidentItem

__all__ = ["link_items", "link_open_incidents"]


def _incident(engine: Engine, incident_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == incident_id)).first()
    if row is None:
        raise NotFoundError(f"no incident {incident_id}")
    return row


def _labels() -> Any:
    return table(CURRENT_VIEW, column("item_id"), column("type", String), column("topics", String))


def _matches(scopes: Sequence[tuple[str, str]]) -> Any:
    """An SQL condition: the item matches one of ``scopes``."""
    labels = _labels()
    item = FeedbackItem
    conditions = []
    for field_name, value in scopes:
        if field_name == "topic":
            # Topics are a JSON list of the most specific ids ("app.login"): match the quoted
            # value, or any of its sub-topics ("app" matches "app.login"), on every engine.
            quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"')
            text = labels.c.topics.cast(String)
            conditions.append(
                exists().where(
                    labels.c.item_id == item.id,
                    or_(
                        text.contains(quoted + '"', autoescape=True),
                        text.contains(quoted + ".", autoescape=True),
                    ),
                )
            )
        elif field_name == "type":
            conditions.append(exists().where(labels.c.item_id == item.id, labels.c.type == value))
        elif field_name == "partner":
            conditions.append(item.attributes["partner"].as_string() == value)
        else:
            conditions.append(getattr(item, field_name) == value)
    return or_(*conditions)


def link_items(engine: Engine, incident_id: int, *, at: datetime | None = None) -> int:
    """Link the items that arrived since the incident started (until it was resolved) and
    match one of its scopes; returns how many were newly linked."""
    incident = _incident(engine, incident_id)
    with engine.connect() as conn:
        scopes = scopes_of(conn, [incident_id])[incident_id]
    if not scopes:
        return 0
    end = incident.resolved_at or naive(at) or utc_now()
    already = select(IncidentItem.item_id).where(IncidentItem.incident_id == incident_id)
    query = select(FeedbackItem.id, FeedbackItem.attributes).where(
        FeedbackItem.occurred_at >= incident.started_at,
        FeedbackItem.occurred_at <= end,
        _matches(scopes),
        FeedbackItem.id.not_in(already),
    )
    now = naive(at) or utc_now()
    linked = 0
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            conn.execute(
                insert(IncidentItem),
                [{"incident_id": incident_id, "item_id": r.id, "linked_at": now} for r in batch],
            )
            for row in batch:
                attributes = dict(row.attributes or {})
                attributes["incident"] = incident_id
                conn.execute(
                    sql_update(FeedbackItem)
                    .where(FeedbackItem.id == row.id)
                    .values(attributes=attributes)
                )
            linked += len(batch)
    return linked


def link_open_incidents(engine: Engine, *, at: datetime | None = None) -> int:
    """Link new matching items to every open incident (run after an import)."""
    with engine.connect() as conn:
        ids = list(conn.execute(select(Incident.id).where(Incident.status == "open")).scalars())
    return sum(link_items(engine, incident_id, at=at) for incident_id in ids)
