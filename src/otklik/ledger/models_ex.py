"""The staff list (employee experience): who works where, since when, and who left and why.

Imported from the HR system with ``otklik ex staff import``; one row per employee, keyed by
the HR system's id (re-imports update the row). Survey answers of employees are *not* linked
to these rows: they stay anonymous in ``feedback_items`` (see :mod:`otklik.ex`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["StaffMember"]


class StaffMember(Base):
    """One employee of the staff list: start and leave dates, role, department and team."""

    __tablename__ = "staff"
    __table_args__ = (Index("ix_staff_started_at_left_at", "started_at", "left_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(200), unique=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    role: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200))
    leave_reason: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
