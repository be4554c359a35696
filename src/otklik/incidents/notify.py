"""Notifications: incident opened / ETA changed / resolved, and bad ratings from valuable
customers, to a signed webhook, by e-mail (SMTP) and to a Telegram chat (Bot API).

The webhook is a POST of a JSON body with ``X-Otklik-Timestamp: <unix seconds>`` and
``X-Otklik-Signature: sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<body bytes>`` under
``OTKLIK_INCIDENT_WEBHOOK_SECRET`` (a receiver refuses a timestamp older than a few minutes, so
a captured request cannot be replayed). A network error, a 429 or a 5xx is retried up to
``OTKLIK_NOTIFY_ATTEMPTS`` times, waiting 1, 2, 4 … × ``OTKLIK_NOTIFY_BACKOFF_S``; every attempt
is a ``notification_deliveries`` row (sent, or failed with the reason). Telegram messages go to
``<OTKLIK_TELEGRAM_API_URL>/bot<token>/sendMessage``; e-mail through the replies' SMTP sender.
Network clients are injected (``client``); nothing here raises on a failed delivery.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Engine, and_, insert, or_, select

from otklik.classify import mask_pii
from otklik.config import Settings
from otklik.errors import DeliveryError
from otklik.ledger import Customer, FeedbackItem
from otklik.ledger.models_incidents import NotificationDelivery
from otklik.replies import send_email, sign_body

__all__ = [
    "EVENTS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Notifier",
    "bad_rating_alerts",
    "deliveries",
    "event_text",
    "sign",
]

SIGNATURE_HEADER = "X-Otklik-Signature"
TIMESTAMP_HEADER = "X-Otklik-Timestamp"
EVENTS = ("opened", "eta_changed", "resolved", "bad_rating")
_RETRY = frozenset({408, 425, 429, 500, 502, 503, 504})
_TEXT = {
    "opened": ("Инцидент #{id} открыт", "Incident #{id} opened"),
    "eta_changed": ("Инцидент #{id}: новый срок", "Incident #{id}: ETA changed"),
    "resolved": ("Инцидент #{id} решён", "Incident #{id} resolved"),
}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of ``<timestamp>.<body>`` under ``secret``."""
    return sign_body(secret, timestamp.encode("ascii") + b"." + body)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else "—"


def event_text(event: str, payload: dict[str, Any]) -> tuple[str, str]:
    """(subject, text) of a notification, Russian then English in one message."""
    if event == "bad_rating":
        subject = f"Низкая оценка ценного клиента / Bad rating from a key customer #{payload['id']}"
        text = (
            f"{payload.get('scale')} {payload.get('score')} · {payload.get('channel') or '—'} · "
            f"revenue {payload.get('revenue')}\n{payload.get('text') or ''}"
        )
        return subject, text.strip()
    ru, en = _TEXT[event]
    subject = f"{ru.format(**payload)} / {en.format(**payload)}: {payload.get('title', '')}"
    lines = [
        f"Срок / ETA: {_when(payload.get('eta_at'))}"
        + (f" (перенесён {payload['eta_moves']} раз / moved)" if payload.get("eta_moves") else ""),
        f"RU: {payload.get('message_ru', '')}",
        f"EN: {payload.get('message_en', '')}",
    ]
    if event == "resolved":
        lines.insert(0, f"Решён / resolved: {_when(payload.get('resolved_at'))}")
    return subject, "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass
