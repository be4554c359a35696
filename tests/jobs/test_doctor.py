"""``otklik doctor``: one line per check, what to fix, exit code 1 on a failure."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, bindparam, text

from otklik.config import load_settings
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine
from tests.jobs.helpers import import_json, run

SECRET = "d" * 40


def _doctor(capsys: pytest.CaptureFixture[str], db: str) -> tuple[int, dict[str, tuple[str, str]]]:
    code, out, _ = run(capsys, "doctor", "--format", "json", "--db", db)
    return code, {c["name"]: (c["status"], c["message"]) for c in json.loads(out)}


def test_doctor_on_sqlite_says_what_to_fix(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    # A mistyped path is reported, not created (and then "reached") by the check.
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    code, checks = _doctor(capsys, sqlite_url)
    assert code == 1 and list(checks) == ["store", "secret"]
    assert checks["store"][0] == "fail" and f"no SQLite store at {path}" in checks["store"][1]
    assert not path.exists()
    path.touch()  # an empty file: reachable, no schema yet
    code, checks = _doctor(capsys, sqlite_url)
    assert code == 1
    assert checks["migrations"][0] == "fail" and "run `otklik init`" in checks["migrations"][1]
    assert checks["secret"][0] == "fail"
    assert run(capsys, "init", "--db", sqlite_url)[0] == 0
    code, out, _ = run(capsys, "doctor", "--db", sqlite_url)
    assert code == 1
    lines = out.splitlines()
    assert [line.split()[0:2] for line in lines] == [
        ["ok", "store:"],
        ["ok", "migrations:"],
        ["fail", "secret:"],
        ["ok", "worker:"],
        ["ok", "failed:"],
    ]
    assert "OTKLIK_SECRET_KEY is a placeholder" in lines[2]
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    code, checks = _doctor(capsys, sqlite_url)
    assert code == 0 and all(status == "ok" for status, _ in checks.values())
    assert checks["worker"][1] == "jobs run in the writing process"


def test_doctor_on_an_unreachable_store(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = _doctor(capsys, "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1 and list(checks) == ["store", "secret"]
    assert checks["store"][0] == "fail" and "OTKLIK_DATABASE_URL" in checks["store"][1]


def _jobs(engine: Engine, *statuses: str) -> int:
    """How many queued jobs have one of ``statuses``."""
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM procrastinate_jobs WHERE status IN :statuses")
        query = query.bindparams(bindparam("statuses", expanding=True))
        return int(conn.execute(query, {"statuses": list(statuses)}).scalar_one())


@pytest.mark.postgres
def test_doctor_sees_the_worker_and_the_queue(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_QUEUE_DEPTH_WARN", "0")
    import_json(capsys, pg_url)  # one batch waits: no worker yet
    code, checks = _doctor(capsys, pg_url)
    assert code == 1
    assert checks["worker"][0] == "fail" and "start `otklik worker`" in checks["worker"][1]
    assert checks["queue"] == (
        "warn",
        "1 jobs waiting (over OTKLIK_QUEUE_DEPTH_WARN=0): add workers or `--concurrency`",
    )

    engine = make_engine(pg_url)
    queue = Queue.for_store(engine, load_settings())
    stop = threading.Event()

    def work() -> None:
        async def until_stopped() -> None:
            task = asyncio.ensure_future(
                queue.work(install_signal_handlers=False, poll_s=0.1, name="doctor-test")
            )
            while not stop.is_set():
                await asyncio.sleep(0.05)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        asyncio.run(until_stopped())

    worker = threading.Thread(target=work)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        # classify, then route; a job the last one enqueued may still wait a moment
        while _jobs(engine, "succeeded") < 2 or _jobs(engine, "todo", "doing"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        code, checks = _doctor(capsys, pg_url)
        assert code == 0, checks
        assert checks["worker"] == ("ok", "1 worker(s) alive")
        assert checks["queue"] == ("ok", "0 jobs waiting")
    finally:
        stop.set()
        worker.join(30)
        engine.dispose()


@pytest.mark.postgres
def test_doctor_finds_a_kept_item_count_that_triggers_missed_and_resets_it(
    pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Migration 0022 keeps the item count for the rollups' freshness check with triggers; a
    # restore with --disable-triggers leaves it behind, and every check would rebuild the cube.
    monkeypatch.setenv("OTKLIK_JOBS", "off")
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    import_json(capsys, pg_url)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            stored = int(conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one())
        assert stored > 0
        code, checks = _doctor(capsys, pg_url)
        assert checks["rollups"] == ("ok", f"the kept item count matches ({stored})")
        with engine.begin() as conn:  # as a restore with --disable-triggers would
            conn.execute(text("ALTER TABLE feedback_items DISABLE TRIGGER USER"))
            conn.execute(
                text("DELETE FROM feedback_items WHERE id = (SELECT min(id) FROM feedback_items)")
            )
            conn.execute(text("ALTER TABLE feedback_items ENABLE TRIGGER USER"))
        code, checks = _doctor(capsys, pg_url)
        assert code == 1
        status, message = checks["rollups"]
        assert status == "fail" and f"is {stored}, the table holds {stored - 1}" in message
        assert "otklik doctor --recount" in message
        code, out, _ = run(capsys, "doctor", "--recount", "--db", pg_url)
        assert f"reset to {stored - 1}" in out
        code, checks = _doctor(capsys, pg_url)
        assert checks["rollups"] == ("ok", f"the kept item count matches ({stored - 1})")
    finally:
        engine.dispose()
