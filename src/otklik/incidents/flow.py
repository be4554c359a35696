"""Incidents in the feedback flow: open one from a detection, answer its customers in bulk,
and the hook that runs after every import and survey answer when enabled."""

from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select

from otklik.config import Settings
from otklik.errors import NotFoundError
from otklik.incidents.detect import Detection, DetectionRules, detect
from otklik.incidents.links import link_open_incidents
from otklik.incidents.notify import Notifier, bad_rating_alerts
from otklik.incidents.records import SCOPE_FIELDS, EventHook, get_incident, open_incident
from otklik.ledger import Case
from otklik.ledger.models_incidents import IncidentItem
from otklik.replies import reply_draft, send_reply

__all__ = ["AnswerWatch", "after_import", "bulk_answer", "open_from_detection"]

log = logging.getLogger("otklik.incidents")


def open_from_detection(
    engine: Engine,
    key: str,
    *,
    actor: str,
    message_ru: str,
    message_en: str,
    eta_at: datetime | None = None,
    title: str | None = None,
    owner_team: str | None = None,
    since: datetime | None = None,
    at: datetime | None = None,
    timezone: str = "UTC",
    rules: DetectionRules | None = None,
    on_event: EventHook | None = None,
) -> dict[str, Any]:
    """Open an incident from the detection ``key`` (as listed by ``otklik incidents detect``):
    its segment becomes the scope, its onset the start, its alarm the detection time."""
    found: Detection | None = next(
        (
            d
            for d in detect(engine, since=since, until=at, rules=rules, timezone=timezone)
            if d.key == key
        ),
        None,
    )
    if found is None:
        raise NotFoundError(
            f"no detection {key!r} since {since or 'a week before the last item'}; "
            "list them with `otklik incidents detect`"
        )
    scopes = [(found.field, found.value)] if found.field in SCOPE_FIELDS else []
    return open_incident(
        engine,
        title=title or f"Spike: {found.segment}",
        message_ru=message_ru,
        message_en=message_en,
        actor=actor,
        started_at=found.started_at,
        eta_at=eta_at,
        owner_team=owner_team,
        scopes=scopes,
        detection_key=found.key,
        detected_at=found.detected_at,
        at=at,
        on_event=on_event,
    )


def bulk_answer(
    engine: Engine,
    settings: Settings,
    incident_id: int,
    *,
    actor: str,
    channel: str,
    zone: str | None = None,
    client: httpx.Client | None = None,
) -> dict[str, int]:
    """Reply to the customer of every open case linked to the incident with its message in
    the customer's language; ``{"sent", "failed"}`` (each attempt is in the case's history)."""
    incident = get_incident(engine, incident_id, zone=zone)
    linked = select(IncidentItem.item_id).where(IncidentItem.incident_id == incident_id)
    query = select(Case.id).where(Case.item_id.in_(linked), Case.status != "closed")
    if zone is not None:
        query = query.where(Case.team == zone)
    with engine.connect() as conn:
        case_ids = list(conn.execute(query.order_by(Case.id)).scalars())
    tally = {"sent": 0, "failed": 0}
    for case_id in case_ids:
        language = reply_draft(engine, settings, case_id)["language"]
        body = incident["message_ru"] if language == "ru" else incident["message_en"]
        done = send_reply(
            engine, settings, case_id, channel=channel, body=body, actor=actor, client=client
        )
        tally["sent" if done["status"] == "sent" else "failed"] += 1
    return tally


def after_import(
    engine: Engine,
    settings: Settings,
    *,
    since: datetime | None = None,
    client: httpx.Client | None = None,
    detect_spikes: bool | None = None,
) -> dict[str, Any]:
    """What runs after an import or survey answers: new items matching an open incident are
    linked to it (always); with ``OTKLIK_INCIDENTS_DETECT_ON_IMPORT`` (or ``detect_spikes``,
    as the scheduled job does) also detection over the last week and bad-rating alerts.
    Returns ``{"detections", "linked", "alerts"}``."""
    linked = link_open_incidents(engine)
    if not (settings.incidents_detect_on_import if detect_spikes is None else detect_spikes):
        return {"detections": [], "linked": linked, "alerts": []}
    found = detect(engine, since=since, timezone=settings.timezone)
    notifier = Notifier(engine, settings, client=client)
    alerts: list[int] = []
    if notifier.channels():
        window = since or datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
        alerts = bad_rating_alerts(engine, notifier, since=window)
    return {"detections": [d.to_dict() for d in found], "linked": linked, "alerts": alerts}


class AnswerWatch:
    """:func:`after_import` after data arrives in the web app (imports, survey answer batches,
    relabels): at most once every ``every_s`` seconds, in a background thread (``background``
    False: in the caller's), never two at once; a failure is logged, not raised."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        every_s: float = 60.0,
        background: bool = True,
    ) -> None:
        self.engine, self.settings, self.every_s = engine, settings, every_s
        self.background = background
        self.last: dict[str, Any] | None = None
        self._at = -math.inf
        self._busy = threading.Lock()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._at < self.every_s or not self._busy.acquire(blocking=False):
            return
        self._at = now
        if self.background:
            threading.Thread(target=self._run, name="otklik-incidents", daemon=True).start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            self.last = after_import(self.engine, self.settings)
        except Exception:
            log.exception("incident detection after new data failed")
        finally:
            self._busy.release()