class Notifier:
    """Sends an event to every configured channel and logs each attempt.

    Use it as the ``on_event`` hook of :func:`otklik.incidents.open_incident` and friends.
    """

    engine: Engine
    settings: Settings
    client: httpx.Client | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    sent: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, event: str, payload: dict[str, Any]) -> None:
        self.notify(event, payload)

    def channels(self) -> list[str]:
        s = self.settings
        found = []
        if s.incident_webhook_url and s.incident_webhook_secret:
            found.append("webhook")
        if s.incident_email_to and s.smtp_host and s.smtp_from:
            found.append("email")
        if s.telegram_bot_token and s.telegram_chat_id:
            found.append("telegram")
        return found

    def notify(self, event: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver ``event`` everywhere configured; returns the logged attempts."""
        subject, text = event_text(event, payload)
        incident_id = payload.get("id") if event != "bad_rating" else None
        item_id = payload.get("id") if event == "bad_rating" else None
        attempts: list[dict[str, Any]] = []
        owned = self.client is None
        client = self.client or httpx.Client(timeout=self.settings.smtp_timeout_s)
        try:
            for channel in self.channels():
                if channel == "webhook":
                    body = json.dumps(
                        {"event": event, "data": _jsonable(payload)},
                        ensure_ascii=False,
                        sort_keys=True,
                    ).encode("utf-8")
                    attempts += self._retrying(
                        event,
                        incident_id,
                        item_id,
                        "webhook",
                        str(self.settings.incident_webhook_url),
                        partial(self._webhook, client, body),
                    )
                elif channel == "telegram":
                    attempts += self._retrying(
                        event,
                        incident_id,
                        item_id,
                        "telegram",
                        f"chat {self.settings.telegram_chat_id}",
                        lambda: self._telegram(client, f"{subject}\n{text}"),
                    )
                else:
                    for to in self.settings.incident_email_to:
                        attempts += self._retrying(
                            event,
                            incident_id,
                            item_id,
                            "email",
                            to,
                            partial(self._email, to, subject, text),
                        )
        finally:
            if owned:
                client.close()
        self.sent.extend(attempts)
        return attempts

    def _retrying(
        self,
        event: str,
        incident_id: int | None,
        item_id: int | None,
        channel: str,
        target: str,
        send: Callable[[], int | None],
    ) -> list[dict[str, Any]]:
        logged: list[dict[str, Any]] = []
        tries = max(1, self.settings.notify_attempts)
        for attempt in range(1, tries + 1):
            status: int | None = None
            error: str | None = None
            retry = False
            try:
                status = send()
            except _Retryable as exc:
                error, status, retry = str(exc), exc.status, True
            except DeliveryError as exc:
                error = str(exc)
            row = {
                "at": _now(),
                "event": event,
                "incident_id": incident_id,
                "item_id": item_id,
                "channel": channel,
                "target": target[:500],
                "attempt": attempt,
                "status": "failed" if error else "sent",
                "http_status": status,
                "error": error,
            }
            with self.engine.begin() as conn:
                conn.execute(insert(NotificationDelivery).values(**row))
            logged.append(row)
            if not retry or attempt == tries:
                break
            self.sleep(self.settings.notify_backoff_s * 2 ** (attempt - 1))
        return logged

    def _webhook(self, client: httpx.Client, body: bytes) -> int:
        secret = str(self.settings.incident_webhook_secret)
        stamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(secret, stamp, body),
        }
        return _post(client, str(self.settings.incident_webhook_url), content=body, headers=headers)

    def _telegram(self, client: httpx.Client, text: str) -> int:
        base = self.settings.telegram_api_url.rstrip("/")
        url = f"{base}/bot{self.settings.telegram_bot_token}/sendMessage"
        payload = {"chat_id": self.settings.telegram_chat_id, "text": text[:4096]}
        return _post(client, url, json=payload)

    def _email(self, to: str, subject: str, text: str) -> None:
        send_email(self.settings, to, subject, text)
        return None


class _Retryable(DeliveryError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _post(client: httpx.Client, url: str, **kwargs: Any) -> int:
    try:
        response = client.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise _Retryable(f"could not be reached: {type(exc).__name__}: {exc}") from exc
    code = response.status_code
    if code in _RETRY:
        raise _Retryable(f"answered HTTP {code}", code)
    if not 200 <= code < 300:
        raise DeliveryError(f"answered HTTP {code}")
    return code


def _low_condition() -> Any:
    return or_(
        and_(FeedbackItem.scale == "nps", FeedbackItem.score <= 6),
        and_(FeedbackItem.scale.in_(("csat5", "rating5")), FeedbackItem.score <= 2),
    )


def bad_rating_alerts(
    engine: Engine, notifier: Notifier, *, since: datetime, threshold: float | None = None
) -> list[int]:
    """Alert on every detractor (NPS 0–6) or CSAT ≤ 2 since ``since`` from a customer worth at
    least ``threshold`` (default ``OTKLIK_ALERT_HIGH_VALUE``; the item's revenue, else the
    customer's); an item already alerted is skipped. Returns the items alerted."""
    limit = notifier.settings.alert_high_value if threshold is None else threshold
    value = FeedbackItem.revenue
    alerted = select(NotificationDelivery.item_id).where(
        NotificationDelivery.event == "bad_rating",
        NotificationDelivery.status == "sent",
        NotificationDelivery.item_id.is_not(None),
    )
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.scale,
            FeedbackItem.score,
            FeedbackItem.channel,
            FeedbackItem.occurred_at,
            FeedbackItem.text,
            FeedbackItem.customer_id,
            value.label("item_revenue"),
            Customer.revenue.label("customer_revenue"),
        )
        .outerjoin(Customer, Customer.customer_id == FeedbackItem.customer_id)
        .where(
            FeedbackItem.occurred_at >= since,
            _low_condition(),
            or_(FeedbackItem.revenue >= limit, Customer.revenue >= limit),
            FeedbackItem.id.not_in(alerted),
        )
        .order_by(FeedbackItem.occurred_at)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    done = []
    for row in rows:
        revenue = row.item_revenue if row.item_revenue is not None else row.customer_revenue
        payload = {
            "id": row.id,
            "scale": row.scale,
            "score": row.score,
            "channel": row.channel,
            "occurred_at": row.occurred_at,
            "customer_id": row.customer_id,
            "revenue": revenue,
            "text": mask_pii(row.text) if row.text else None,
        }
        notifier.notify("bad_rating", payload)
        done.append(row.id)
    return done


def deliveries(engine: Engine, *, limit: int = 100) -> list[dict[str, Any]]:
    """The delivery log, newest first."""
    query = (
        select(NotificationDelivery)
        .order_by(NotificationDelivery.at.desc(), NotificationDelivery.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "at": r.at,
            "event": r.event,
            "incident_id": r.incident_id,
            "item_id": r.item_id,
            "channel": r.channel,
            "target": r.target,
            "attempt": r.attempt,
            "status": r.status,
            "http_status": r.http_status,
            "error": r.error,
        }
        for r in rows
    ]
