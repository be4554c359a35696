"""The backup and restore drill of docs/deploy.md, on the real PostgreSQL with pg_dump.

A populated store (items, a waiting job) is dumped with ``pg_dump --format=custom``, restored
with ``pg_restore`` into a new database, and the app works on the copy: the same metric, the
schema at head, a worker finishes the job that was waiting, a new import goes in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from otklik.config import load_settings
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine
from tests.jobs.helpers import import_json, outcome, run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def copy_database(pg_url: str) -> Iterator[str]:
    name = f"otklik_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(pg_url).set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _nps(capsys: pytest.CaptureFixture[str], url: str) -> object:
    code, out, err = run(capsys, "metrics", "show", "nps", "--format", "json", "--db", url)
    assert code == 0, err
    return json.loads(out)


def test_dump_restore_and_the_app_works_on_the_copy(
    pg_url: str,
    copy_database: str,
    direct: dict[str, tuple[object, ...]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    monkeypatch.setenv("OTKLIK_SECRET_KEY", "b" * 40)
    assert import_json(capsys, pg_url)["jobs"] == {"mode": "queue", "items": 12}
    schema = make_url(pg_url).query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    dump = tmp_path / "otklik.dump"
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            f"--schema={schema}",
            f"--file={dump}",
            f"--dbname={_libpq(pg_url)}",
        ],
        check=True,
        capture_output=True,
    )
    # The store's schema only (the test database is shared), so what a whole-database dump
    # carries besides it, the btree_gin extension of migration 0021_search, is created first.
    with psycopg.connect(_libpq(pg_url, copy_database), autocommit=True) as conn:
        available = "SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gin'"
        if conn.execute(available).fetchone() is not None:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public")
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq(pg_url, copy_database)}",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    copy_url = make_url(pg_url).set(database=copy_database).render_as_string(hide_password=False)

    assert _nps(capsys, copy_url) == _nps(capsys, pg_url)
    _, out, _ = run(capsys, "doctor", "--format", "json", "--db", copy_url)
    checks = {c["name"]: c for c in json.loads(out)}
    assert checks["migrations"]["status"] == "ok" and checks["queue"]["message"] == "1 jobs waiting"

    copy = make_engine(copy_url)
    try:
        Queue.for_store(copy, load_settings()).run_worker(
            wait=False, install_signal_handlers=False, poll_s=0.2
        )
        assert outcome(copy) == direct  # the waiting job ran on the copy
        original = make_engine(pg_url)
        try:  # the original is untouched: its items still wait for a worker
            assert all(v == (None, None, None, None) for v in outcome(original).values())
        finally:
            original.dispose()
        again = import_json(capsys, copy_url, source="after-restore")
        assert again["imported"] == 12 and again["jobs"]["items"] == 12
        with copy.connect() as conn:
            ids = conn.execute(text("SELECT min(id), max(id) FROM feedback_items")).one()
        assert tuple(ids) == (1, 24)  # the sequences came back with the data
    finally:
        copy.dispose()
