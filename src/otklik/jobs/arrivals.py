"""Where an arrival goes: the queue (PostgreSQL), the steps right here (SQLite), or nowhere.

``OTKLIK_JOBS`` chooses: ``auto`` (default: the queue on PostgreSQL, in-process on SQLite),
``queue``, ``inline`` or ``off``. In-process, each step is tried ``OTKLIK_JOBS_ATTEMPTS``
times at once; a step that still fails is kept in ``job_failures`` (``otklik jobs list
--failed``) and the steps after it wait for ``otklik jobs retry``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import Engine, select

from otklik.config import Settings
from otklik.jobs.steps import ARRIVAL_STEPS, StepContext, load_step_modules
from otklik.ledger.models import FeedbackItem

__all__ = ["Mode", "arrived", "items_of_run", "mode_of", "run_inline"]

log = logging.getLogger("otklik.jobs")

Mode = Literal["queue", "inline", "off"]


def mode_of(engine: Engine, settings: Settings) -> Mode:
    if settings.jobs == "auto":
        return "queue" if engine.dialect.name == "postgresql" else "inline"
    return settings.jobs


def items_of_run(engine: Engine, run_id: int) -> list[int]:
    """The ids of the items an import run wrote."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(FeedbackItem.id)
                .where(FeedbackItem.import_run_id == run_id)
                .order_by(FeedbackItem.id)
            ).scalars()
        )


def run_inline(
    engine: Engine, settings: Settings, item_ids: Sequence[int], *, start: str | None = None
) -> list[int]:
    """Run the arrival steps (from ``start``) in this process, in batches of
    ``OTKLIK_CLASSIFY_BATCH_SIZE`` items; returns the ids of the failures recorded (a batch
    whose step failed stops there; the other batches go on)."""
    ids = sorted(int(i) for i in item_ids)
    size = max(1, settings.classify_batch_size)
    failures = [
        _run_batch(engine, settings, ids[first : first + size], start)
        for first in range(0, len(ids), size)
    ]
    return [failure for failure in failures if failure is not None]


def _run_batch(engine: Engine, settings: Settings, ids: list[int], start: str | None) -> int | None:
    from otklik.jobs.queue import record_failure, task_name

    load_step_modules()
    ctx = StepContext(engine, settings)
    names = [step.name for step in ARRIVAL_STEPS]
    first = names.index(start) if start in names else 0
    attempts = max(1, settings.jobs_attempts)
    for step in ARRIVAL_STEPS[first:]:
        for attempt in range(1, attempts + 1):
            try:
                step.run(ctx, ids)
                break
            except Exception as exc:
                if attempt < attempts:
                    continue
                log.exception("step %s failed on %d items", step.name, len(ids))
                return record_failure(
                    engine,
                    job_id=None,
                    task=task_name(step.name),
                    args={"item_ids": ids},
                    attempts=attempt,
                    error=exc,
                    final=True,
                )
    return None


def arrived(engine: Engine, settings: Settings, item_ids: Sequence[int]) -> Mode:
    """New items are in the store: queue their processing or run it now; says which."""
    mode = mode_of(engine, settings)
    if not item_ids or mode == "off":
        return mode
    if mode == "inline":
        run_inline(engine, settings, item_ids)
        return mode
    from otklik.jobs.queue import Queue

    queue = Queue.for_store(engine, settings).open()
    try:
        queue.defer_arrival(item_ids)
    finally:
        queue.close()
    return mode
