"""Incidents: spikes detected the day they start, incident records with an owner and an honest
ETA, banners for operators, a status page for customers, promised-vs-actual scores, and
notifications (signed webhooks, e-mail, Telegram).

    >>> from otklik.incidents import detect, active_incidents
    >>> [d.to_dict() for d in detect(engine, since=datetime(2025, 6, 1))]  # doctest: +SKIP
    >>> active_incidents(engine, team="Mobile app")  # doctest: +SKIP

``docs/incidents.md`` explains the detection method, its false-alarm rate and how to tune it.
"""

from otklik.incidents.active import ActiveIncident, active_incidents
from otklik.incidents.detect import (
    DETECTION_FIELDS,
    GRANULARITIES,
    Detection,
    DetectionRules,
    detect,
    detect_events,
)
from otklik.incidents.events import load_events
from otklik.incidents.flow import AnswerWatch, after_import, bulk_answer, open_from_detection
from otklik.incidents.links import link_items, link_open_incidents
from otklik.incidents.notify import EVENTS, Notifier, bad_rating_alerts, deliveries, sign
from otklik.incidents.records import (
    SCOPE_FIELDS,
    get_incident,
    list_incidents,
    move_eta,
    open_incident,
    resolve_incident,
    team_baseline_hours,
)
from otklik.incidents.score import INFLATION_LIMIT, PERIODS, EtaScore, eta_scores
from otklik.incidents.status import STATUS_LANGUAGES, public_status
from otklik.incidents.tails import count_pvalues, share_pvalues

__all__ = [
    "DETECTION_FIELDS",
    "EVENTS",
    "GRANULARITIES",
    "INFLATION_LIMIT",
    "PERIODS",
    "SCOPE_FIELDS",
    "STATUS_LANGUAGES",
    "ActiveIncident",
    "AnswerWatch",
    "Detection",
    "DetectionRules",
    "EtaScore",
    "Notifier",
    "active_incidents",
    "after_import",
    "bad_rating_alerts",
    "bulk_answer",
    "count_pvalues",
    "deliveries",
    "detect",
    "detect_events",
    "eta_scores",
    "get_incident",
    "link_items",
    "link_open_incidents",
    "list_incidents",
    "load_events",
    "move_eta",
    "open_from_detection",
    "open_incident",
    "public_status",
    "resolve_incident",
    "share_pvalues",
    "sign",
    "team_baseline_hours",
]
