"""Mechanic honesty on the demo's answers, against a computation from the raw rows (Wilson
intervals from scipy, the bias as a plain difference of means); and store-rating prompts by
trigger, never by earlier scores."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as st
from sqlalchemy import Engine, insert, text

from otklik.demo.experiments import load_experiments_demo
from otklik.experiments import (
    FAST_SECONDS,
    build,
    create_experiment,
    mechanic_honesty,
    store_prompt,
)
from otklik.ledger import Case, make_engine, upgrade, write_items

NOW = datetime(2025, 6, 1, 12, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('honesty') / 'o.db'}")
    upgrade(engine)
    load_experiments_demo(engine, end=datetime(2026, 1, 1))
    yield engine
    engine.dispose()


def _raw(engine: Engine) -> dict[str, list[tuple[float, float | None]]]:
    query = text(
        "SELECT i.mechanic, f.score, i.seconds_to_answer FROM invitations i "
        "JOIN feedback_items f ON f.id = i.item_id WHERE f.score IS NOT NULL"
    )
    found: dict[str, list[tuple[float, float | None]]] = {}
    with engine.connect() as conn:
        for mechanic, score, seconds in conn.execute(query):
            found.setdefault(mechanic, []).append((score, seconds))
    return found


def test_figures_against_the_raw_rows(demo: Engine) -> None:
    raw = _raw(demo)
    figures = {m.mechanic: m for m in mechanic_honesty(demo, reference="link")}
    ref = np.array([(s - 1) / 4 * 100 for s, _ in raw["link"]])
    for mechanic, rows in raw.items():
        scores = np.array([s for s, _ in rows])
        m = figures[mechanic]
        assert m.answers == len(rows)
        k = int(((scores == 1) | (scores == 5)).sum())
        wilson = st.binomtest(k, len(rows)).proportion_ci(method="wilson")
        assert m.extreme.value == pytest.approx(100 * k / len(rows))
        assert m.extreme.ci_low == pytest.approx(100 * wilson.low, abs=1e-6)
        assert m.extreme.ci_high == pytest.approx(100 * wilson.high, abs=1e-6)
        fast = [sec <= FAST_SECONDS for _, sec in rows if sec is not None]
        assert m.fast.value == pytest.approx(100 * sum(fast) / len(fast))
        if mechanic == "link":
            assert m.reference and m.bias.value is None
            continue
        norm = (scores - 1) / 4 * 100
        d = norm.mean() - ref.mean()
        se = math.sqrt(norm.var(ddof=1) / norm.size + ref.var(ddof=1) / ref.size)
        assert m.bias.value == pytest.approx(d)
        assert m.bias.ci_low == pytest.approx(d - st.norm.ppf(0.975) * se)
    # the demo's story: the popup's answers are biased, the bottom sheet's are not
    popup, sheet = figures["popup"], figures["bottom-sheet"]
    assert popup.bias.ci_low is not None and popup.bias.ci_low > 0
    assert sheet.bias.ci_low is not None and sheet.bias.ci_low < 0 < (sheet.bias.ci_high or 0)
    assert (popup.extreme.diff_low or 0) > 0 and (popup.fast.diff_low or 0) > 0
    assert (popup.agreement.diff_high or 0) < 0


def test_store_prompt_by_trigger_never_by_score(engine: Engine, tmp_path: Path) -> None:
    create_experiment(
        engine,
        build(
            {
                "key": "rate",
                "variants": [
                    {"name": "ask", "store_prompt": {"successful_payments": 3}},
                    {"name": "also-ask", "store_prompt": {"successful_payments": 3}},
                ],
                "metric": "store_rating",
            }
        ),
        now=NOW,
    )
    # a happy and an unhappy customer, same history otherwise: both are asked
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            {
                "external_id": "h",
                "kind": "survey",
                "occurred_at": NOW,
                "customer_id": "happy",
                "score": 10.0,
                "scale": "nps",
            },
            {
                "external_id": "u",
                "kind": "survey",
                "occurred_at": NOW,
                "customer_id": "unhappy",
                "score": 0.0,
                "scale": "nps",
            },
            {"external_id": "c", "kind": "contact", "occurred_at": NOW, "customer_id": "angry"},
        ],
    )
    with engine.begin() as conn:
        item = conn.execute(text("SELECT id FROM feedback_items WHERE external_id = 'c'")).scalar()
        conn.execute(
            insert(Case).values(
                item_id=item,
                team="t",
                status="open",
                reason="complaint",
                due_at=NOW,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    assert not store_prompt(engine, "rate", "happy", successful_payments=2, now=NOW).ask
    assert store_prompt(engine, "rate", "happy", successful_payments=3, now=NOW).ask
    assert store_prompt(engine, "rate", "unhappy", successful_payments=3, now=NOW).ask
    complaint = store_prompt(engine, "rate", "angry", successful_payments=5, now=NOW)
    assert not complaint.ask and "open complaint" in complaint.reason
    again = store_prompt(
        engine, "rate", "happy", successful_payments=4, now=NOW + timedelta(days=30)
    )
    assert not again.ask and "90 days" in again.reason
    assert store_prompt(
        engine, "rate", "happy", successful_payments=9, now=NOW + timedelta(days=91)
    ).ask
