"""Tables of experiments: definitions, the exposure log, events and imported observations.

An experiment's definition (variants and weights, metrics, MDE, stopping rule) is stored as
JSON validated by :class:`otklik.experiments.ExperimentDef`; the row adds its lifecycle
(status, rollout stage, winner). Every time a customer is shown a variant an exposure is
logged; analysis counts a customer once, in the variant of their first exposure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["Experiment", "ExperimentEvent", "ExperimentObservation", "Exposure"]


class Experiment(Base):
    """One experiment: its definition and where it stands."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(20))  # draft|running|stopped|rollout|halted|done
    rollout_stage: Mapped[int | None] = mapped_column(Integer)  # percent on the winner
    winner: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime)


class Exposure(Base):
    """A customer shown a variant (by the API, an invitation or a widget load)."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (
        Index("ix_experiment_exposures_key_customer", "experiment", "customer_id"),
        Index("ix_experiment_exposures_invitation_id", "invitation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[str] = mapped_column(String(200))
    variant: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))  # api|cli|invitation|widget|store-prompt
    invitation_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)


class ExperimentEvent(Base):
    """Something that happened to an experiment: started, stage, halted, notified…"""

    __tablename__ = "experiment_events"
    __table_args__ = (Index("ix_experiment_events_experiment_at", "experiment", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)


class ExperimentObservation(Base):
    """An outcome imported from outside the ledger (an app-store rating by day and variant)."""

    __tablename__ = "experiment_observations"
    __table_args__ = (Index("ix_experiment_observations_experiment", "experiment", "metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(50))
    variant: Mapped[str] = mapped_column(String(100))
    day: Mapped[datetime] = mapped_column(DateTime)
    value: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
