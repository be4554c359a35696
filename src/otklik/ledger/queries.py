"""Reading the ledger's bookkeeping: quarantine rows, import runs, counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select

from otklik.ledger.models import FeedbackItem, ImportRun, QuarantineRow

__all__ = ["count_items", "get_run", "list_quarantine", "list_runs", "stored_external_ids"]


def list_quarantine(engine: Engine, *, run_id: int | None = None) -> list[dict[str, Any]]:
    """Quarantined rows, oldest run first, in file order."""
    query = select(QuarantineRow).order_by(QuarantineRow.run_id, QuarantineRow.line)
    if run_id is not None:
        query = query.where(QuarantineRow.run_id == run_id)
    with engine.connect() as conn:
        return [
            {
                "run_id": row.run_id,
                "file": row.file,
                "line": row.line,
                "field": row.field,
                "reason": row.reason,
                "raw": row.raw,
            }
            for row in conn.execute(query.with_only_columns(*QuarantineRow.__table__.columns))
        ]


def get_run(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(ImportRun.__table__).where(ImportRun.id == run_id)).mappings()
        found = row.first()
        return dict(found) if found is not None else None


def list_runs(engine: Engine, *, limit: int = 50) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(ImportRun.__table__).order_by(ImportRun.id.desc()).limit(limit)
        return [dict(row) for row in conn.execute(query).mappings()]


def count_items(engine: Engine, **filters: str) -> int:
    query = select(func.count()).select_from(FeedbackItem)
    for name, value in filters.items():
        query = query.where(getattr(FeedbackItem, name) == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def stored_external_ids(engine: Engine, source: str, external_ids: Sequence[str]) -> set[str]:
    """Which of ``external_ids`` the ledger already holds for ``source`` (read only; the ids an
    import of them would count as duplicates)."""
    found: set[str] = set()
    ids = list(dict.fromkeys(external_ids))
    with engine.connect() as conn:
        for start in range(0, len(ids), 1000):
            query = select(FeedbackItem.external_id).where(
                FeedbackItem.source == source,
                FeedbackItem.external_id.in_(ids[start : start + 1000]),
            )
            found |= set(conn.execute(query).scalars())
    return found
