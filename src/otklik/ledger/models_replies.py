"""Replies sent to customers from a case: what was sent, through which channel, and whether
it arrived at the channel (a failure is kept with its reason, never silently dropped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["CaseReply"]


class CaseReply(Base):
    """One reply to the customer of a case: channel (email, webhook), recipient, language, the
    text as sent, and its status (sent, failed with ``error``)."""

    __tablename__ = "case_replies"
    __table_args__ = (
        CheckConstraint("status IN ('sent', 'failed')", name="status"),
        CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
