"""Work that happens by itself: every arrival's processing chain and the scheduled jobs.

On PostgreSQL a real queue in the store (procrastinate: LISTEN/NOTIFY, retries with backoff,
locks) worked by ``otklik worker`` processes; on SQLite the same step functions run in the
writing process. See :mod:`otklik.jobs.steps` for the registry other packages extend.
"""

from otklik.jobs.arrivals import Mode, arrived, items_of_run, mode_of, run_inline
from otklik.jobs.background import ArrivalDesk
from otklik.jobs.doctor import diagnose
from otklik.jobs.listing import list_jobs, queue_depth, retry_job, workers_alive
from otklik.jobs.queue import Queue
from otklik.jobs.schema import apply_queue_schema, drop_queue_schema
from otklik.jobs.shared import (
    DATA_VERSION,
    StoreRateLimiter,
    bump_counter,
    prune_rate_buckets,
    read_counter,
    serialize_on,
    shared_state,
)
from otklik.jobs.steps import (
    ARRIVAL_STEPS,
    PERIODIC,
    STEP_MODULES,
    Periodic,
    Step,
    StepContext,
    add_periodic,
    add_step,
    load_step_modules,
)

__all__ = [
    "ARRIVAL_STEPS",
    "DATA_VERSION",
    "PERIODIC",
    "STEP_MODULES",
    "ArrivalDesk",
    "Mode",
    "Periodic",
    "Queue",
    "Step",
    "StepContext",
    "StoreRateLimiter",
    "add_periodic",
    "add_step",
    "apply_queue_schema",
    "arrived",
    "bump_counter",
    "diagnose",
    "drop_queue_schema",
    "items_of_run",
    "list_jobs",
    "load_step_modules",
    "mode_of",
    "prune_rate_buckets",
    "queue_depth",
    "read_counter",
    "retry_job",
    "run_inline",
    "serialize_on",
    "shared_state",
    "workers_alive",
]
