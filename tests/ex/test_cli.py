"""``otklik ex report``, ``otklik ex link``, ``otklik ex staff import`` and ``otklik pillars``:
the JSON shapes of the library (the API's), the settings in force, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.cli import main


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    pulse = tmp_path / "pulse.csv"
    lines = ["id,date,score,team,department,tenure_years"]
    lines += [
        f"a{i},2025-02-{i + 1:02d},{(i * 7) % 11},Support,Service,{i / 3:.1f}" for i in range(12)
    ]
    pulse.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(pulse), "--kind", "employee", "--db", url]) == 0
    return url


def test_staff_import_and_report_json(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "employee_id,started_at,left_at,role,team,leave_reason\n"
        + "".join(
            f"e{i},2020-01-01,{'2025-02-10' if i < 6 else ''},operator,Support,"
            f"{'workload' if i < 6 else ''}\n"
            for i in range(12)
        ),
        encoding="utf-8",
    )
    assert main(["ex", "staff", "import", str(staff), "--format", "json", "--db", db]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert (imported["read"], imported["imported"], imported["skipped"]) == (12, 12, 0)
    costs = tmp_path / "costs.yaml"
    costs.write_text("currency: RUB\nroles: {operator: 1000}\n", encoding="utf-8")
    monkeypatch.setenv("OTKLIK_EX_COSTS", str(costs))
    monkeypatch.setenv("OTKLIK_EX_MIN_GROUP", "6")
    args = ["ex", "report", "--period", "2025-Q1", "--by", "tenure", "--format", "json"]
    assert main([*args, "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {
        "period",
        "by",
        "min_group",
        "currency",
        "figures",
        "turnover",
        "exit_reasons",
    }
    assert report["min_group"] == 6 and report["by"] == "tenure"
    bands = {c["group"]: c for c in report["figures"]}
    # tenure i/3 years: 0.0–0.67 → <1y (3), 1.0–2.67 → 1-3y (6), 3.0–3.67 → 3-5y (3)
    assert bands["1-3y"]["n"] == 6 and not bands["1-3y"]["suppressed"]
    assert bands["<1y"]["suppressed"] and bands["3-5y"]["suppressed"]
    (turnover,) = report["turnover"]
    assert turnover["value"] == pytest.approx(50.0) and turnover["n"] == 12
    (reason,) = report["exit_reasons"]
    assert (reason["reason"], reason["leavers"], reason["cost"]) == ("workload", 6, 6000.0)
    assert main(["ex", "report", "--db", db]) == 0
    assert "hidden (group too small)" not in capsys.readouterr().out


def test_link_and_pillars_json_and_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ex", "link", "--format", "json", "--db", db]) == 0
    link = json.loads(capsys.readouterr().out)
    assert link["rows"] == [] and link["reading"] == "association, not cause"
    assert main(["pillars", "--period", "2025-Q1", "--format", "json", "--db", db]) == 0
    pillars = json.loads(capsys.readouterr().out)
    assert pillars["points"] == [] and len(pillars["pillars"]) == 6
    assert main(["pillars", "--period", "2025-Q7", "--db", db]) != 0
    assert capsys.readouterr().err.startswith("error: cannot read period")
    missing = main(["ex", "staff", "import", "/nonexistent.csv", "--db", db])
    assert missing != 0 and "no such file" in capsys.readouterr().err
