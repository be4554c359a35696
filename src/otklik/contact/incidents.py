"""Where the contact policy learns of open incidents: one injectable source.

``OpenIncidentSegments`` is any callable ``(engine, at) -> [(field, value), …]`` naming the
customer segments (``segment=retail``, ``region=Moscow`` …) an incident open at ``at``
affects. The default, :func:`incidents_in_store`, reads the incidents open at ``at`` from
``otklik.incidents.active_incidents``: an incident scoped to customer fields (product, region,
segment, partner) affects the customers with those values; one scoped only by topic, type or
channel (a login outage, a spike of complaints) affects everyone, and is given as
:data:`EVERYONE`. :func:`no_open_incidents` is for callers that want no suppression.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

__all__ = [
    "CUSTOMER_FIELDS",
    "EVERYONE",
    "OpenIncidentSegments",
    "default_incident_source",
    "incidents_in_store",
    "no_open_incidents",
]

OpenIncidentSegments = Callable[[Engine, datetime], list[tuple[str, str]]]
# Incident scope fields that describe customers; the others (topic, type, channel) describe
# what went wrong, so such an incident concerns every customer.
CUSTOMER_FIELDS = frozenset({"product", "region", "segment", "partner"})
EVERYONE = ("*", "*")


def no_open_incidents(engine: Engine, at: datetime) -> list[tuple[str, str]]:
    """No incident is known (no suppression for incidents)."""
    return []


def incidents_in_store(engine: Engine, at: datetime) -> list[tuple[str, str]]:
    """The customer segments of the incidents open at ``at`` (:data:`EVERYONE` for one that
    names no customer field)."""
    from otklik.incidents import active_incidents  # incidents → routing → … → contact

    pairs: list[tuple[str, str]] = []
    for incident in active_incidents(engine, at=at):
        own = [(field, value) for field, value in incident.scopes if field in CUSTOMER_FIELDS]
        pairs.extend(own or [EVERYONE])
    return pairs


def default_incident_source() -> OpenIncidentSegments:
    """The source the CLI, the API and survey invitations use: the store's open incidents."""
    return incidents_in_store
