"""Incidents: what went wrong, for whom, what customers were promised and when it was fixed.

``incidents`` holds one row per incident with its first promise (``first_eta_at``) and the
team's historical time to fix at the moment it was promised (``baseline_hours``), so the
honest-ETA metrics read one table. Every ETA given, the first included, is an
``incident_etas`` row with who set it and when; ``incident_scopes`` lists the affected
topics and segments as (field, value) pairs; ``incident_items`` links feedback to it;
``notification_deliveries`` is the log of every notification attempt (webhook, e-mail,
Telegram) with its outcome.
"""

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

__all__ = ["Incident", "IncidentEta", "IncidentItem", "IncidentScope", "NotificationDelivery"]


class Incident(Base):
    """One incident: title, owner team, when it started and was resolved, what customers read."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        Index("ix_incidents_status_started_at", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_team: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    detected_at: Mapped[datetime | None] = mapped_column(DateTime)
    detection_key: Mapped[str | None] = mapped_column(String(300))
    message_ru: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    eta_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_eta_at: Mapped[datetime | None] = mapped_column(DateTime)
    promised_hours: Mapped[float | None] = mapped_column(Float)
    baseline_hours: Mapped[float | None] = mapped_column(Float)
    eta_moves: Mapped[int] = mapped_column(Integer, default=0)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class IncidentEta(Base):
    """One promise: the ETA given, by whom, when, and why it changed."""

    __tablename__ = "incident_etas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    eta_at: Mapped[datetime] = mapped_column(DateTime)
    set_at: Mapped[datetime] = mapped_column(DateTime)
    set_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class IncidentScope(Base):
    """An affected topic or segment: ``field`` (topic, type, channel, …) and its ``value``."""

    __tablename__ = "incident_scopes"
    __table_args__ = (
        UniqueConstraint("incident_id", "field", "value", name="uq_incident_scopes_incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(200))


class IncidentItem(Base):
    """A feedback item that arrived during the incident and matches it."""

    __tablename__ = "incident_items"
    __table_args__ = (
        UniqueConstraint("incident_id", "item_id", name="uq_incident_items_incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(DateTime)


class NotificationDelivery(Base):
    """One attempt to notify: channel, target, event, outcome (sent or failed with a reason)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('sent', 'failed')", name="status"),
        Index("ix_notification_deliveries_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    event: Mapped[str] = mapped_column(String(30))
    incident_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
