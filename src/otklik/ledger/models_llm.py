"""Tables of the LLM layer: cached answers, runs (tokens, cost, time) and failures.

``llm_cache`` is keyed by the SHA-256 of (model, prompt version, the masked messages), so an
answer is reused only for the same content, the same prompt wording and the same model.
Only masked text is ever sent, so nothing here holds personal data the ledger does not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.ledger.models import Base

__all__ = ["LlmCacheEntry", "LlmFailure", "LlmRun"]


class LlmCacheEntry(Base):
    """One validated answer: the raw JSON content and the tokens it cost when first asked."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LlmRun(Base):
    """One run (a classify batch, a summary, a reply): what it asked and what it cost."""

    __tablename__ = "llm_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    prompt_versions: Mapped[str] = mapped_column(String(400))
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    seconds: Mapped[float] = mapped_column(Float)
    asked: Mapped[int] = mapped_column(Integer)  # answers wanted
    requests: Mapped[int] = mapped_column(Integer)  # HTTP requests sent, retries included
    cached: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    cost: Mapped[float] = mapped_column(Float)
    actor: Mapped[str | None] = mapped_column(String(200))


class LlmFailure(Base):
    """An answer that could not be had: the reason, and the item it was for (if any)."""

    __tablename__ = "llm_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("llm_runs.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
