"""Incident records: open (by hand or from a detection), move the ETA, resolve, link items.

Every ETA given is kept (``incident_etas``: when, by whom, why); the incident row carries the
current one, the first one, how many times it moved, and the owner team's median time to fix
over its earlier incidents when it was opened (``baseline_hours``: what the honest-ETA
guardrail compares a promise with). Items that arrive while an incident is open and match one
of its scopes (a topic, the type, a channel, product, region or partner) are linked to it; the
item's ``incident`` attribute is set as well, so its case carries the incident (and the inbox
priority's incident points, :mod:`otklik.routing.priority`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, String, column, exists, func, insert, or_, select, table
from sqlalchemy import update as sql_update

from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import CURRENT_VIEW, Case, FeedbackItem
from otklik.ledger.models_incidents import Incident, IncidentEta, IncidentItem, IncidentScope

if TYPE_CHECKING:
    from otklik.incidents.detect import Detection

__all__ = [
    "SCOPE_FIELDS",
    "ActiveIncident",
    "EventHook",
    "active_incidents",
    "get_incident",
    "link_items",
    "link_open_incidents",
    "list_incidents",
    "mark_status",
    "move_eta",
    "open_incident",
    "resolve_incident",
    "team_baseline_hours",
]

SCOPE_FIELDS = ("topic", "type", "channel", "product", "region", "partner")
# Called after open, ETA change and resolve with (event, incident dict): notifications.
EventHook = Callable[[str, dict[str, Any]], None]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ActiveIncident:
    """An incident open at a moment: what operators and customers are told, and its scope."""

    id: int
    title: str
    owner_team: str | None
    started_at: datetime
    eta_at: datetime | None
    eta_moves: int
    message_ru: str
    message_en: str
    scopes: tuple[tuple[str, str], ...]

    def message(self, language: str) -> str:
        return self.message_ru if language == "ru" else self.message_en

    def eta_missed(self, at: datetime) -> bool:
        """The current ETA has passed and the incident is still open."""
        return self.eta_at is not None and self.eta_at < at

    def to_dict(self, at: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "owner_team": self.owner_team,
            "started_at": _iso(self.started_at),
            "eta_at": _iso(self.eta_at),
            "eta_missed": self.eta_missed(at),
            "eta_moves": self.eta_moves,
            "message": {"ru": self.message_ru, "en": self.message_en},
            "scopes": [{"field": f, "value": v} for f, v in self.scopes],
        }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _check_scopes(scopes: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
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
    return it as :func:`get_incident` does."""
    title = title.strip()
    if not title:
        raise ConfigError("an incident needs a title")
    if not message_ru.strip() or not message_en.strip():
        raise ConfigError("an incident needs a customer-facing message in Russian and English")
    now = _naive(at) or _now()
    started = _naive(started_at) or now
    eta = _naive(eta_at)
    if eta is not None and eta <= started:
        raise ConfigError("the ETA must be after the incident's start")
    checked = _check_scopes(scopes)
    baseline = team_baseline_hours(engine, owner_team, before=now)
    with engine.begin() as conn:
        incident_id = conn.execute(
            insert(Incident)
            .values(
                title=title,
                owner_team=owner_team,
                status="open",
                started_at=started,
                detected_at=_naive(detected_at),
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
    now = _naive(at) or _now()
    eta = _naive(eta_at)
    assert eta is not None
    if eta <= incident.started_at:
        raise ConfigError("the ETA must be after the incident's start")
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
    when = _naive(resolved_at) or _now()
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


def _scopes(conn: Any, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        select(IncidentScope.incident_id, IncidentScope.field, IncidentScope.value)
        .where(IncidentScope.incident_id.in_(ids))
        .order_by(IncidentScope.id)
    )
    for incident_id, field_name, value in rows:
        found[incident_id].append((field_name, value))
    return found


def _labels() -> Any:
    return table(CURRENT_VIEW, column("item_id"), column("type", String), column("topics", String))


def _matches(scopes: Sequence[tuple[str, str]]) -> Any:
    """An SQL condition: the item matches one of ``scopes``."""
    labels = _labels()
    item = FeedbackItem
    conditions = []
    for field_name, value in scopes:
        if field_name == "topic":
            # Topics are a JSON list: match the quoted value in its text on every engine.
            quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            conditions.append(
                exists().where(
                    labels.c.item_id == item.id,
                    labels.c.topics.cast(String).contains(quoted, autoescape=True),
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
    incident = _open_row(engine, incident_id)
    with engine.connect() as conn:
        scopes = _scopes(conn, [incident_id])[incident_id]
    if not scopes:
        return 0
    end = incident.resolved_at or _naive(at) or _now()
    already = select(IncidentItem.item_id).where(IncidentItem.incident_id == incident_id)
    query = select(FeedbackItem.id, FeedbackItem.attributes).where(
        FeedbackItem.occurred_at >= incident.started_at,
        FeedbackItem.occurred_at <= end,
        _matches(scopes),
        FeedbackItem.id.not_in(already),
    )
    now = _naive(at) or _now()
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


def _zone_condition(team: str) -> Any:
    linked_case = exists().where(
        IncidentItem.incident_id == Incident.id,
        Case.item_id == IncidentItem.item_id,
        Case.team == team,
    )
    return or_(Incident.owner_team == team, Incident.owner_team.is_(None), linked_case)


def active_incidents(
    engine: Engine, *, at: datetime | None = None, team: str | None = None
) -> list[ActiveIncident]:
    """Incidents open at ``at`` (default now): started by then and not resolved by then.

    ``team``: only those in the team's zone: owned by it, owned by nobody (company-wide), or
    with a linked item in one of its cases. Each carries its affected topics and segments as
    ``(field, value)`` pairs in ``scopes``.
    """
    moment = _naive(at) or _now()
    query = (
        select(Incident)
        .where(
            Incident.started_at <= moment,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at > moment),
        )
        .order_by(Incident.started_at.desc(), Incident.id.desc())
    )
    if team is not None:
        query = query.where(_zone_condition(team))
    with engine.connect() as conn:
        incidents = list(conn.execute(query))
        scopes = _scopes(conn, [i.id for i in incidents])
        # The ETA in force at ``moment``: the last one set by then.
        etas = _etas_at(conn, [i.id for i in incidents], moment)
    return [
        ActiveIncident(
            id=i.id,
            title=i.title,
            owner_team=i.owner_team,
            started_at=i.started_at,
            eta_at=etas.get(i.id),
            eta_moves=max(0, etas.get(-i.id, 0)),
            message_ru=i.message_ru,
            message_en=i.message_en,
            scopes=tuple(scopes[i.id]),
        )
        for i in incidents
    ]


def _etas_at(conn: Any, ids: Sequence[int], moment: datetime) -> dict[int, Any]:
    """``{id: eta in force at moment, -id: moves made by then}``."""
    found: dict[int, Any] = {}
    if not ids:
        return found
    rows = conn.execute(
        select(IncidentEta.incident_id, IncidentEta.eta_at)
        .where(IncidentEta.incident_id.in_(ids), IncidentEta.set_at <= moment)
        .order_by(IncidentEta.incident_id, IncidentEta.set_at, IncidentEta.id)
    )
    for incident_id, eta in rows:
        found[incident_id] = eta
        found[-incident_id] = found.get(-incident_id, -1) + 1
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
        query = query.where(_zone_condition(zone))
    with engine.connect() as conn:
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no incident {incident_id}")
        found = _public(row)
        found["scopes"] = [
            {"field": f, "value": v} for f, v in _scopes(conn, [incident_id])[incident_id]
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
        query = query.where(_zone_condition(team))
    with engine.connect() as conn:
        rows = list(conn.execute(query))
        scopes = _scopes(conn, [r.id for r in rows])
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


def mark_status(engine: Engine, detections: Sequence[Detection]) -> None:
    """Fill each detection's ``status``: ``open_incident`` or ``resolved_incident`` when an
    incident covers its segment at its time (or was opened from it), else ``ongoing`` (still
    alarming at the last bucket) or ``over``."""
    if not detections:
        return
    with engine.connect() as conn:
        incidents = list(conn.execute(select(Incident)))
        scopes = _scopes(conn, [i.id for i in incidents])
    for detection in detections:
        detection.status = "ongoing" if detection.ongoing else "over"
        for incident in incidents:
            covers = detection.key == incident.detection_key or (
                (detection.field, detection.value) in scopes[incident.id]
                and incident.started_at <= detection.ended_at
                and (incident.resolved_at is None or incident.resolved_at >= detection.started_at)
            )
            if covers:
                detection.incident_id = incident.id
                detection.status = f"{incident.status}_incident"
                break
