"""Pillar scores on a store whose labels are written by hand: shares negative/positive with
Wilson intervals (scipy), NPS of the tagged items (Rocks), the zone, the trend's test."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
from scipy import stats
from sqlalchemy import Engine, text

from otklik.classify import MachineLabel, write_machine_labels
from otklik.errors import MetricError
from otklik.ledger import write_items
from otklik.pillars import pillar_scores

# (id, month, sentiment, pillars, score, scale, owner, kind)
ROWS = [
    ("a", 1, "negative", ["empathy"], 2.0, "nps", "cards", "survey"),
    ("b", 1, "negative", ["empathy", "time_effort"], 9.0, "nps", "cards", "survey"),
    ("c", 2, "positive", ["empathy"], 10.0, "nps", "pay", "survey"),
    ("d", 2, "neutral", ["empathy"], None, None, "pay", "review"),
    ("e", 3, "positive", ["time_effort"], 5.0, "csat5", "cards", "survey"),
    ("f", 4, "negative", ["empathy"], 1.0, "csat5", "cards", "survey"),
    ("g", 5, "positive", ["empathy"], None, None, "cards", "review"),
    ("h", 5, "positive", ["empathy"], 9.0, "nps", "pay", "survey"),
    ("i", 2, "negative", ["empathy"], 0.0, "nps", "cards", "employee"),  # staff: not counted
    ("j", 2, "negative", [], 0.0, "nps", "cards", "survey"),  # no pillar
]


@pytest.fixture
def store(engine: Engine) -> Engine:
    items: list[dict[str, Any]] = [
        {
            "external_id": r[0],
            "kind": r[7],
            "occurred_at": datetime(2025, r[1], 10, 12),
            "score": r[4],
            "scale": r[5],
            "owner_team": r[6],
        }
        for r in ROWS
    ]
    write_items(engine, run_id=None, source="seed", items=items)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    write_machine_labels(
        engine,
        [
            MachineLabel(
                item_id=ids[r[0]],
                type="complaint",
                sentiment=r[2],
                topics=[],
                tags={"pillars": r[3]} if r[3] else {},
                language="ru",
                owner_team=r[6],
                method="rules",
                confidence=1.0,
                scores={},
            )
            for r in ROWS
        ],
    )
    return engine


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    return 100 * ci.low, 100 * ci.high


def test_shares_nps_and_csat_by_hand(store: Engine) -> None:
    report = pillar_scores(store, timezone="UTC")
    points = {(p.pillar, p.period): p for p in report.points}
    q1 = points[("empathy", "2025-Q1")]  # a, b, c, d (not i: staff)
    assert q1.n == 4
    assert q1.negative.value == pytest.approx(50.0)
    assert (q1.negative.ci_low, q1.negative.ci_high) == pytest.approx(_wilson(2, 4))
    assert q1.positive.value == pytest.approx(25.0)
    # NPS of a (2), b (9), c (10): 2 promoters, 1 detractor; Rocks's adjusted interval.
    n, p, d = 3, 2, 1
    pp, pd = (p + 0.75) / (n + 3), (d + 0.75) / (n + 3)
    half = 1.959963984540054 * math.sqrt((pp + pd - (pp - pd) ** 2) / (n + 3))
    assert q1.nps.n == 3 and q1.nps.value == pytest.approx(100 / 3)
    assert q1.nps.ci_low == pytest.approx(max(-100, 100 * (pp - pd - half)))
    assert q1.csat.n == 0 and q1.csat.value is None
    q2 = points[("empathy", "2025-Q2")]  # f, g, h
    assert (q2.n, q2.csat.n, q2.csat.value) == (3, 1, 0.0)
    te = points[("time_effort", "2025-Q1")]  # b, e
    assert te.n == 2 and te.csat.value == pytest.approx(100.0)
    (trend,) = [t for t in report.trends if t.pillar == "empathy"]
    assert (trend.period, trend.previous) == ("2025-Q2", "2025-Q1")
    assert trend.change == pytest.approx(100 * (1 / 3 - 2 / 4))
    expected = stats.fisher_exact([[2, 2], [1, 2]]).pvalue  # expected counts < 5: exact test
    assert trend.p_value == pytest.approx(expected, abs=1e-4) and not trend.significant


def test_zone_period_and_grain(store: Engine) -> None:
    report = pillar_scores(store, owner_team="pay", period="2025", grain="year", timezone="UTC")
    (point,) = [p for p in report.points if p.pillar == "empathy"]
    assert point.period == "2025" and point.n == 3  # c, d, h
    assert point.positive.value == pytest.approx(200 / 3)
    whole = pillar_scores(store, period="2025-01-01..2025-02-15", grain="all", timezone="UTC")
    assert {p.period for p in whole.points} == {"2025-01-01..2025-02-15"}
    assert {p.pillar: p.n for p in whole.points} == {"empathy": 4, "time_effort": 1}
    with pytest.raises(MetricError):
        pillar_scores(store, grain="all")
    with pytest.raises(MetricError):
        pillar_scores(store, period="2025-Q5")
