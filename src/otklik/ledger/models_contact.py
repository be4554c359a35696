"""Tables of the contact policy: every outbound message, opt-outs and the per-customer lock row.

``communications`` holds one row per message a customer received, whatever the department
(survey invitation, service notice, marketing, incident update, reply), with its channel, time
and outcome, so that caps count across types and fatigue is measured on what was sent.
``contact_locks`` has one row per customer that a policy check writes first in its transaction:
on PostgreSQL the upsert holds a row lock, on SQLite the write takes the database's write lock,
so two senders at the same moment cannot both pass one slot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["Communication", "ContactLock", "ContactOptOut"]

COMMUNICATION_TYPES = ("survey_invitation", "service", "marketing", "incident_update", "reply")
OUTCOMES = ("delivered", "opened", "answered", "unsubscribed", "complained")


class Communication(Base):
    """One message sent to one customer: type, channel, when, and what came of it."""

    __tablename__ = "communications"
    __table_args__ = (
        CheckConstraint(
            "type IN ('survey_invitation', 'service', 'marketing', 'incident_update', 'reply')",
            name="type",
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('delivered', 'opened', 'answered', 'unsubscribed', 'complained')",
            name="outcome",
        ),
        Index("ix_communications_customer_id_sent_at", "customer_id", "sent_at"),
        Index("ix_communications_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(50))
    type: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))  # "check", "import:<file>", "record", "survey"
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )


class ContactOptOut(Base):
    """A customer's opt-out: of one channel, one type, or (both null) of everything."""

    __tablename__ = "contact_optouts"
    __table_args__ = (Index("ix_contact_optouts_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(50))
    type: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(200))


class ContactLock(Base):
    """One row per customer, written first by every policy check that may reserve a slot."""

    __tablename__ = "contact_locks"

    customer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
