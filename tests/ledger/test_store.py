from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from otklik.ledger import current_revision, head_revision, make_engine, model_drift, upgrade


def test_upgrade_reaches_head_and_is_idempotent(store_url: str) -> None:
    engine = make_engine(store_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # a second run changes nothing
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"feedback_items", "customers", "import_runs", "quarantine"} <= tables
    assert {"classifications", "teams", "cases", "case_events"} <= tables
    assert "current_classifications" in inspect(engine).get_view_names()
    engine.dispose()


def test_autogenerate_finds_no_drift(engine: Engine) -> None:
    assert model_drift(engine) == []


def test_sqlite_pragmas_are_set(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    engine.dispose()
