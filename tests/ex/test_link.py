"""EX ↔ CX: each team × quarter cell holds the team's eNPS and its customers' CSAT as computed
by hand, and the correlation across the cells equals numpy's Pearson r with Fisher's interval."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from otklik.ex import ex_cx_link
from otklik.ledger import write_items
from otklik.metrics import Period

TEAMS = ("Calls", "Chat", "Shop")
# (team, quarter) -> employee eNPS answers and customers' CSAT answers
PLAN: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
for t_index, team in enumerate(TEAMS):
    for quarter in range(4):
        unhappy = (t_index == 0) * quarter
        enps = [(3 * i + t_index + quarter) % 11 for i in range(8)]
        enps = [max(0, s - 2 * unhappy) for s in enps]
        csat = [1 + (i + t_index + 3 - unhappy) % 5 for i in range(12)]
        PLAN[(team, quarter)] = (enps, csat)
PLAN[("Tiny", 0)] = ([9, 9, 9], [5, 5, 5, 5])  # 3 employees: hidden, so never linked


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for (team, quarter), (enps, csat) in PLAN.items():
        at = datetime(2025, 3 * quarter + 1, 15, 12)
        for i, score in enumerate(enps):
            rows.append(
                {
                    "external_id": f"e-{team}-{quarter}-{i}",
                    "kind": "employee",
                    "team": team,
                    "occurred_at": at,
                    "score": float(score),
                    "scale": "nps",
                }
            )
        for i, score in enumerate(csat):
            rows.append(
                {
                    "external_id": f"c-{team}-{quarter}-{i}",
                    "kind": "survey",
                    "team": team,
                    "occurred_at": at,
                    "score": float(score),
                    "scale": "csat5",
                }
            )
    return rows


def _nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def test_cells_and_correlation_by_hand(engine: Engine) -> None:
    write_items(engine, run_id=None, source="seed", items=_rows())
    link = ex_cx_link(engine, timezone="UTC")
    cells = {(r["team"], r["period"]): r for r in link.rows}
    # Tiny (3 people) is hidden in Q1, and with it the next smallest team of that quarter
    # (Calls, 8, first by name), so Tiny cannot be recovered from the company's figure.
    assert len(cells) == 11 and ("Calls", "2025-Q1") not in cells
    assert not any(team == "Tiny" for team, _ in cells)
    xs, ys = [], []
    for (team, quarter), (enps, csat) in PLAN.items():
        if team == "Tiny" or (team, quarter) == ("Calls", 0):
            continue
        row = cells[(team, f"2025-Q{quarter + 1}")]
        csat_value = 100 * sum(s >= 4 for s in csat) / len(csat)
        assert row["enps"]["value"] == pytest.approx(_nps(enps), abs=1e-3)
        assert row["enps"]["n"] == len(enps) and row["csat"]["n"] == len(csat)
        assert row["csat"]["value"] == pytest.approx(csat_value, abs=1e-3)
        xs.append(_nps(enps))
        ys.append(csat_value)
    (corr,) = [c for c in link.correlations if (c.ex, c.cx) == ("enps", "csat")]
    r = float(np.corrcoef(xs, ys)[0, 1])
    half = 1.959963984540054 / math.sqrt(len(xs) - 3)
    assert corr.k == 11 and corr.r == pytest.approx(r, abs=1e-3)
    assert corr.ci_low == pytest.approx(math.tanh(math.atanh(r) - half), abs=1e-3)
    assert corr.ci_high == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-3)
    assert link.to_dict()["reading"] == "association, not cause"


def test_customer_figures_only_over_the_ex_periods_equal_the_rows(engine: Engine) -> None:
    """EX answers in Q2 and Q3 only; customers answer and call all year, with repeats that
    cross the quarters' edges (a Q3 call repeated in Q4 is a Q3 repeat). The link's CX figures,
    computed over the EX periods alone, are the ones counted here from every row."""
    rows: list[dict[str, Any]] = []
    calls: list[tuple[str, str, datetime]] = []  # (team, customer, moment)
    for t_index, team in enumerate(TEAMS):
        for quarter in range(4):
            month = 3 * quarter + 1
            if quarter in (1, 2):
                rows += [
                    {
                        "external_id": f"e-{team}-{quarter}-{i}",
                        "kind": "employee",
                        "team": team,
                        "occurred_at": datetime(2025, month, 10, 9),
                        "score": float((i + t_index) % 11),
                        "scale": "nps",
                    }
                    for i in range(8)
                ]
            rows += [
                {
                    "external_id": f"s-{team}-{quarter}-{i}",
                    "kind": "survey",
                    "team": team,
                    "occurred_at": datetime(2025, month, 20, 9),
                    "score": float(1 + (i * (t_index + 1) + quarter) % 5),
                    "scale": "csat5",
                }
                for i in range(10)
            ]
            for i in range(6):
                customer = f"{team}-{quarter}-{i}"
                # The quarter's last days: a repeat i days later lands in the next quarter.
                first = datetime(2025, month + 2, 28, 12)
                calls.append((team, customer, first))
                if i % 2 == t_index % 2:
                    calls.append((team, customer, first + timedelta(days=i + 1)))
    rows += [
        {
            "external_id": f"c-{n}",
            "kind": "contact",
            "channel": "call",
            "team": team,
            "customer_id": customer,
            "occurred_at": at,
        }
        for n, (team, customer, at) in enumerate(calls)
    ]
    write_items(engine, run_id=None, source="seed", items=rows)

    def expected(team: str, quarter: int) -> tuple[float, float]:
        def inside(at: datetime) -> bool:
            return (at.month - 1) // 3 == quarter

        surveys = [
            r["score"]
            for r in rows
            if r["kind"] == "survey" and r["team"] == team and inside(r["occurred_at"])
        ]
        mine = [(c, at) for t, c, at in calls if t == team and inside(at)]
        repeated = [
            any(c2 == c and at < at2 <= at + timedelta(days=7) for _, c2, at2 in calls)
            for c, at in mine
        ]
        return (
            100 * sum(s >= 4 for s in surveys) / len(surveys),
            100 * sum(repeated) / len(repeated),
        )

    for period in (None, "2025-Q3"):
        link = ex_cx_link(engine, period=Period.parse(period) if period else None, timezone="UTC")
        quarters = (1, 2) if period is None else (2,)
        cells = {(r["team"], r["period"]): r for r in link.rows}
        assert set(cells) == {(team, f"2025-Q{q + 1}") for team in TEAMS for q in quarters}
        for team in TEAMS:
            for quarter in quarters:
                row = cells[(team, f"2025-Q{quarter + 1}")]
                csat, repeat = expected(team, quarter)
                assert row["csat"]["value"] == pytest.approx(csat, abs=1e-3)
                assert row["repeat_rate"]["value"] == pytest.approx(repeat, abs=1e-3)
    assert ex_cx_link(engine, period=Period.parse("2025-Q4"), timezone="UTC").rows == []
