"""``otklik doctor``: is this deployment sound? One check per line, each saying what to fix.

Checks, in order: the store is reachable; its schema is at the latest migration; the secret key
is set (not a placeholder, at least 32 characters); a worker is alive (its heartbeat is recent;
PostgreSQL with the queue only: on SQLite the jobs run in the writing process); how many jobs
wait in the queue; whether failed jobs wait in the dead-letter list; and, on PostgreSQL, whether
the item count kept for the rollup cubes equals the table's (it does not when triggers were off:
``otklik doctor --recount`` resets it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from otklik.config import PLACEHOLDER_SECRETS, Settings
from otklik.errors import StoreError

__all__ = ["Check", "diagnose"]

Status = Literal["ok", "warn", "fail"]
_MIN_SECRET = 32
HEARTBEAT_S = 60.0  # a worker beats every 10 s; one silent for a minute is gone


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _secret(settings: Settings) -> Check:
    key = settings.secret_key
    if key in PLACEHOLDER_SECRETS or len(key) < _MIN_SECRET:
        return Check(
            "secret",
            "fail",
            f"OTKLIK_SECRET_KEY is a placeholder or shorter than {_MIN_SECRET} characters: set a "
            "random one, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`",
        )
    return Check("secret", "ok", "OTKLIK_SECRET_KEY is set")


def diagnose(engine: Engine, settings: Settings) -> list[Check]:
    """Every check's outcome; a ``fail`` means the deployment needs fixing."""
    from otklik.jobs.arrivals import mode_of
    from otklik.jobs.listing import list_jobs, queue_depth, workers_alive
    from otklik.ledger import current_revision, head_revision
    from otklik.metrics import count_drift

    url = engine.url.render_as_string(hide_password=True)
    checks: list[Check] = []
    path = engine.url.database or ""
    # Opening a missing SQLite file would create an empty one and call it reachable.
    sqlite_file = engine.url.get_backend_name() == "sqlite" and path not in ("", ":memory:")
    if sqlite_file and not Path(path).is_file():
        checks.append(
            Check(
                "store",
                "fail",
                f"no SQLite store at {path}: check the path in OTKLIK_DATABASE_URL "
                "(or create it with `otklik init`)",
            )
        )
        return [*checks, _secret(settings)]
    try:
        revision = current_revision(engine)
    except StoreError as exc:
        checks.append(
            Check("store", "fail", f"{exc}; check OTKLIK_DATABASE_URL and that the server runs")
        )
        return [*checks, _secret(settings)]
    checks.append(Check("store", "ok", f"reachable at {url}"))
    head = head_revision()
    if revision != head:
        checks.append(
            Check(
                "migrations",
                "fail",
                f"the store is at schema {revision or 'none'}, the code at {head}: "
                "run `otklik init`",
            )
        )
        return [*checks, _secret(settings)]
    checks.append(Check("migrations", "ok", f"at head ({head})"))
    checks.append(_secret(settings))
    mode = mode_of(engine, settings)
    if mode != "queue":
        where = "in the writing process" if mode == "inline" else "nowhere (OTKLIK_JOBS=off)"
        checks.append(Check("worker", "ok" if mode == "inline" else "warn", f"jobs run {where}"))
    else:
        alive = workers_alive(engine, within_s=HEARTBEAT_S)
        if not alive:
            checks.append(
                Check(
                    "worker",
                    "fail",
                    f"no worker heartbeat in the last {HEARTBEAT_S:.0f} s: start `otklik worker` "
                    "(deploy/systemd/otklik-worker.service or the compose `worker` service)",
                )
            )
        else:
            checks.append(Check("worker", "ok", f"{alive} worker(s) alive"))
        depth = queue_depth(engine) or 0
        if depth > settings.queue_depth_warn:
            checks.append(
                Check(
                    "queue",
                    "warn",
                    f"{depth} jobs waiting (over OTKLIK_QUEUE_DEPTH_WARN="
                    f"{settings.queue_depth_warn}): add workers or `--concurrency`",
                )
            )
        else:
            checks.append(Check("queue", "ok", f"{depth} jobs waiting"))
    failed = len(list_jobs(engine, failed=True, limit=10_000))
    if failed:
        checks.append(
            Check(
                "failed",
                "warn",
                f"{failed} failed job(s): see `otklik jobs list --failed`, "
                "then `otklik jobs retry ID`",
            )
        )
    else:
        checks.append(Check("failed", "ok", "no failed jobs"))
    drift = count_drift(engine)
    if drift is not None:
        kept, actual = drift
        if kept != actual:
            checks.append(
                Check(
                    "rollups",
                    "fail",
                    f"the item count kept for the metric rollups is {kept}, the table holds "
                    f"{actual} (its triggers were off: a restore with --disable-triggers or a "
                    "replica?): run `otklik doctor --recount`",
                )
            )
        else:
            checks.append(Check("rollups", "ok", f"the kept item count matches ({actual})"))
    return checks
