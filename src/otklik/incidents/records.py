"""Incident records: open (by hand or from a detection), move the ETA, resolve, read.

Every ETA given is kept (``incident_etas``: when, by whom, why); the incident row carries the
current one, the first one, how many times it moved, and the owner team's median time to fix
over its earlier incidents when it was opened (``baseline_hours``: what the honest-ETA
guardrail compares a promise with). Linking items is :mod:`otklik.incidents.links`; what is
open at a moment, :mod:`otklik.incidents.active`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy import update as sql_update

from otklik.errors import ConfigError, NotFoundError
from otklik.incidents._shared import naive, scopes_of, utc_now, zone_condition
from otklik.incidents.links import link_items
from otklik.ledger import Case
from otklik.ledger.models_incidents import Incident, IncidentEta, IncidentItem, IncidentScope

__all__ = [
    "SCOPE_FIELDS",
    "EventHook",
    "get_incident",
    "list_incidents",
    "move_eta",
    "open_incident",
    "resolve_incident",
    "team_baseline_hours",
]

SCOPE_FIELDS = ("topic", "type", "channel", "product", "region", "partner")
# Called after open, ETA change and resolve with (event, incident dict): notifications.
EventHook = Callable[[str, dict[str, Any]], None]


def _checkscopes_of(scopes: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for field_name, value in scopes:
        if field_name not in SCOPE_FIELDS:
            raise ConfigError(
                f"unknown scope field {field_name!r}; use one of {', '.join(SCOPE_FIELDS)}"
            )
        value = value.strip()
        if not value:
            raise ConfigError(f"the scope {field_name}= has no value")
        if (field_name, value) not in found:
            found.append((field_name, value))
    return found


def team_baseline_hours(
    engine: Engine, team: str | None, *, before: datetime | None = None
) -> float | None:
    """The team's median hours from start to resolution over its resolved incidents (None
    before its first)."""
    query = select(Incident.started_at, Incident.resolved_at).where(
        Incident.status == "resolved", Incident.owner_team == team
    )
    if before is not None:
        query = query.where(Incident.resolved_at <= before)
    with engine.connect() as conn:
        hours = [
            (resolved - started).total_seconds() / 3600
            for started, resolved in conn.execute(query)
            if resolved is not None
        ]
    return statistics.median(hours) if hours else None


_SLACK = timedelta(minutes=5)  # clocks of the caller and the server differ a little


def _not_future(moment: datetime | None, what: str) -> None:
    """What already happened cannot be dated in the future (a typo in the year, a wrong zone)."""
    now = utc_now()
    if moment is not None and moment > now + _SLACK:
        raise ConfigError(
            f"{what} {moment:%Y-%m-%d %H:%M} UTC is in the future (now {now:%Y-%m-%d %H:%M} UTC)"
        )


def _check_eta(eta: datetime | None, *, started: datetime, now: datetime) -> None:
    """A promise is about the future: after the start and after the moment it is given."""
    if eta is None:
        return
    if eta <= started:
        raise ConfigError("the ETA must be after the incident's start")
    if eta <= now:
        raise ConfigError(
            f"the ETA {eta:%Y-%m-%d %H:%M} UTC has already passed "
            f"(now {now:%Y-%m-%d %H:%M} UTC): promise a time in the future"
        )


def open_incident(
    engine: Engine,
    *,
    title: str,
    message_ru: str,
    message_en: str,
    actor: str,
    started_at: datetime | None = None,
    eta_at: datetime | None = None,
    owner_team: str | None = None,
    scopes: Iterable[tuple[str, str]] = (),
    detection_key: str | None = None,
    detected_at: datetime | None = None,
    at: datetime | None = None,
    on_event: EventHook | None = None,
) -> dict[str, Any]:
    """Open an incident, record its first promise, link the items that already match it, and
    return it as :func:`get_incident` does. A topic scope covers its sub-topics
    (callers check topics against the taxonomy in force: ``otklik.configs.check_topic``).
    Raises ConfigError."""
    title = title.strip()
    if not title:
        raise ConfigError("an incident needs a title")
    if not message_ru.strip() or not message_en.strip():
        raise ConfigError("an incident needs a customer-facing message in Russian and English")
    now = naive(at) or utc_now()
    started = naive(started_at) or now
    if started > now + _SLACK:  # now: the moment it is recorded (default the clock's)
        raise ConfigError(
            f"the start {started:%Y-%m-%d %H:%M} UTC is in the future "
            f"(now {now:%Y-%m-%d %H:%M} UTC)"
        )
    eta = naive(eta_at)
    _check_eta(eta, started=started, now=now)
    checked = _checkscopes_of(scopes)
    baseline = team_baseline_hours(engine, owner_team, before=now)
    with engine.begin() as conn:
        incident_id = conn.execute(
            insert(Incident)
            .values(
                title=title,
                owner_team=owner_team,
                status="open",
                started_at=started,
                detected_at=naive(detected_at),
                detection_key=detection_key,
                message_ru=message_ru.strip(),
                message_en=message_en.strip(),
                eta_at=eta,
                first_eta_at=eta,
                promised_hours=(eta - started).total_seconds() / 3600 if eta else None,
                baseline_hours=baseline if eta else None,
                eta_moves=0,
                created_by=actor,
                created_at=now,
            )
            .returning(Incident.id)
        ).scalar_one()
        if eta is not None:
            conn.execute(
                insert(IncidentEta).values(
                    incident_id=incident_id, eta_at=eta, set_at=now, set_by=actor, note="first"
                )
            )
        if checked:
            conn.execute(
                insert(IncidentScope),
                [{"incident_id": incident_id, "field": f, "value": v} for f, v in checked],
            )
    link_items(engine, incident_id, at=now)
    found = get_incident(engine, incident_id)
    if on_event is not None:
        on_event("opened", found)
    return found


def _open_row(engine: Engine, incident_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == incident_id)).first()
    if row is None:
        raise NotFoundError(f"no incident {incident_id}")
    return row


def move_eta(
    engine: Engine,
    incident_id: int,
    eta_at: datetime,
    *,
    actor: str,
    note: str | None = None,
    at: datetime | None = None,
    on_event: EventHook | None = None,
) -> dict[str, Any]:
    """Give a new ETA (the first, or a move), kept with who and when."""
    incident = _open_row(engine, incident_id)
    if incident.status != "open":
        raise ConfigError(f"incident {incident_id} is resolved; its ETA cannot change")
    now = naive(at) or utc_now()
    eta = naive(eta_at)
    assert eta is not None
    _check_eta(eta, started=incident.started_at, now=now)
    values: dict[str, Any] = {"eta_at": eta}
    if incident.first_eta_at is None:
        values.update(
            first_eta_at=eta,
            promised_hours=(eta - incident.started_at).total_seconds() / 3600,
            baseline_hours=team_baseline_hours(engine, incident.owner_team, before=now),
        )
    else:
        values["eta_moves"] = Incident.eta_moves + 1
    with engine.begin() as conn:
        conn.execute(sql_update(Incident).where(Incident.id == incident_id).values(**values))
        conn.execute(
            insert(IncidentEta).values(
                incident_id=incident_id, eta_at=eta, set_at=now, set_by=actor, note=note
            )
        )
    found = get_incident(engine, incident_id)
    if on_event is not None:
        on_event("eta_changed", found)
    return found


def resolve_incident(
    engine: Engine,
    incident_id: int,
    *,
    actor: str,
    resolution: str,
    resolved_at: datetime | None = None,
    on_event: EventHook | None = None,
) -> dict[str, Any]:
    """Close the incident at ``resolved_at`` (default now) with what was done."""
    incident = _open_row(engine, incident_id)
    if incident.status != "open":
        raise ConfigError(f"incident {incident_id} is already resolved")
    when = naive(resolved_at) or utc_now()
    _not_future(when, "the resolution time")
    if when < incident.started_at:
        raise ConfigError("an incident cannot be resolved before it started")
    link_items(engine, incident_id, at=when)
    with engine.begin() as conn:
        conn.execute(
            sql_update(Incident)
            .where(Incident.id == incident_id)
            .values(status="resolved", resolved_at=when, resolution=resolution.strip() or None)
        )
    found = get_incident(engine, incident_id)
    found["resolved_by"] = actor
    if on_event is not None:
        on_event("resolved", found)
    return found


def _public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "owner_team": row.owner_team,
        "status": row.status,
        "started_at": row.started_at,
        "detected_at": row.detected_at,
        "detection_key": row.detection_key,
        "message_ru": row.message_ru,
        "message_en": row.message_en,
        "eta_at": row.eta_at,
        "first_eta_at": row.first_eta_at,
        "eta_moves": row.eta_moves,
        "promised_hours": row.promised_hours,
        "baseline_hours": row.baseline_hours,
        "resolved_at": row.resolved_at,
        "resolution": row.resolution,
        "created_by": row.created_by,
        "created_at": row.created_at,
    }


def get_incident(engine: Engine, incident_id: int, *, zone: str | None = None) -> dict[str, Any]:
    """One incident with its ETA history, scopes, linked items and their cases."""
    query = select(Incident).where(Incident.id == incident_id)
    if zone is not None:
        query = query.where(zone_condition(zone))
    with engine.connect() as conn:
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no incident {incident_id}")
        found = _public(row)
        found["scopes"] = [
            {"field": f, "value": v} for f, v in scopes_of(conn, [incident_id])[incident_id]
        ]
        found["etas"] = [
            {"eta_at": r.eta_at, "set_at": r.set_at, "set_by": r.set_by, "note": r.note}
            for r in conn.execute(
                select(IncidentEta)
                .where(IncidentEta.incident_id == incident_id)
                .order_by(IncidentEta.set_at, IncidentEta.id)
            )
        ]
        linked = select(IncidentItem.item_id).where(IncidentItem.incident_id == incident_id)
        found["items"] = len(conn.execute(linked).all())
        found["cases"] = [
            {"id": c.id, "team": c.team, "status": c.status}
            for c in conn.execute(
                select(Case.id, Case.team, Case.status)
                .where(Case.item_id.in_(linked))
                .order_by(Case.id)
            )
        ]
    return found


def list_incidents(
    engine: Engine, *, status: str | None = None, team: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Incidents, newest first (``status`` open or resolved; ``team``: its zone)."""
    if status not in (None, "open", "resolved", "all"):
        raise ConfigError(f"unknown incident status {status!r}; use open, resolved or all")
    query = select(Incident).order_by(Incident.started_at.desc(), Incident.id.desc()).limit(limit)
    if status in ("open", "resolved"):
        query = query.where(Incident.status == status)
    if team is not None:
        query = query.where(zone_condition(team))
    with engine.connect() as conn:
        rows = list(conn.execute(query))
        scopes = scopes_of(conn, [r.id for r in rows])
        counts = {
            incident_id: count
            for incident_id, count in conn.execute(
                select(IncidentItem.incident_id, func.count())
                .where(IncidentItem.incident_id.in_([r.id for r in rows]))
                .group_by(IncidentItem.incident_id)
            )
        }
    result = []
    for row in rows:
        item = _public(row)
        item["scopes"] = [{"field": f, "value": v} for f, v in scopes[row.id]]
        item["items"] = int(counts.get(row.id, 0))
        result.append(item)
    return result
