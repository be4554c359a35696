"""EX figures against hand computations and independent statistics (scipy), on SQLite and
PostgreSQL: anonymity on import, the minimum group, eNPS/eCSI, turnover, exit reasons × cost."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import Engine, select

from otklik.cli import main
from otklik.errors import InputFileError, MetricError
from otklik.ex import (
    ex_cells,
    ex_report,
    exit_reasons,
    fisher_correlation,
    import_staff,
    parse_costs,
    tenure_band,
    turnover,
    write_staff,
)
from otklik.ingest import import_file
from otklik.ledger import FeedbackItem, write_items
from otklik.metrics import Period, compute

Z = 1.959963984540054


def _answer(i: int, team: str, score: float, scale: str = "nps", **extra: Any) -> dict[str, Any]:
    return {
        "external_id": f"{team}-{scale}-{i}",
        "kind": "employee",
        "occurred_at": datetime(2025, 2, 1 + i % 27, 10),
        "score": score,
        "scale": scale,
        "team": team,
        **extra,
    }


# Support: 8 answers, Sales: 6, Legal: 4 (under the minimum of 5), IT: 5.
SCORES = {
    "Support": [0, 3, 6, 7, 9, 10, 10, 2],
    "Sales": [9, 9, 10, 8, 6, 9],
    "Legal": [10, 10, 9, 0],
    "IT": [7, 8, 9, 3, 10],
}


def _rocks(scores: list[float]) -> tuple[float, float, float]:
    """NPS and Rocks's adjusted Wald interval, from the paper's formula."""
    n = len(scores)
    p, d = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
    pp, pd = (p + 0.75) / (n + 3), (d + 0.75) / (n + 3)
    half = Z * math.sqrt((pp + pd - (pp - pd) ** 2) / (n + 3))
    value = 100 * (p - d) / n
    return value, max(-100, 100 * (pp - pd - half)), min(100, 100 * (pp - pd + half))


@pytest.fixture
def answers(engine: Engine) -> Engine:
    rows = [
        _answer(i, team, float(score), department=None)
        for team, scores in SCORES.items()
        for i, score in enumerate(scores)
    ]
    for row in rows:
        row.pop("department")
        row["attributes"] = {"department": "Ops" if row["team"] in ("Support", "Sales") else "HQ"}
    write_items(engine, run_id=None, source="pulse", items=rows)
    return engine


def test_enps_by_team_by_hand_and_small_groups_hidden(answers: Engine) -> None:
    cells = {c.group: c for c in ex_cells(answers, by="team", timezone="UTC") if c.metric == "enps"}
    for team in ("Support", "Sales"):
        value, low, high = _rocks([float(s) for s in SCORES[team]])
        cell = cells[team]
        assert cell.n == len(SCORES[team]) and not cell.suppressed
        assert cell.value == pytest.approx(value)
        low_shown, high_shown = min(low, value), max(high, value)
        assert (cell.ci_low, cell.ci_high) == pytest.approx((low_shown, high_shown))
    # Legal (4) is under 5: hidden; then the next smallest (IT, 5) too, so Legal cannot be
    # recovered from the company's figure minus the others.
    for team in ("Legal", "IT"):
        assert cells[team].suppressed
        assert (cells[team].value, cells[team].n, cells[team].ci_low) == (None, None, None)
    # The same figure as the catalogue's eNPS by team (one definition).
    catalogue = {
        r.segment["team"]: r for r in compute("enps", answers, segments=["team"], timezone="UTC")
    }
    assert catalogue["Support"].value == pytest.approx(cells["Support"].value)
    assert catalogue["Support"].ci_low == pytest.approx(cells["Support"].ci_low)


def test_minimum_group_is_enforced_in_the_library(answers: Engine) -> None:
    with pytest.raises(MetricError):
        ex_cells(answers, by="team", min_group=1)
    with pytest.raises(MetricError):
        ex_cells(answers, by="salary")
    loose = {c.group: c for c in ex_cells(answers, by="team", min_group=4, timezone="UTC")}
    assert not loose["Legal"].suppressed and loose["Legal"].n == 4
    company = [c for c in ex_cells(answers, timezone="UTC") if c.metric == "enps"]
    assert [c.n for c in company] == [sum(len(s) for s in SCORES.values())]


def test_department_split_and_tenure_bands(answers: Engine) -> None:
    cells = {c.group: c for c in ex_cells(answers, by="department", timezone="UTC")}
    ops = [float(s) for s in SCORES["Support"] + SCORES["Sales"]]
    assert cells["Ops"].n == len(ops) and cells["Ops"].value == pytest.approx(_rocks(ops)[0])
    assert [tenure_band(x) for x in (0.2, 1, 2.9, 3, 4.99, 5, 30)] == [
        "<1y",
        "1-3y",
        "1-3y",
        "3-5y",
        "3-5y",
        "5y+",
        "5y+",
    ]


def test_ecsi_is_a_mean_with_a_t_interval(engine: Engine) -> None:
    scores = [1, 2, 4, 5, 5, 3, 4]
    write_items(
        engine,
        run_id=None,
        source="pulse",
        items=[_answer(i, "Support", float(s), scale="csat5") for i, s in enumerate(scores)],
    )
    (cell,) = [c for c in ex_cells(engine, timezone="UTC") if c.metric == "ecsi"]
    low, high = stats.t.interval(
        0.95, len(scores) - 1, loc=np.mean(scores), scale=stats.sem(scores)
    )
    assert cell.value == pytest.approx(np.mean(scores))
    assert (cell.ci_low, cell.ci_high) == pytest.approx((low, high))
    (catalogue,) = compute("ecsi", engine, timezone="UTC")  # the catalogue's eCSI agrees
    assert catalogue.value == pytest.approx(cell.value) and catalogue.n == cell.n
    assert catalogue.ci_low == pytest.approx(cell.ci_low)


def test_employee_answers_are_stored_anonymous(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "pulse.csv"
    path.write_text(
        "id,date,score,team,customer_id,agent,employee_id,comment\n"
        "r1,2025-03-01,9,Support,E-17,Ivanov,E-17,ok\n"
        "r2,2025-03-02,3,Support,E-18,Petrov,E-18,tired\n",
        encoding="utf-8",
    )
    import_file(engine, path, kind="employee")
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedbackItem.customer_id, FeedbackItem.agent, FeedbackItem.attributes)
        ).all()
    assert len(rows) == 2
    for customer_id, agent, attributes in rows:
        assert customer_id is None and agent is None
        found = json.loads(attributes) if isinstance(attributes, str) else attributes or {}
        assert "employee_id" not in found
    # A company that keeps ids says so: then they are stored.
    kept = tmp_path / "kept.csv"
    kept.write_text(path.read_text(encoding="utf-8").replace("r1", "k1").replace("r2", "k2"))
    import_file(engine, kept, kind="employee-exit", keep_employee_ids=True)
    with engine.connect() as conn:
        ids = conn.execute(
            select(FeedbackItem.customer_id).where(FeedbackItem.kind == "employee-exit")
        ).scalars()
        assert sorted(ids) == ["E-17", "E-18"]


def test_import_cli_accepts_employee_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "exit.csv"
    path.write_text("id,date,score,comment\nx1,2025-03-01,4,Переработки\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'o.db'}"
    assert main(["import", str(path), "--kind", "employee-exit", "--db", db]) == 0


STAFF = [
    # id, started, left, role, team, reason
    ("a1", datetime(2020, 1, 1), None, "operator", "Support", None),
    ("a2", datetime(2021, 5, 1), datetime(2025, 2, 10), "operator", "Support", "workload"),
    ("a3", datetime(2024, 8, 1), datetime(2025, 3, 1), "operator", "Support", "workload"),
    ("a4", datetime(2019, 1, 1), datetime(2025, 1, 20), "developer", "IT", "pay"),
    ("a5", datetime(2022, 1, 1), None, "developer", "IT", None),
    ("a6", datetime(2023, 1, 1), datetime(2024, 12, 1), "operator", "Support", "pay"),
    ("a7", datetime(2025, 2, 1), datetime(2025, 3, 15), "operator", "Support", "workload"),
    ("a8", datetime(2018, 1, 1), None, "manager", "IT", None),
    ("a9", datetime(2017, 1, 1), datetime(2025, 3, 20), "manager", "IT", "career"),
    ("a10", datetime(2016, 1, 1), None, "operator", "Support", None),
    ("a11", datetime(2016, 1, 1), datetime(2025, 1, 5), "operator", "Support", "workload"),
    ("a12", datetime(2016, 1, 1), datetime(2025, 1, 6), "operator", "Support", "workload"),
]


def _staff(engine: Engine) -> None:
    write_staff(
        engine,
        [
            dict(
                zip(
                    ("employee_id", "started_at", "left_at", "role", "team", "leave_reason"),
                    row,
                    strict=True,
                )
            )
            for row in STAFF
        ],
        source="hr",
    )


def test_turnover_by_hand_with_a_wilson_interval(engine: Engine) -> None:
    _staff(engine)
    q1 = Period.parse("2025-Q1")
    (company,) = turnover(engine, period=q1, timezone="UTC")
    start, end = datetime(2025, 1, 1), datetime(2025, 4, 1)
    base = [r for r in STAFF if r[1] < start and (r[2] is None or r[2] >= start)]
    left = [r for r in base if r[2] is not None and r[2] < end]
    assert (company.n, len(left)) == (10, 6)  # a6 left before, a7 started inside the quarter
    ci = stats.binomtest(len(left), len(base)).proportion_ci(method="wilson")
    assert company.value == pytest.approx(100 * len(left) / len(base))
    assert (company.ci_low, company.ci_high) == pytest.approx((100 * ci.low, 100 * ci.high))
    by_team = {c.group: c for c in turnover(engine, period=q1, by="team", timezone="UTC")}
    # IT had 4 people at the start: hidden; Support then too (company − Support = IT).
    assert by_team["IT"].suppressed and by_team["Support"].suppressed
    shown = {c.group: c for c in turnover(engine, period=q1, by="team", min_group=4)}
    assert shown["Support"].n == 6 and shown["Support"].value == pytest.approx(100 * 4 / 6)
    assert shown["IT"].n == 4 and shown["IT"].value == pytest.approx(100 * 2 / 4)


def test_exit_reasons_times_cost(engine: Engine) -> None:
    _staff(engine)
    costs = parse_costs("currency: RUB\ndefault: 100\nroles: {operator: 10, developer: 50}\n")
    q1 = Period.parse("2025-Q1")
    found = {r.reason: r for r in exit_reasons(engine, period=q1, costs=costs, timezone="UTC")}
    # Q1 leavers: a2 a3 a7 a11 a12 workload (operators), a4 pay (developer), a9 career (manager)
    workload = found["workload"]
    assert (workload.leavers, workload.cost) == (5, 50.0)
    ci = stats.binomtest(5, 7).proportion_ci(method="wilson")
    assert workload.share == pytest.approx(100 * 5 / 7)
    assert (workload.ci_low, workload.ci_high) == pytest.approx((100 * ci.low, 100 * ci.high))
    # pay and career have one leaver each: pooled as "other reasons", 2 < 5, so hidden.
    assert found[None].suppressed and found[None].cost is None
    assert set(found) == {"workload", None}
    loose = {r.reason: r for r in exit_reasons(engine, period=q1, costs=costs, min_group=2)}
    assert loose[None].leavers == 2 and loose[None].cost == 150.0
    report = ex_report(engine, period="2025-Q1", costs=costs, timezone="UTC").to_dict()
    assert report["currency"] == "RUB" and report["exit_reasons"][0]["reason"] == "workload"


def test_staff_import_reads_russian_headers_and_updates(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "Табельный номер;Дата приема;Дата увольнения;Должность;Отдел;Команда;Причина увольнения\n"
        "001;01.02.2020;;оператор;Сервис;Поддержка;\n"
        "002;15.03.2021;10.01.2025;оператор;Сервис;Поддержка;нагрузка\n"
        "003;;;оператор;Сервис;Поддержка;\n"
        "004;01.02.2024;01.01.2023;оператор;Сервис;Поддержка;\n",
        encoding="utf-8",
    )
    report = import_staff(engine, path)
    assert (report.read, report.imported, report.updated) == (4, 2, 0)
    assert [p["line"] for p in report.problems] == [4, 5]
    assert "started_at is missing" in report.problems[0]["reason"]
    again = import_staff(engine, path)
    assert (again.imported, again.updated) == (0, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,age\nx,1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no employee_id column"):
        import_staff(engine, bad)


def test_fisher_interval_matches_scipy_and_covers() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=12)
    y = 0.6 * x + rng.normal(size=12)
    r, low, high = fisher_correlation(list(x), list(y))
    expected = stats.pearsonr(x, y)
    ci = expected.confidence_interval(0.95)
    assert r == pytest.approx(expected.statistic)
    assert (low, high) == pytest.approx((ci.low, ci.high))
    assert fisher_correlation([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]) == (None, None, None)
    # Coverage by simulation: rho = 0.5, 15 cells, 1,000 samples.
    rho, k, covered = 0.5, 15, 0
    cov = [[1, rho], [rho, 1]]
    for _ in range(1000):
        sample = rng.multivariate_normal([0, 0], cov, size=k)
        _, lo, hi = fisher_correlation(list(sample[:, 0]), list(sample[:, 1]))
        assert lo is not None and hi is not None
        covered += lo <= rho <= hi
    assert 0.93 <= covered / 1000 <= 0.97
