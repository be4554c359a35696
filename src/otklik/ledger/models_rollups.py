"""Tables that keep metric rollups in the store, so every process answers from them.

* ``metric_rollups``: one row per rollup cube (a reporting zone, dimensions and metric
  definitions, hashed into ``key``): the cube itself as an Arrow IPC stream (per local day ×
  kind × dimensions, every additive metric's n and sums), the highest item id and the number
  of items it covers, and the versions of ``metric_rollup_changes`` it has absorbed. Written
  by :mod:`otklik.metrics.rollups` (whoever refreshes a cube stores it for everyone else).
* ``metric_rollup_changes``: per UTC day, a version bumped by database triggers whenever an
  item of that day is updated in a field a metric can read, or deleted (migration 0020).
  Inserts are not logged (the cube finds them by ``max(id)`` and the number of items), so
  imports pay nothing here; a cube recomputes only the days whose version moved.
* ``metric_rollup_counts`` (PostgreSQL only, no model: migration 0022 owns it): the number of
  items, kept by statement triggers as one row per writing backend, whose sum is
  ``count(*)`` without reading the table.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["ROLLUP_COUNTS_TABLE", "ROLLUP_TRACKED_COLUMNS", "MetricRollup", "MetricRollupChange"]

ROLLUP_COUNTS_TABLE = "metric_rollup_counts"
"""PostgreSQL: per writing backend (``slot``, its pid; 0 for the folded base) the items it
inserted less those it deleted (``items``); the sum over the rows is the number of items."""

ROLLUP_TRACKED_COLUMNS: tuple[str, ...] = (
    "source",
    "kind",
    "channel",
    "occurred_at",
    "customer_id",
    "score",
    "scale",
    "language",
    "product",
    "region",
    "team",
    "agent",
    "owner_team",
    "touchpoint",
    "handle_time_s",
    "wait_time_s",
    "transfers",
    "resolved",
    "ended_by",
    "revenue",
)
"""Item fields whose update marks the item's day for the rollups (every field a metric,
segment or filter reads; not the text, attributes or import bookkeeping)."""


class MetricRollup(Base):
    __tablename__ = "metric_rollups"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    zone: Mapped[str] = mapped_column(String(64))
    dimensions: Mapped[str] = mapped_column(String(500))  # comma-separated
    top_id: Mapped[int] = mapped_column(BigInteger)  # items with id ≤ top_id are in the cube
    items: Mapped[int] = mapped_column(BigInteger)  # how many items the cube counts
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"YYYY-MM-DD": change version}
    built_at: Mapped[datetime] = mapped_column(DateTime)
    cube: Mapped[bytes] = mapped_column(LargeBinary)  # Arrow IPC stream (zstd)


class MetricRollupChange(Base):
    __tablename__ = "metric_rollup_changes"

    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC date of occurred_at
    version: Mapped[int] = mapped_column(BigInteger)
