"""Tables that let several processes behave like one: shared rate limits, shared counters, and
the failures of background work.

* ``rate_buckets``: one token bucket per key (a client address, a survey link), updated by one
  atomic ``INSERT … ON CONFLICT DO UPDATE`` so every web worker draws from the same bucket;
* ``store_counters``: named counters (``data_version``: bumped by every write the web app makes,
  so each worker's caches drop what another worker made stale);
* ``job_failures``: why a background step failed (the error of its last attempt), for the
  dead-letter list ``otklik jobs list --failed``; on PostgreSQL keyed by the queue's job id,
  on SQLite (steps run in the writing process) the only record of the job.

The queue itself (PostgreSQL) is procrastinate's tables, created by migration 0018.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["JobFailure", "RateBucket", "StoreCounter"]


class RateBucket(Base):
    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch of the last update
    admitted: Mapped[bool] = mapped_column(Boolean)  # whether the last request was let in


class StoreCounter(Base):
    __tablename__ = "store_counters"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class JobFailure(Base):
    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)  # the queue's job
    task: Mapped[str] = mapped_column(String(128))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime)
    final: Mapped[bool] = mapped_column(Boolean)  # no attempt left: in the dead-letter list
    retried_as: Mapped[int | None] = mapped_column(BigInteger)  # the job that retried it
