"""Recording LLM runs in the store: what was asked, what it cost, what failed and why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from otklik.ledger import LlmFailure, LlmRun
from otklik.llm.client import Usage

__all__ = ["recent_runs", "record_run", "run_failures"]


def record_run(
    engine: Engine,
    *,
    task: str,
    model: str,
    prompt_versions: Iterable[str],
    usage: Usage,
    started_at: datetime,
    seconds: float,
    failures: Sequence[tuple[int | None, str]] = (),
    actor: str | None = None,
) -> int:
    """Store one run and its failures; returns the run's id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        run_id = int(
            conn.execute(
                insert(LlmRun)
                .values(
                    task=task,
                    model=model[:200],
                    prompt_versions=",".join(sorted(set(prompt_versions)))[:400],
                    started_at=started_at.astimezone(UTC).replace(tzinfo=None),
                    seconds=round(seconds, 3),
                    asked=usage.asked,
                    requests=usage.requests,
                    cached=usage.cached,
                    failed=usage.failed,
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    cost=round(usage.cost, 6),
                    actor=actor,
                )
                .returning(LlmRun.id)
            ).scalar_one()
        )
        if failures:
            conn.execute(
                insert(LlmFailure),
                [
                    {"run_id": run_id, "item_id": item, "reason": reason[:2000], "created_at": now}
                    for item, reason in failures
                ],
            )
    return run_id


def recent_runs(engine: Engine, *, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first, as dicts of the ``llm_runs`` columns."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(*LlmRun.__table__.columns).order_by(LlmRun.id.desc()).limit(limit)
        )
        return [dict(row._mapping) for row in rows]


def run_failures(engine: Engine, run_id: int) -> list[tuple[int | None, str]]:
    """(item id, reason) of a run's failures, in the order they were recorded."""
    with engine.connect() as conn:
        return [
            (row[0], row[1])
            for row in conn.execute(
                select(LlmFailure.item_id, LlmFailure.reason)
                .where(LlmFailure.run_id == run_id)
                .order_by(LlmFailure.id)
            )
        ]
