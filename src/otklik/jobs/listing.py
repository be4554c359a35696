"""The jobs as a person sees them: the queue's jobs (PostgreSQL) or the in-process failures
(SQLite), the dead-letter list, and retrying one of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, text, update

from otklik.config import Settings
from otklik.errors import NotFoundError
from otklik.jobs.arrivals import mode_of, run_inline
from otklik.ledger.models_jobs import JobFailure

__all__ = ["list_jobs", "prune_finished_jobs", "queue_depth", "retry_job", "workers_alive"]

_PG_JOBS = """
SELECT j.id, j.task_name AS task, j.status::text AS status, j.attempts, j.args,
       j.scheduled_at, f.error, f.failed_at, f.retried_as
FROM procrastinate_jobs j LEFT JOIN job_failures f ON f.job_id = j.id
{where}
ORDER BY j.id DESC LIMIT :limit
"""


def _pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _has_queue(engine: Engine) -> bool:
    if not _pg(engine):
        return False
    from otklik.jobs.schema import queue_schema_present

    with engine.connect() as conn:
        return queue_schema_present(conn)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def list_jobs(engine: Engine, *, failed: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Jobs, newest first: ``id``, ``task``, ``status``, ``attempts``, ``items`` (how many
    items it works on), ``error`` (of its last failed attempt), ``failed_at``, ``retried_as``.
    With ``failed``: only the dead-letter list (failed with no attempt left, not retried)."""
    if _has_queue(engine):
        where = "WHERE j.status = 'failed' AND f.retried_as IS NULL" if failed else ""
        with engine.connect() as conn:
            rows = conn.execute(text(_PG_JOBS.format(where=where)), {"limit": limit}).all()
        return [
            {
                "id": int(row.id),
                "task": row.task,
                "status": row.status,
                "attempts": int(row.attempts),
                "items": len((row.args or {}).get("item_ids", [])),
                "error": row.error,
                "failed_at": _iso(row.failed_at),
                "retried_as": row.retried_as,
            }
            for row in rows
        ]
    query = select(JobFailure).order_by(JobFailure.id.desc()).limit(limit)
    if failed:
        query = query.where(JobFailure.final.is_(True), JobFailure.retried_as.is_(None))
    with engine.connect() as conn:
        failures = conn.execute(query).all()
    return [
        {
            "id": int(row.id),
            "task": row.task,
            "status": "failed" if row.retried_as is None else "retried",
            "attempts": int(row.attempts),
            "items": len((row.args or {}).get("item_ids", [])),
            "error": row.error,
            "failed_at": _iso(row.failed_at),
            "retried_as": row.retried_as,
        }
        for row in failures
    ]


def retry_job(engine: Engine, settings: Settings, job_id: int) -> dict[str, Any]:
    """Run a failed job again: queue a new job with its task and arguments (PostgreSQL), or run
    its step and the ones after it here (in-process). Returns ``{"id", "retried_as",
    "status"}``."""
    queued = _has_queue(engine) and mode_of(engine, settings) == "queue"
    with engine.connect() as conn:
        if queued:
            row = conn.execute(
                text(
                    "SELECT j.task_name, j.args, j.status::text AS status, f.retried_as "
                    "FROM procrastinate_jobs j LEFT JOIN job_failures f ON f.job_id = j.id "
                    "WHERE j.id = :id"
                ),
                {"id": job_id},
            ).first()
        else:
            found = conn.execute(select(JobFailure).where(JobFailure.id == job_id)).first()
            row = None if found is None else found
    if row is None:
        raise NotFoundError(f"no job {job_id}: see `otklik jobs list --failed`")
    if queued:
        if row.status != "failed" or row.retried_as is not None:
            raise NotFoundError(f"job {job_id} is {row.status}, not waiting in the failed list")
        from otklik.jobs.queue import Queue

        queue = Queue.for_store(engine, settings).open()
        try:
            new_id = queue.defer_again(row.task_name, dict(row.args))
        finally:
            queue.close()
        status = "queued"
        with engine.begin() as conn:
            conn.execute(
                update(JobFailure).where(JobFailure.job_id == job_id).values(retried_as=new_id)
            )
    else:
        if row.retried_as is not None:
            raise NotFoundError(f"job {job_id} was already retried (as {row.retried_as})")
        step = str(row.task).removeprefix("otklik.")
        failures = run_inline(engine, settings, row.args.get("item_ids", []), start=step)
        new_id = failures[0] if failures else 0
        status = "failed" if failures else "succeeded"
        with engine.begin() as conn:
            conn.execute(
                update(JobFailure).where(JobFailure.id == job_id).values(retried_as=new_id)
            )
    return {"id": job_id, "retried_as": new_id, "status": status}


def queue_depth(engine: Engine) -> int | None:
    """Jobs waiting to run (None where there is no queue)."""
    if not _has_queue(engine):
        return None
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
            ).scalar_one()
        )


def workers_alive(engine: Engine, *, within_s: float = 60.0) -> int | None:
    """Workers whose heartbeat is younger than ``within_s`` (None where there is no queue)."""
    if not _has_queue(engine):
        return None
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate_workers "
                    "WHERE last_heartbeat > now() - make_interval(secs => :s)"
                ),
                {"s": within_s},
            ).scalar_one()
        )


def prune_finished_jobs(engine: Engine, *, keep_days: int) -> int:
    """Delete succeeded jobs whose last event is older than ``keep_days`` (with their events);
    returns how many. Failed jobs are kept: they are the dead-letter list."""
    if not _has_queue(engine):
        return 0
    with engine.begin() as conn:
        result = conn.execute(
            text(
                "DELETE FROM procrastinate_jobs j WHERE j.status = 'succeeded' AND NOT EXISTS "
                "(SELECT 1 FROM procrastinate_events e WHERE e.job_id = j.id "
                "AND e.at > now() - make_interval(days => :days))"
            ),
            {"days": keep_days},
        )
    return int(result.rowcount or 0)
