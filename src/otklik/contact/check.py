"""Checking one message against the policy in the store, atomically.

:func:`check_contact` opens one transaction, writes the customer's row in ``contact_locks``
first, reads the customer's messages, opt-outs and open cases, decides, and with ``record``
stores the message in the same transaction. The first write serialises checks of one customer
on both stores: PostgreSQL holds the upserted row's lock until commit (a second sender waits,
then reads the first one's message); SQLite takes its single write lock (the second sender
waits on the busy timeout). So two senders at the same moment cannot both pass one slot.

Earlier messages are the ``communications`` rows plus the survey ``invitations`` (as type
``survey_invitation``), so a survey sent by ``otklik survey invite`` counts against the caps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from otklik.contact.incidents import EVERYONE, OpenIncidentSegments, default_incident_source
from otklik.contact.policy import (
    CHANNELS,
    TYPES,
    ContactPolicy,
    Decision,
    Facts,
    Message,
    decide,
)
from otklik.errors import ConfigError
from otklik.ledger import (
    Case,
    Communication,
    ContactLock,
    ContactOptOut,
    Customer,
    FeedbackItem,
    Invitation,
    in_write_transaction,
)
from otklik.types import normalize_channel

__all__ = [
    "ContactError",
    "Request",
    "check_contact",
    "check_in",
    "customer_facts",
    "lock_customer",
    "now_utc",
]

_SEGMENT_COLUMNS = ("segment", "region", "product", "source")


class ContactError(ConfigError):
    """A message type, channel or customer id the contact policy cannot check."""


def now_utc() -> datetime:
    """The one clock of this package: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Request:
    """A message to check: customer, type and channel, validated."""

    customer_id: str
    type: str
    channel: str

    @classmethod
    def of(cls, customer_id: object, type_: object, channel: object) -> Request:
        customer = str(customer_id or "").strip()
        if not customer or len(customer) > 200:
            raise ContactError("a customer id of 1–200 characters is required")
        kind = str(type_ or "").strip().lower().replace("-", "_")
        if kind not in TYPES:
            raise ContactError(f"unknown message type {type_!r} (use {', '.join(TYPES)})")
        where = normalize_channel(str(channel or ""))
        if where not in CHANNELS:
            raise ContactError(f"unknown channel {channel!r} (use {', '.join(CHANNELS)})")
        return cls(customer, kind, where)


def lock_customer(conn: Connection, customer_id: str, now: datetime) -> None:
    """Write the customer's lock row; must be the first statement of the transaction."""
    dialect = conn.dialect.name
    values = {"customer_id": customer_id, "checked_at": now}
    if dialect == "postgresql":
        pg = postgresql.insert(ContactLock).values(**values)
        conn.execute(pg.on_conflict_do_update(index_elements=["customer_id"], set_=values))
    elif dialect == "sqlite":
        lite = sqlite.insert(ContactLock).values(**values)
        conn.execute(lite.on_conflict_do_update(index_elements=["customer_id"], set_=values))
    else:  # pragma: no cover - otklik's stores are SQLite and PostgreSQL
        raise ContactError(f"the contact lock is not implemented on {dialect}")


def _zone_of(attributes: Mapping[str, Any] | None, default: str) -> str:
    for key in ("tz", "timezone", "time_zone"):
        value = (attributes or {}).get(key)
        if isinstance(value, str) and value.strip():
            try:
                ZoneInfo(value.strip())
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return value.strip()
    return default


def _history(conn: Connection, customer_id: str, since: datetime) -> list[Message]:
    sent = conn.execute(
        select(Communication.type, Communication.channel, Communication.sent_at).where(
            Communication.customer_id == customer_id, Communication.sent_at > since
        )
    )
    messages = [Message(row.type, row.channel, row.sent_at) for row in sent]
    invited = conn.execute(
        select(Invitation.channel, Invitation.sent_at).where(
            Invitation.customer_id == customer_id, Invitation.sent_at > since
        )
    )
    messages += [Message("survey_invitation", row.channel or "web", row.sent_at) for row in invited]
    return messages


def customer_facts(
    conn: Connection,
    *,
    customer_id: str,
    now: datetime,
    policy: ContactPolicy,
    zone: str,
    incident_segments: list[tuple[str, str]],
) -> Facts:
    """Everything :func:`~otklik.contact.policy.decide` needs about one customer."""
    opt_outs = [
        (row.channel, row.type)
        for row in conn.execute(
            select(ContactOptOut.channel, ContactOptOut.type).where(
                ContactOptOut.customer_id == customer_id, ContactOptOut.at <= now
            )
        )
    ]
    open_case = conn.execute(
        select(Case.id)
        .join(FeedbackItem, FeedbackItem.id == Case.item_id)
        .where(
            FeedbackItem.customer_id == customer_id,
            Case.status.in_(("open", "in_progress")),
            Case.created_at <= now,
        )
        .limit(1)
    ).first()
    record = conn.execute(
        select(*(getattr(Customer, name) for name in _SEGMENT_COLUMNS), Customer.attributes).where(
            Customer.customer_id == customer_id
        )
    ).first()
    attributes: dict[str, Any] = dict(record.attributes or {}) if record is not None else {}
    fields: dict[str, str] = {
        key: str(value) for key, value in attributes.items() if isinstance(value, str | int)
    }
    if record is not None:
        for name in _SEGMENT_COLUMNS:
            value = getattr(record, name)
            if value is not None:
                fields[name] = str(value)
    incident = next(
        (
            "all customers" if (field, value) == EVERYONE else f"{field}={value}"
            for field, value in incident_segments
            if (field, value) == EVERYONE or fields.get(field) == value
        ),
        None,
    )
    return Facts(
        history=_history(conn, customer_id, now - policy.horizon),
        opt_outs=opt_outs,
        open_complaint=open_case is not None,
        open_incident=incident,
        zone=_zone_of(attributes, policy.timezone or zone),
    )


def check_in(
    conn: Connection,
    policy: ContactPolicy,
    request: Request,
    *,
    now: datetime,
    zone: str,
    incident_segments: list[tuple[str, str]],
    record: bool = False,
    source: str = "check",
) -> Decision:
    """Lock the customer, decide and (``record`` and allowed) store the message, in ``conn``'s
    transaction, which must not have run any statement yet."""
    lock_customer(conn, request.customer_id, now)
    facts = customer_facts(
        conn,
        customer_id=request.customer_id,
        now=now,
        policy=policy,
        zone=zone,
        incident_segments=incident_segments,
    )
    decision = decide(policy, type_=request.type, channel=request.channel, now=now, facts=facts)
    if record and decision.allowed:
        conn.execute(
            insert(Communication).values(
                customer_id=request.customer_id,
                channel=request.channel,
                type=request.type,
                sent_at=now,
                outcome=None,
                source=source,
            )
        )
    return decision


def check_contact(
    engine: Engine,
    policy: ContactPolicy,
    *,
    customer_id: str,
    type_: str,
    channel: str,
    now: datetime | None = None,
    record: bool = False,
    zone: str = "UTC",
    incidents: OpenIncidentSegments | None = None,
) -> Decision:
    """May a message of ``type_`` on ``channel`` go to ``customer_id`` now? With ``record``
    an allowed message is stored (the slot is taken) in the same transaction as the check."""
    request = Request.of(customer_id, type_, channel)
    at = now or now_utc()
    segments = (incidents or default_incident_source())(engine, at)
    return in_write_transaction(
        engine,
        lambda conn: check_in(
            conn,
            policy,
            request,
            now=at,
            zone=zone,
            incident_segments=segments,
            record=record,
        ),
    )
