"""EX ↔ CX: each team × quarter cell holds the team's eNPS and its customers' CSAT as computed
by hand, and the correlation across the cells equals numpy's Pearson r with Fisher's interval."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from otklik.ex import ex_cx_link
from otklik.ledger import write_items

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
