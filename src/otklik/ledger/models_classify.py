"""Tables of classification and routing: labels per item, teams, cases and their audit trail.

An item has at most one machine classification (rules, model or LLM; replaced when it is
reclassified) and at most one human one (from ``otklik label import``; never touched by the
machine). Field by field the human label wins: the ``current_classifications`` view (migration
0002) and :func:`otklik.classify.store.current_labels` both give that merge.
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["CURRENT_VIEW", "Case", "CaseEvent", "Classification", "Team"]

CURRENT_VIEW = "current_classifications"


class Classification(Base):
    """What an item is: type, topics, sentiment, language; by whom (method) and how sure."""

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("item_id", "origin", name="uq_classifications_item_id_origin"),
        Index("ix_classifications_origin_confidence", "origin", "confidence"),
        CheckConstraint("origin IN ('machine', 'human')", name="origin"),
        CheckConstraint("method IN ('rules', 'model', 'llm', 'human')", name="method"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(10))
    type: Mapped[str | None] = mapped_column(String(30))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    topics: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    tags: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    language: Mapped[str | None] = mapped_column(String(10))
    owner_team: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Float)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    model_version: Mapped[str | None] = mapped_column(String(100))
    labelled_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Team(Base):
    """A responsibility zone; mirrored from the teams YAML so SQL reports can join it."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    sla_hours: Mapped[float] = mapped_column(Float)
    first_response_hours: Mapped[float | None] = mapped_column(Float)
    escalate_to: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Case(Base):
    """An actionable item in a team's queue, with an SLA due date."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_team_status", "team", "status"),
        Index("ix_cases_status_due_at", "status", "due_at"),
        CheckConstraint("status IN ('open', 'in_progress', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), unique=True
    )
    team: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    due_at: Mapped[datetime] = mapped_column(DateTime)
    first_response_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    assignee: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class CaseEvent(Base):
    """One change to a case (opened, assigned, status changed), by whom and when."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
