"""Large loads into a small SQLite store build the secondary indexes once, at the end."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from otklik.ledger import bulk_load, make_engine, upgrade
from otklik.ledger import writer as ledger_writer

_SECONDARY = {
    "ix_feedback_items_customer_occurred_at",
    "ix_feedback_items_kind_occurred_at",
    "ix_feedback_items_occurred_at_channel",
    "ix_feedback_items_scale_occurred_at_cover",
}


def _indexes(engine: Engine) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes("feedback_items")}


def test_indexes_are_dropped_for_the_load_and_built_again_whatever_happens(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    assert _indexes(engine) >= _SECONDARY
    with bulk_load(engine, 10) as dropped:  # under the threshold: nothing changes
        assert not dropped
        assert _indexes(engine) >= _SECONDARY
    monkeypatch.setattr(ledger_writer, "BULK_LOAD_MIN_ROWS", 10)
    with bulk_load(engine, 10) as dropped:
        assert dropped
        assert not _SECONDARY & _indexes(engine)
    assert _indexes(engine) >= _SECONDARY
    with pytest.raises(KeyboardInterrupt), bulk_load(engine, 10):
        assert not _SECONDARY & _indexes(engine)
        raise KeyboardInterrupt
    assert _indexes(engine) >= _SECONDARY
    engine.dispose()


def test_a_missing_index_is_built_again_by_the_next_load(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_feedback_items_kind_occurred_at")  # a killed load
    with bulk_load(engine, 1) as dropped:
        assert not dropped
    assert _indexes(engine) >= _SECONDARY
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_drops_and_builds_them_too(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    before = _indexes(engine)
    assert before >= _SECONDARY
    # the full-text index (0021_search's composite one where btree_gin exists) is kept
    full_text = {"ix_feedback_items_search_vector", "ix_feedback_items_search_facets"}
    assert before & full_text
    with bulk_load(engine, 10**9) as dropped:  # over the threshold, into an empty store
        assert dropped
        assert _indexes(engine) == before - _SECONDARY - {
            "ix_feedback_items_owner_team_occurred_at"
        }
    assert _indexes(engine) == before
    monkeypatch.setattr(ledger_writer, "BULK_LOAD_MIN_ROWS", 10)
    with pytest.raises(KeyboardInterrupt), bulk_load(engine, 10):
        raise KeyboardInterrupt
    assert _indexes(engine) == before
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_feedback_items_kind_occurred_at")  # a killed load
    with bulk_load(engine, 1) as dropped:
        assert not dropped
    assert _indexes(engine) == before
    engine.dispose()
