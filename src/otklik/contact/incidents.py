"""Where the contact policy learns of open incidents: one injectable source.

``OpenIncidentSegments`` is any callable ``(engine, at) -> [(field, value), …]`` naming the
customer segments (``segment=retail``, ``region=Moscow`` …) an incident open at ``at``
affects. :func:`no_open_incidents` is the default until the incidents package is wired here:
at merge, make :func:`default_incident_source` return an adapter over
``otklik.incidents.active_incidents(engine, at=at)`` (its records' affected segments).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

__all__ = ["OpenIncidentSegments", "default_incident_source", "no_open_incidents"]

OpenIncidentSegments = Callable[[Engine, datetime], list[tuple[str, str]]]


def no_open_incidents(engine: Engine, at: datetime) -> list[tuple[str, str]]:
    """No incident is known (the default until ``otklik.incidents`` is wired in)."""
    return []


def default_incident_source() -> OpenIncidentSegments:
    """The source the CLI, the API and survey invitations use. WIRE AT MERGE: return an
    adapter over ``otklik.incidents.active_incidents`` here."""
    return no_open_incidents
