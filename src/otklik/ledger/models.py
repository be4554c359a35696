"""The ledger's tables (SQLAlchemy 2 declarative models).

Times are stored as naive UTC in every engine: one representation keeps metric periods identical
on SQLite, PostgreSQL and warehouse engines. Readers attach UTC when they hand values out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Customer", "FeedbackItem", "ImportRun", "QuarantineRow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ImportRun(Base):
    """One execution of `otklik import` (or of the demo loader)."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    detected: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class FeedbackItem(Base):
    """One piece of feedback from any channel: the canonical ledger record."""

    __tablename__ = "feedback_items"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_feedback_items_source_external_id"),
        Index("ix_feedback_items_kind_occurred_at", "kind", "occurred_at"),
        Index("ix_feedback_items_customer_occurred_at", "customer_id", "occurred_at"),
        # Period ranges, and volumes by channel without reading the table (the overview).
        Index("ix_feedback_items_occurred_at_channel", "occurred_at", "channel"),
        # A team's zone newest first: its search pages and counts read this index, not the
        # table (migration 0019_fts; docs/benchmarks.md).
        Index("ix_feedback_items_owner_team_occurred_at", "owner_team", "occurred_at"),
        # Covers NPS/CSAT/CES by period and channel without touching the table (0.2 s instead
        # of a full scan at 1M items; see docs/benchmarks.md).
        Index(
            "ix_feedback_items_scale_occurred_at_cover",
            "scale",
            "occurred_at",
            "kind",
            "channel",
            "score",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(50))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    customer_id: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    scale: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    product: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    agent: Mapped[str | None] = mapped_column(String(200))
    owner_team: Mapped[str | None] = mapped_column(String(200))
    # None: owner_team came from the import (explicit, never overwritten); "routing": derived
    # from the item's topics by otklik.routing, and updated when its labels change.
    owner_team_source: Mapped[str | None] = mapped_column(String(10))
    touchpoint: Mapped[str | None] = mapped_column(String(200))
    handle_time_s: Mapped[float | None] = mapped_column(Float)
    wait_time_s: Mapped[float | None] = mapped_column(Float)
    transfers: Mapped[int | None] = mapped_column(Integer)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    ended_by: Mapped[str | None] = mapped_column(String(20))
    revenue: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class Customer(Base):
    """A customer of the company, for churn: when they started, whether and when they left."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    churned_at: Mapped[datetime | None] = mapped_column(DateTime)
    revenue: Mapped[float | None] = mapped_column(Float)
    product: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))


class QuarantineRow(Base):
    """An input row that could not enter the ledger, with where it was and why."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    file: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


# The classification and routing tables live in their own module on the same metadata, so the
# migrations and the drift check see every table whoever imports Base.
from otklik.ledger import models_classify as _models_classify  # noqa: E402, F401
from otklik.ledger import models_incidents as _models_incidents  # noqa: E402, F401
from otklik.ledger import models_jobs as _models_jobs  # noqa: E402, F401
from otklik.ledger import models_replies as _models_replies  # noqa: E402, F401
from otklik.ledger import models_rollups as _models_rollups  # noqa: E402, F401
