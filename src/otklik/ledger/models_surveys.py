"""Tables of survey collection: surveys, their invitations and the contact-policy log.

An invitation is one signed, single-use link for one customer. Its segment fields (survey,
type, channel, mechanic) are fixed when it is sent, so that ``response_rate`` compares
mechanics on what was sent, not on who answered. ``answered_at`` is set once, in the same
transaction that writes the answer's ledger item (``item_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["Invitation", "PolicyEvent", "Survey"]


class Survey(Base):
    """A survey: its type (nps, csat, ces, enps, exit), texts per language and exit reasons."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("type IN ('nps', 'csat', 'ces', 'enps', 'exit')", name="type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    texts: Mapped[dict[str, Any]] = mapped_column(JSON(none_as_null=True))
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Invitation(Base):
    """One signed link sent to one customer; answered at most once."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_customer_id_sent_at", "customer_id", "sent_at"),
        Index("ix_invitations_survey_id_sent_at", "survey_id", "sent_at"),
        Index("ix_invitations_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    # The survey's name and type, copied so metrics read one table on any engine.
    survey: Mapped[str] = mapped_column(String(200))
    survey_type: Mapped[str] = mapped_column(String(10))
    customer_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(50))
    mechanic: Mapped[str] = mapped_column(String(20))
    transaction_id: Mapped[str | None] = mapped_column(String(200))
    operation_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer_mode: Mapped[str | None] = mapped_column(String(20))
    seconds_to_answer: Mapped[float | None] = mapped_column(Float)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="SET NULL"), unique=True
    )


class PolicyEvent(Base):
    """An invitation the contact policy refused, or one sent past it with ``--force``."""

    __tablename__ = "policy_events"
    __table_args__ = (
        CheckConstraint("decision IN ('refused', 'forced')", name="decision"),
        Index("ix_policy_events_customer_id_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    customer_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE")
    )
