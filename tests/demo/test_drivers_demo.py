"""The demo's planted driver: a fee that appears in spring, drags NPS and drives churn of
high-revenue customers. Found first by the backlog, with its cost, after the demo is loaded and
classified like a real store; the generator's own facts are checked independently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from otklik.demo import generate, load_demo, top_problems
from otklik.demo.drivers import FEE_START
from otklik.ledger import make_engine, upgrade
from otklik.routing import classify_and_route

ROWS = 8000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("demo-drivers") / "otklik.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo(engine, generate(ROWS, seed=3))
    classify_and_route(engine, model_dir=path.parent / "no-models")
    yield engine
    engine.dispose()


def test_the_fee_comes_first_with_its_cost(demo: Engine) -> None:
    first = top_problems(demo)[0]
    assert first["topic"] == "payments.fees"
    assert first["impact"] < 0 and first["impact_ci"][1] < 0
    money = first["revenue_at_risk"]
    assert money["amount"] > 0 and money["churned_n"] > 0 and money["currency"] == "RUB"


def test_the_planted_complaints_start_in_spring_and_their_authors_leave() -> None:
    data = generate(ROWS, seed=3)
    company = data.company
    assert company.planted
    planted = {f"demo-survey-{number:06d}" for number in company.planted}
    rows = [row for row in data.iter_items("demo-surveys") if row["external_id"] in planted]
    assert len(rows) == len(planted)
    assert min(row["occurred_at"] for row in rows) >= FEE_START
    assert all(row["scale"] == "nps" and row["score"] <= 6 for row in rows)
    revenue = np.array(company.revenue)
    who = sorted(company.fee_leavers)
    assert len(who) > 5
    # the leavers are high-revenue customers: their median revenue is far above everyone's
    assert np.median(revenue[who]) > 3 * np.median(revenue)
