"""Shared fixtures: a fresh store on SQLite and on the real PostgreSQL for every test.

PostgreSQL comes from ``OTKLIK_TEST_DATABASE_URL``; each test gets its own schema, dropped
afterwards. Without the variable (or the server) PostgreSQL tests are skipped, except under
``CI=true`` where a missing PostgreSQL fails them.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from otklik.ledger import make_engine, normalize_url, upgrade

# No background precomputation in apps the tests start (tests/web/test_prewarm.py turns it on):
# a test that ends while the prewarm thread still holds a connection leaves it to the garbage
# collector, and its ResourceWarning then fails whichever later test is running.
os.environ.setdefault("OTKLIK_WEB_PREWARM", "false")

DATA = Path(__file__).parent / "data"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _postgres_admin_url() -> str:
    url = os.environ.get("OTKLIK_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but OTKLIK_TEST_DATABASE_URL is not set")
        pytest.skip("OTKLIK_TEST_DATABASE_URL is not set")
    return normalize_url(url)


@contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema (search_path set to it), dropped afterwards.

    Skips without ``OTKLIK_TEST_DATABASE_URL`` or a reachable server, except under ``CI=true``
    where either is a failure.
    """
    admin_url = _postgres_admin_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is not there
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {admin_url} is not reachable under CI=true: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    separator = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _own_env_file(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test reads and writes an env file of its own (never a developer's ./otklik.env)."""
    path = tmp_path_factory.mktemp("env") / "otklik.env"
    monkeypatch.setenv("OTKLIK_ENV_FILE", str(path))
    # Arrivals are left unprocessed unless a test turns the jobs on (tests/jobs): most tests
    # import, then classify on purpose.
    monkeypatch.setenv("OTKLIK_JOBS", "off")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema (search_path set to it)."""
    with postgres_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'otklik.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty store, once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """An engine on a store upgraded to head, on SQLite and on PostgreSQL."""
    eng = make_engine(store_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def import_comments(
    engine: Engine, folder: Path, comments: Sequence[tuple[str, str | None]], prefix: str = "c"
) -> None:
    """Import ``(text, language)`` pairs as one survey CSV written to ``folder`` (ids
    ``<prefix><n>``, one date; no language column when no pair names a language)."""
    from otklik.ingest import import_file

    with_language = any(language for _text, language in comments)
    path = folder / "items.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "comment", *(["language"] if with_language else [])])
        for number, (text, language) in enumerate(comments):
            extra = [language or ""] if with_language else []
            writer.writerow([f"{prefix}{number}", "2025-03-01 10:00", text, *extra])
    import_file(engine, path, kind="survey", source="t")
