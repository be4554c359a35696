"""The job queue on PostgreSQL: procrastinate, its tables in the store's own schema.

:func:`build_app` makes a procrastinate app for one store with a task per arrival step
(``otklik.<step>``, args ``item_ids``) and per scheduled job (``otklik.periodic.<name>``).
A step's job defers the next step's job with the same items when it succeeds. Jobs of one
batch of items carry the lock ``items:<first>-<last>`` (never two steps of one batch at once)
and the queueing lock ``<step>:<first>-<last>`` (a batch waits in the queue once).

Failed jobs are retried ``OTKLIK_JOBS_ATTEMPTS`` times in all, waiting
``OTKLIK_JOBS_RETRY_BASE_S ** attempt`` seconds between tries; each failure's error is kept in
``job_failures``; a job with no attempt left stays ``failed`` in the queue (the dead-letter list).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.types import JSONValue
from sqlalchemy import Engine, insert, update
from sqlalchemy.engine import make_url

from otklik.config import Settings
from otklik.jobs.steps import (
    ARRIVAL_STEPS,
    PERIODIC,
    Periodic,
    Step,
    StepContext,
    load_step_modules,
    next_step,
)
from otklik.ledger.models_jobs import JobFailure

__all__ = ["QUEUE", "Queue", "conninfo", "task_name"]

log = logging.getLogger("otklik.jobs")

QUEUE = "otklik"


def conninfo(engine: Engine) -> str:
    """The libpq URI of a PostgreSQL engine (with its ``options``, e.g. a search path)."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def task_name(step: str) -> str:
    return f"otklik.{step}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record_failure(
    engine: Engine,
    *,
    job_id: int | None,
    task: str,
    args: dict[str, Any],
    attempts: int,
    error: BaseException,
    final: bool,
) -> int:
    """Keep why a job failed (one row per job, the last attempt's error); returns its id."""
    message = "".join(traceback.format_exception_only(type(error), error)).strip()[:4000]
    values = {
        "task": task,
        "args": args,
        "attempts": attempts,
        "error": message,
        "failed_at": _now(),
        "final": final,
    }
    with engine.begin() as conn:
        if job_id is not None:
            done = conn.execute(
                update(JobFailure).where(JobFailure.job_id == job_id).values(**values)
            )
            if done.rowcount:
                found = conn.execute(
                    JobFailure.__table__.select().where(JobFailure.job_id == job_id)
                ).one()
                return int(found.id)
        result = conn.execute(insert(JobFailure).values(job_id=job_id, **values))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


@dataclass
class Queue:
    """A procrastinate app over one PostgreSQL store, with otklik's tasks registered."""

    engine: Engine
    settings: Settings
    app: procrastinate.App

    @classmethod
    def for_store(cls, engine: Engine, settings: Settings) -> Queue:
        load_step_modules()
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo(engine), min_size=1, max_size=max(4, settings.jobs_concurrency + 2)
        )
        app = procrastinate.App(connector=connector)
        queue = cls(engine, settings, app)
        ctx = StepContext(engine, settings)
        for step in ARRIVAL_STEPS:
            queue._register_step(step, ctx)
        for job in PERIODIC:
            queue._register_periodic(job, ctx)
        return queue

    @property
    def attempts(self) -> int:
        return max(1, self.settings.jobs_attempts)

    def _retry(self) -> procrastinate.RetryStrategy:
        return procrastinate.RetryStrategy(
            max_attempts=self.attempts - 1 or None,
            exponential_wait=self.settings.jobs_retry_base_s,
        )

    def _failed(self, context: Any, task: str, args: dict[str, Any], exc: Exception) -> None:
        job = context.job
        record_failure(
            self.engine,
            job_id=job.id,
            task=task,
            args=args,
            attempts=job.attempts + 1,
            error=exc,
            final=job.attempts + 1 >= self.attempts,
        )

    def _register_step(self, step: Step, ctx: StepContext) -> None:
        name = task_name(step.name)

        def run(context: Any, item_ids: list[int]) -> None:
            try:
                step.run(ctx, item_ids)
            except Exception as exc:
                self._failed(context, name, {"item_ids": item_ids}, exc)
                raise
            following = next_step(step.name)
            if following is not None:
                self.defer_step(following.name, item_ids)

        self.app.task(name=name, queue=QUEUE, pass_context=True, retry=self._retry())(run)

    def _register_periodic(self, job: Periodic, ctx: StepContext) -> None:
        name = f"otklik.periodic.{job.name}"

        def run(context: Any, timestamp: int) -> None:
            try:
                job.run(ctx)
            except Exception as exc:
                self._failed(context, name, {"timestamp": timestamp}, exc)
                raise

        task = self.app.task(name=name, queue=QUEUE, pass_context=True, retry=self._retry())(run)
        self.app.periodic(cron=job.cron, periodic_id=job.name)(task)

    # deferring ------------------------------------------------------------------------------

    def open(self) -> Queue:
        """Open a small pool for deferring from synchronous code (the CLI, the web app)."""
        self.app.open()
        return self

    def close(self) -> None:
        self.app.close()

    def defer_step(self, step: str, item_ids: Sequence[int]) -> int | None:
        """Queue one batch for ``step``; None when the same batch already waits there."""
        ids = sorted(int(i) for i in item_ids)
        if not ids:
            return None
        batch = f"{ids[0]}-{ids[-1]}"
        task = self.app.configure_task(
            task_name(step), lock=f"items:{batch}", queueing_lock=f"{step}:{batch}"
        )
        try:
            return int(task.defer(item_ids=cast(JSONValue, ids)))
        except AlreadyEnqueued:
            return None

    def defer_arrival(self, item_ids: Sequence[int]) -> list[int]:
        """Queue the first step for new items, in batches of ``OTKLIK_CLASSIFY_BATCH_SIZE``."""
        ids = sorted(int(i) for i in item_ids)
        size = max(1, self.settings.classify_batch_size)
        first = ARRIVAL_STEPS[0].name
        jobs = [
            self.defer_step(first, ids[start : start + size]) for start in range(0, len(ids), size)
        ]
        return [job for job in jobs if job is not None]

    def defer_again(self, task: str, args: dict[str, Any]) -> int:
        """Queue a new job with a failed job's task and arguments (``otklik jobs retry``)."""
        options: dict[str, Any] = {}
        ids = args.get("item_ids")
        if ids:
            options["lock"] = f"items:{min(ids)}-{max(ids)}"
        return int(self.app.configure_task(task, **options).defer(**args))

    # working --------------------------------------------------------------------------------

    async def work(
        self,
        *,
        concurrency: int = 1,
        wait: bool = True,
        name: str | None = None,
        install_signal_handlers: bool = True,
        poll_s: float = 5.0,
    ) -> None:
        """Run a worker until stopped (or, with ``wait=False``, until the queue is empty)."""
        async with self.app.open_async():
            await self.app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=wait,
                name=name or "otklik-worker",
                install_signal_handlers=install_signal_handlers,
                fetch_job_polling_interval=poll_s,
                listen_notify=True,
            )

    def run_worker(self, **options: Any) -> None:
        asyncio.run(self.work(**options))
