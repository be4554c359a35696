"""Conduct (docs/conduct.md): abuse flags on items, policy steps as audited events, risk flags on
customers and addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["ConductEvent", "ConductFlag", "ConductRisk", "ConductScan"]


class ConductFlag(Base):
    """One abusive span the detector found in an item's text (the span itself is kept unmasked
    here for supervisors; exports mask it)."""

    __tablename__ = "conduct_flags"
    __table_args__ = (
        UniqueConstraint("item_id", "rule", "start", name="uq_conduct_flags_item_rule_start"),
        CheckConstraint(
            "category IN ('obscenity', 'insult', 'threat', 'harassment')", name="category"
        ),
        Index("ix_conduct_flags_detected_at", "detected_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(100))
    evidence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(DateTime)


class ConductEvent(Base):
    """One policy step or review on an item: who, when, the evidence item, the recording link.

    ``step``: warning, end, block (with ``expires_at``), review (an item sent to supervisors),
    confirm, reverse (``reverses`` the event it undoes), appeal (``case_id`` of the appeal case),
    report (an operator marks a contact as abusive without a step)."""

    __tablename__ = "conduct_events"
    __table_args__ = (
        CheckConstraint(
            "step IN ('warning', 'end', 'block', 'review', 'confirm', 'reverse', 'appeal', "
            "'report')",
            name="step",
        ),
        Index("ix_conduct_events_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[str | None] = mapped_column(String(200))
    step: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))
    recording_url: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    reverses: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer)


class ConductRisk(Base):
    """A risk flag on a customer or an address, set by the policy or by hand, with expiry."""

    __tablename__ = "conduct_risks"
    __table_args__ = (
        CheckConstraint("kind IN ('customer', 'address')", name="kind"),
        Index("ix_conduct_risks_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime)


class ConductScan(Base):
    """One run of the detector: up to which item it looked, how many it flagged."""

    __tablename__ = "conduct_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    last_item_id: Mapped[int] = mapped_column(Integer)
    scanned: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[int] = mapped_column(Integer)
