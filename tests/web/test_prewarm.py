"""Start-up precomputation: the pages' figures are ready before anyone asks, with the same
values a page computes itself; expired figures are served while recomputed in the background,
and figures dropped by a write are never served again."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from fastapi.testclient import TestClient

from otklik import conduct
from otklik.conduct import agent_flag_rates, protection_figures
from otklik.ex import ex_cx_link, ex_report
from otklik.ledger import distinct_values, make_engine, upgrade, write_items
from otklik.web import create_app
from otklik.web.state import TTLCache
from tests.web.conftest import settings_for


def _join_refreshes() -> None:
    for thread in threading.enumerate():
        if thread.name == "otklik-cache-refresh":
            thread.join()


def test_start_up_fills_the_rollups_and_the_page_cache(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": f"e{i}",
                "kind": "survey",
                "scale": "nps",
                "score": float(i % 11),
                "channel": ("app", "web", "call")[i % 3],
                "occurred_at": datetime(2025, 3, 1 + i % 20, 10),
            }
            for i in range(60)
        ],
    )
    app = create_app(settings_for(sqlite_url, web_prewarm=True))
    with TestClient(app, base_url="https://testserver"):
        app.state.prewarm.join()
        state = app.state.web
        cube = state.metrics.call(lambda source: source.rollups)
        assert cube.builds == 1 and cube.saves == 1  # built once, kept in the store
        cached = dict(state.cache._data)
        assert cached[("values", "channel", None)][1] == distinct_values(engine, "channel")
        assert any(key[0] == "channels" for key in cached)
        assert any(key[0] == "pillars" for key in cached)
    # The next start loads the stored cube instead of scanning.
    app = create_app(settings_for(sqlite_url, web_prewarm=True))
    with TestClient(app, base_url="https://testserver"):
        app.state.prewarm.join()
        cube = app.state.web.metrics.call(lambda source: source.rollups)
        assert (cube.builds, cube.loads) == (0, 1)
    engine.dispose()


def test_expired_figures_are_refreshed_in_the_background_cleared_ones_are_not_served() -> None:
    cache = TTLCache(0.0, refresh_in_background=True)  # every entry is expired at once
    made = iter(range(100))
    assert cache.get("k", lambda: next(made)) == 0  # nothing there: computed now
    assert cache.get("k", lambda: next(made)) == 0  # expired: the old value, refreshed aside
    _join_refreshes()
    assert cache.get("k", lambda: next(made)) == 1  # the refreshed one
    _join_refreshes()
    cache.clear()  # a write: never the old value again
    assert cache.get("k", lambda: 42) == 42


def test_start_up_computes_the_ex_conduct_and_scorecard_figures(sqlite_url: str) -> None:
    """The three pages whose figures take seconds at 1M items find them ready, equal to what
    the library computes directly, and a write drops them."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    items: list[dict[str, object]] = [
        {
            "external_id": f"c{i}",
            "kind": "contact",
            "channel": ("call", "chat")[i % 2],
            "customer_id": f"x{i % 25}",
            "agent": f"a{i % 6}",
            "team": "t1",
            "handle_time_s": 100.0 + i,
            "occurred_at": datetime(2025, 3, 1 + i % 28, 10, i % 60),
        }
        for i in range(120)
    ]
    items += [
        {
            "external_id": f"e{i}",
            "kind": "employee",
            "scale": "nps",
            "score": float(i % 11),
            "team": "t1",
            "occurred_at": datetime(2025, 3, 5, 9),
        }
        for i in range(12)
    ]
    write_items(engine, run_id=None, source="s", items=items)
    settings = settings_for(sqlite_url, web_prewarm=True, timezone="UTC")
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver"):
        app.state.prewarm.join()
        state = app.state.web
        cached = {key[0]: value for key, (_, value) in dict(state.cache._data).items()}
        direct = ex_report(engine, min_group=settings.ex_min_group, timezone="UTC")
        assert cached["ex_report"].to_dict() == direct.to_dict()
        assert cached["ex_link"].to_dict() == ex_cx_link(engine, timezone="UTC").to_dict()
        policy = conduct.policy_in_force(settings)
        assert cached["conduct_figures"] == protection_figures(engine, policy, period="month")
        assert cached["conduct_agents"] == agent_flag_rates(engine)
        report = cached["kpi_report"]
        fcr = next(r for r in report.results if r.kpi.name == "fcr")
        assert fcr.n == 120 and fcr.trend.period is not None
        assert fcr.trend.period.label == "2025-03"
        # A write: none of them is served again (their recomputation in the background after
        # a write is tests/web/test_after_write.py's subject: off here)
        state.cache.refresh_after_write = False
        state.data_changed()
        assert not state.cache._data
    engine.dispose()


def test_a_slow_figure_is_fresh_when_made_and_not_kept_across_a_write() -> None:
    cache = TTLCache(60.0)
    finished: list[float] = []

    def slow() -> int:
        # A 1M-item KPI report takes longer than the TTL: stamped when made, not when asked.
        finished.append(time.monotonic())
        return len(finished)

    assert cache.get("k", slow) == 1
    (made_at, _) = cache._data["k"]
    assert made_at >= finished[-1]
    assert cache.get("k", slow) == 1  # fresh: not recomputed

    def written_meanwhile() -> int:
        cache.clear()  # a write while it was computed
        return 7

    assert cache.get("other", written_meanwhile) == 7
    assert "other" not in cache._data  # not kept: the next request recomputes
