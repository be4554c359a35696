"""Replying from a case: compose in the customer's language, deliver, record, show.

Every attempt is a ``case_replies`` row (sent, or failed with the reason) and a case event
(``replied`` / ``reply_failed``), so the case history shows what the customer was told, or that
they were not. A delivery failure is returned, never raised: the caller shows it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select

from otklik.classify.pii import mask_pii
from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.ledger import Case, CaseEvent, CaseReply, Customer, FeedbackItem
from otklik.replies.compose import (
    Addressee,
    addressee_of,
    compose_reply,
    default_body,
    reply_language,
)
from otklik.replies.transport import DeliveryError, post_webhook, send_email
from otklik.routing import get_case

__all__ = ["REPLY_CHANNELS", "case_replies", "reply_draft", "send_reply"]

REPLY_CHANNELS = ("email", "webhook")
_HIDDEN = "•••"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _customer(engine: Engine, case_id: int) -> tuple[Any, Addressee]:
    query = (
        select(
            Case.id,
            Case.item_id,
            Case.status,
            FeedbackItem.customer_id,
            FeedbackItem.channel,
            FeedbackItem.language,
            FeedbackItem.attributes,
            Customer.attributes.label("customer_attributes"),
        )
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .outerjoin(Customer, Customer.customer_id == FeedbackItem.customer_id)
        .where(Case.id == case_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).one()
    return row, addressee_of(row.customer_attributes, row.attributes)


def _language(row: Any, addressee: Addressee, fallback: str) -> str:
    return reply_language(row.language, addressee.language, fallback=fallback)


def reply_draft(
    engine: Engine, settings: Settings, case_id: int, *, zone: str | None = None
) -> dict[str, Any]:
    """What the reply form shows: ``language``, ``channels`` configured, the masked
    ``recipient`` e-mail (or None), a ``preview`` of the greeting and closing with the
    customer's names hidden, and the template's ``body``. NotFoundError outside ``zone``."""
    get_case(engine, case_id, zone=zone)
    row, addressee = _customer(engine, case_id)
    language = _language(row, addressee, settings.default_locale)
    hidden = replace(
        addressee,
        first_name=addressee.first_name and _HIDDEN,
        patronymic=addressee.patronymic and _HIDDEN,
        last_name=addressee.last_name and _HIDDEN,
        name=addressee.name and _HIDDEN,
    )
    body = default_body(language)
    preview = compose_reply(
        language, hidden, body, case_id=case_id, signature=settings.reply_signature
    )
    channels = []
    if settings.smtp_host and settings.smtp_from:
        channels.append("email")
    if settings.reply_webhook_url and settings.reply_webhook_secret:
        channels.append("webhook")
    return {
        "language": language,
        "channels": channels,
        "recipient": mask_pii(addressee.email) if addressee.email else None,
        "preview": preview.text,
        "subject": preview.subject,
        "body": body,
    }


def send_reply(
    engine: Engine,
    settings: Settings,
    case_id: int,
    *,
    channel: str,
    body: str,
    actor: str,
    zone: str | None = None,
    language: str | None = None,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Compose and deliver a reply to the case's customer through ``channel`` (of
    :data:`REPLY_CHANNELS`), record it, and return the record (``status`` ``sent`` or
    ``failed`` with ``error``). ``language``: override the customer's. NotFoundError outside
    ``zone``; ConfigError for an unknown channel or an empty text (nothing recorded then)."""
    if channel not in REPLY_CHANNELS:
        raise ConfigError(f"unknown reply channel {channel!r}; use {', '.join(REPLY_CHANNELS)}")
    case = get_case(engine, case_id, zone=zone)
    row, addressee = _customer(engine, case_id)
    chosen = reply_language(language, fallback="") or _language(
        row, addressee, settings.default_locale
    )
    reply = compose_reply(
        chosen, addressee, body, case_id=case_id, signature=settings.reply_signature
    )
    at = now or _now()
    recipient = addressee.email if channel == "email" else row.customer_id
    error: str | None = None
    try:
        if channel == "email":
            if not addressee.email:
                raise DeliveryError("no e-mail address is known for this customer")
            send_email(settings, addressee.email, reply.subject, reply.text)
        else:
            payload = {
                "case_id": case_id,
                "item_id": row.item_id,
                "customer_id": row.customer_id,
                "channel": row.channel,
                "language": reply.language,
                "subject": reply.subject,
                "text": reply.text,
                "sent_at": at.replace(tzinfo=UTC).isoformat(),
            }
            post_webhook(settings, payload, client=client)
    except DeliveryError as exc:
        error = str(exc)
    status = "sent" if error is None else "failed"
    record = {
        "case_id": case_id,
        "at": at,
        "actor": actor,
        "channel": channel,
        "recipient": recipient,
        "language": reply.language,
        "subject": reply.subject,
        "body": reply.text,
        "status": status,
        "error": error,
    }
    with engine.begin() as conn:
        conn.execute(insert(CaseReply).values(**record))
        conn.execute(
            insert(CaseEvent).values(
                case_id=case_id,
                at=at,
                actor=actor,
                action="replied" if error is None else "reply_failed",
                from_status=case["status"],
                to_status=case["status"],
                note=f"{channel}: {reply.subject}" if error is None else f"{channel}: {error}",
            )
        )
    return _shown(record, addressee)


def _hide_names(text: str, addressee: Addressee) -> str:
    """The customer's names in a stored reply shown as •••, like the draft's preview."""
    for name in (addressee.first_name, addressee.patronymic, addressee.last_name, addressee.name):
        if name and len(name) > 1:
            text = text.replace(name, _HIDDEN)
    return text


def _shown(record: dict[str, Any], addressee: Addressee) -> dict[str, Any]:
    shown = dict(record)
    shown["recipient"] = mask_pii(record["recipient"]) if record["recipient"] else None
    shown["body"] = _hide_names(mask_pii(record["body"]), addressee)
    return shown


def case_replies(engine: Engine, case_id: int) -> list[dict[str, Any]]:
    """The case's replies, oldest first, with personal data masked as everywhere in the web
    (recipient, phones and e-mails in the text) and the customer's names shown as •••."""
    _, addressee = _customer(engine, case_id)
    columns = [c for c in CaseReply.__table__.columns if c.name != "case_id"]
    query = (
        select(*columns, CaseReply.case_id)
        .where(CaseReply.case_id == case_id)
        .order_by(CaseReply.at, CaseReply.id)
    )
    with engine.connect() as conn:
        return [_shown(dict(row._mapping), addressee) for row in conn.execute(query)]
