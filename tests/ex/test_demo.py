"""The demo company's EX: a staff list, anonymous exit interviews, and one unhappy team (the
contact center) whose eNPS, turnover and customers' CSAT are all worse than the others'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from otklik.demo import generate, load_demo
from otklik.demo.ex import UNHAPPY_TEAM
from otklik.ex import ex_cells, ex_cx_link, turnover
from otklik.ledger import FeedbackItem, make_engine
from otklik.metrics import Period, compute


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ex-demo') / 'demo.db'}")
    load_demo(engine, generate(rows=10_000, seed=42))
    yield engine
    engine.dispose()


def test_the_unhappy_team_is_unhappy_on_both_sides(demo: Engine) -> None:
    year = Period.parse("2025")
    enps = {c.group: c for c in ex_cells(demo, period=year, by="team", timezone="UTC")}
    others = [c.value for team, c in enps.items() if team not in (UNHAPPY_TEAM, "Chat support")]
    assert enps[UNHAPPY_TEAM].value is not None
    assert all(v is not None and enps[UNHAPPY_TEAM].value < v for v in others)
    rates = {c.group: c for c in turnover(demo, period=year, by="team", timezone="UTC")}
    # its turnover's whole interval lies above every other team's turnover
    low = rates[UNHAPPY_TEAM].ci_low
    assert low is not None
    assert all(
        c.value is not None and low > c.value for team, c in rates.items() if team != UNHAPPY_TEAM
    )
    csat = {
        r.segment["team"]: r
        for r in compute("csat", demo, segments=["team"], timezone="UTC")
        if r.segment.get("team")
    }
    assert csat[UNHAPPY_TEAM].ci_high < min(  # type: ignore[operator]
        r.ci_low for team, r in csat.items() if team not in (UNHAPPY_TEAM, "Chat support")
    )
    link = ex_cx_link(demo, timezone="UTC")
    assert any(row["team"] == UNHAPPY_TEAM for row in link.rows)
    (corr,) = [c for c in link.correlations if (c.ex, c.cx) == ("enps", "csat")]
    assert corr.r is not None and corr.r > 0


def test_exit_interviews_are_anonymous(demo: Engine) -> None:
    with demo.connect() as conn:
        count, with_id = conn.execute(
            select(func.count(), func.count(FeedbackItem.customer_id)).where(
                FeedbackItem.kind == "employee-exit"
            )
        ).one()
    assert count > 20 and with_id == 0


def test_docs_name_the_unhappy_team() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ex.md").read_text(encoding="utf-8")
    assert "contact center" in doc and "контакт-центр" in doc
