"""Versions of the configuration documents edited in the browser (taxonomy, teams, KPIs,
surveys): each save is one row, so every change has an author, a time and a diff, and any
version can be restored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["ConfigVersion"]


class ConfigVersion(Base):
    """One saved version of a config document; ``kind`` names the document (``taxonomy``,
    ``teams``, ``kpis``, ``survey:<id>``) and ``version`` counts from 1 per kind."""

    __tablename__ = "config_versions"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_config_versions_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    comment: Mapped[str | None] = mapped_column(Text)
