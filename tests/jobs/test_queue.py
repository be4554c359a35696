"""The queue on the real PostgreSQL, worked by real procrastinate workers (threads here).

Each test has its own schema; procrastinate's tables live in it (search_path from the URL's
``options``). The oracle for what the jobs do is the direct path: ``otklik classify`` on a
SQLite store of the same file must give every item the same labels and cases.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from otklik.config import load_settings
from otklik.jobs import PERIODIC, StepContext, add_periodic, add_step, steps
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine, upgrade
from tests.jobs.helpers import import_json, outcome, run

pytestmark = pytest.mark.postgres


@pytest.fixture
def queued(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Engine]]:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    monkeypatch.setenv("OTKLIK_JOBS_RETRY_BASE_S", "0")  # retries at once: no sleeping tests
    monkeypatch.setenv("OTKLIK_JOBS_ATTEMPTS", "3")
    engine = make_engine(pg_url)
    upgrade(engine)
    yield pg_url, engine
    engine.dispose()


def _drain(engine: Engine) -> None:
    """One worker until the queue is empty (procrastinate's wait=False)."""
    Queue.for_store(engine, load_settings()).run_worker(
        wait=False, install_signal_handlers=False, poll_s=0.2
    )


def _statuses(engine: Engine) -> list[tuple[str, str, int]]:
    """The arrival jobs (a worker may also run a scheduled job that fell due meanwhile)."""
    with engine.connect() as conn:
        return [
            (row[0], row[1], row[2])
            for row in conn.execute(
                text(
                    "SELECT task_name, status::text, attempts FROM procrastinate_jobs "
                    "WHERE task_name NOT LIKE 'otklik.periodic.%' ORDER BY id"
                )
            )
        ]


def test_import_then_a_worker_classifies_and_opens_cases(
    queued: tuple[str, Engine],
    direct: dict[str, tuple[object, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, engine = queued
    report = import_json(capsys, url)
    assert report["jobs"] == {"mode": "queue", "items": 12}
    before = outcome(engine)
    assert len(before) == 12 and all(v == (None, None, None, None) for v in before.values())
    assert _statuses(engine) == [("otklik.classify", "todo", 0)]

    _drain(engine)

    assert outcome(engine) == direct
    assert sum(1 for v in direct.values() if v[3] is not None) >= 5  # cases were opened
    # classification, routing, then linking to open incidents (otklik.incidents.schedule)
    assert _statuses(engine) == [
        ("otklik.classify", "succeeded", 1),
        ("otklik.route", "succeeded", 1),
        ("otklik.link_incidents", "succeeded", 1),
    ]
    # the same batch deferred twice waits once (queueing lock), and runs idempotently
    queue = Queue.for_store(engine, load_settings()).open()
    try:
        with engine.connect() as conn:
            ids = list(conn.execute(text("SELECT id FROM feedback_items")).scalars())
        assert queue.defer_arrival(ids) and queue.defer_arrival(ids) == []
    finally:
        queue.close()
    _drain(engine)
    assert outcome(engine) == direct


def test_old_succeeded_jobs_are_pruned_failed_ones_kept(
    queued: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    from otklik.jobs.listing import prune_finished_jobs

    url, engine = queued
    import_json(capsys, url)
    _drain(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = "
                "(SELECT id FROM procrastinate_jobs WHERE task_name = 'otklik.route')"
            )
        )
        conn.execute(text("UPDATE procrastinate_events SET at = now() - interval '8 days'"))
        succeeded = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
        ).scalar_one()
    # classify and link_incidents (and any scheduled job that fell due while the worker ran)
    assert succeeded >= 2
    assert prune_finished_jobs(engine, keep_days=9) == 0
    assert prune_finished_jobs(engine, keep_days=7) == succeeded
    assert [(task, status) for task, status, _ in _statuses(engine)] == [("otklik.route", "failed")]


@pytest.fixture
def exploding() -> Iterator[list[Sequence[int]]]:
    """A step after routing that fails until told otherwise."""
    calls: list[Sequence[int]] = []
    broken = {"yes": True}

    def explode(ctx: StepContext, item_ids: Sequence[int]) -> None:
        calls.append(list(item_ids))
        if broken["yes"]:
            raise RuntimeError("the incident detector is down")

    add_step("explode", explode)
    calls_and_switch: list[Sequence[int]] = calls
    explode.broken = broken  # type: ignore[attr-defined]
    yield calls_and_switch
    steps.ARRIVAL_STEPS[:] = [s for s in steps.ARRIVAL_STEPS if s.name != "explode"]


def test_a_failing_step_is_retried_then_listed_as_failed_then_retried_by_hand(
    queued: tuple[str, Engine],
    exploding: list[Sequence[int]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, engine = queued
    import_json(capsys, url)
    _drain(engine)
    assert len(exploding) == 3  # OTKLIK_JOBS_ATTEMPTS
    assert ("otklik.explode", "failed", 3) in _statuses(engine)

    code, out, err = run(capsys, "jobs", "list", "--failed", "--format", "json", "--db", url)
    assert code == 0, err
    failed = json.loads(out)
    assert [(j["task"], j["status"], j["attempts"], j["items"]) for j in failed] == [
        ("otklik.explode", "failed", 3, 12)
    ]
    assert failed[0]["error"] == "RuntimeError: the incident detector is down"
    code, out, _ = run(capsys, "jobs", "list", "--failed", "--db", url)
    assert code == 0 and "Failed jobs (1)" in out

    step = next(s for s in steps.ARRIVAL_STEPS if s.name == "explode")
    step.run.broken["yes"] = False  # type: ignore[attr-defined]
    code, out, err = run(capsys, "jobs", "retry", str(failed[0]["id"]), "--db", url)
    assert code == 0, err
    assert out.startswith(f"job {failed[0]['id']} queued again as job ")
    _drain(engine)
    assert len(exploding) == 4
    code, out, _ = run(capsys, "jobs", "list", "--failed", "--format", "json", "--db", url)
    assert json.loads(out) == []
    code, _, err = run(capsys, "jobs", "retry", "999999", "--db", url)
    assert code != 0 and err.startswith("error: no job 999999")


def test_two_workers_run_a_periodic_job_once_per_schedule(queued: tuple[str, Engine]) -> None:
    _, engine = queued
    runs: list[int] = []
    lock = threading.Lock()

    def tick(ctx: StepContext) -> None:
        with lock:
            runs.append(1)

    add_periodic("tick", "* * * * * *", tick)  # every second
    try:
        workers = [Queue.for_store(engine, load_settings()) for _ in range(2)]
    finally:
        PERIODIC[:] = [job for job in PERIODIC if job.name != "tick"]

    def work(queue: Queue) -> None:
        async def bounded() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    queue.work(wait=True, install_signal_handlers=False, poll_s=0.1), 3.5
                )

        asyncio.run(bounded())

    threads = [threading.Thread(target=work, args=(queue,)) for queue in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with engine.connect() as conn:
        deferred = (
            conn.execute(
                text(
                    "SELECT args->>'timestamp' FROM procrastinate_jobs "
                    "WHERE task_name = 'otklik.periodic.tick'"
                )
            )
            .scalars()
            .all()
        )
        succeeded = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'otklik.periodic.tick' AND status = 'succeeded'"
            )
        ).scalar_one()
    assert len(deferred) >= 2  # ticks happened while both workers ran
    assert len(deferred) == len(set(deferred))  # each second deferred once, by one worker
    assert len(runs) == succeeded <= len(deferred)


@pytest.mark.slow
def test_otklik_worker_runs_as_a_process_and_stops_on_sigterm(
    queued: tuple[str, Engine],
    direct: dict[str, tuple[object, ...]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url, engine = queued
    import_json(capsys, url)
    log = tmp_path / "worker.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "otklik.cli", "worker", "--concurrency", "2", "--db", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 60
        while outcome(engine) != direct:
            assert worker.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
    text_log = log.read_text(errors="replace")
    assert code == 0, text_log
    assert "worker " in text_log and ": 2 at a time" in text_log
    assert "otklik.route" in text_log  # the jobs it ran, in its log


def test_the_worker_links_new_items_to_an_open_incident_once_they_have_topics(
    queued: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    from otklik.incidents import open_incident

    url, engine = queued
    incident = open_incident(
        engine,
        title="Sign-in codes do not arrive",
        message_ru="Коды входа не приходят",
        message_en="Sign-in codes do not arrive",
        actor="lead@example.org",
        started_at=datetime(2025, 2, 28),
        scopes=[("topic", "app")],  # the parent topic: covers app.login, app.usability…
        at=datetime(2025, 2, 28),
    )

    def linked() -> list[str]:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT f.external_id FROM incident_items l JOIN feedback_items f "
                        "ON f.id = l.item_id WHERE l.incident_id = :i ORDER BY 1"
                    ),
                    {"i": incident["id"]},
                ).scalars()
            )

    import_json(capsys, url)
    assert linked() == []  # not classified yet: no topic to match
    _drain(engine)
    # r1: "Не могу войти в приложение, код из СМС не приходит" (tests/data/feedback_classify.csv)
    assert "r1" in linked()
    with engine.connect() as conn:
        app = set(
            conn.execute(
                text(
                    "SELECT f.external_id FROM feedback_items f JOIN classifications c "
                    "ON c.item_id = f.id WHERE CAST(c.topics AS TEXT) LIKE '%\"app.%' "
                    "OR CAST(c.topics AS TEXT) LIKE '%\"app\"%'"
                )
            ).scalars()
        )
    assert set(linked()) == app
