"""``otklik experiment``: the contract's commands, flags and JSON shapes; one-line errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.demo.experiments import MECHANIC_KEY, ROLLOUT_KEY, load_experiments_demo
from otklik.experiments import bucket, sample_size_proportions
from otklik.ledger import make_engine, upgrade


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_create_assign_show_analyze(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    code = main(
        [
            "experiment",
            "create",
            "sheet",
            "--variant",
            "bottom-sheet",
            "--variant",
            "popup=3",
            "--metric",
            "response_rate",
            "--guardrail",
            "csat",
            "--mde",
            "5",
            "--baseline",
            "20",
            *db,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    n = sample_size_proportions(0.20, 0.05, alpha=0.05, power=0.8)
    assert f"{n} customers per variant" in out.replace("\n", " ")
    assigned = _json(
        capsys, "experiment", "assign", "sheet", "--customer", "c-7", "--format", "json", *db
    )
    # popup owns the last 3/4 of [0, 1)
    expected = "popup" if bucket("sheet", "sheet", "c-7") >= 0.25 else "bottom-sheet"
    assert assigned == {
        "experiment": "sheet",
        "customer": "c-7",
        "variant": expected,
        "contact_allowed": True,
        "reason": None,
    }
    listed = _json(capsys, "experiment", "list", "--format", "json", *db)
    assert [e["key"] for e in listed["experiments"]] == ["sheet"]  # type: ignore[index]
    shown = _json(capsys, "experiment", "show", "sheet", "--format", "json", *db)
    assert shown["sample_size_per_variant"] == n  # type: ignore[index]
    analysis = _json(capsys, "experiment", "analyze", "sheet", "--format", "json", *db)
    assert analysis["exposed"] == {
        "bottom-sheet": int(expected == "bottom-sheet"),
        "popup": int(expected == "popup"),
    }  # type: ignore[index]
    assert analysis["decision"] == "continue"  # type: ignore[index]
    assert main(["experiment", "analyze", "sheet", *db]) == 0
    assert "decision: continue" in capsys.readouterr().out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    assert main(["experiment", "create", "x", "--variant", "a", "--metric", "nps", *db]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: variants:") and "Traceback" not in err
    assert (
        main(
            [
                "experiment",
                "create",
                "x",
                "--variant",
                "a",
                "--variant",
                "b",
                "--metric",
                "nsp",
                *db,
            ]
        )
        != 0
    )
    assert "unknown metric 'nsp'" in capsys.readouterr().err
    assert main(["experiment", "show", "nope", *db]) != 0
    assert "no experiment 'nope'" in capsys.readouterr().err
    assert main(["experiment", "rollout", "nope", "--to", "20", *db]) != 0


def test_file_rollout_honesty_and_ratings(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    db = ("--db", sqlite_url)
    path = tmp_path / "e.yaml"
    path.write_text(
        "experiments:\n  - key: f\n    variants: [{name: a}, {name: b}]\n"
        "    metric: store_rating\n",
        encoding="utf-8",
    )
    assert main(["experiment", "create", "--file", str(path), *db]) == 0
    capsys.readouterr()
    ratings = tmp_path / "r.csv"
    ratings.write_text(
        "date,variant,stars,count\n2025-05-01,a,4,10\n2025-05-01,b,5,12\n", encoding="utf-8"
    )
    assert main(["experiment", "import-ratings", "f", str(ratings), *db]) == 0
    assert "2 rows" in capsys.readouterr().out
    ratings.write_text("date,variant,stars,count\n2025-05-01,zz,4,10\n", encoding="utf-8")
    assert main(["experiment", "import-ratings", "f", str(ratings), *db]) != 0
    assert f"{ratings}:2: unknown variant 'zz'" in capsys.readouterr().err
    rolled = _json(
        capsys, "experiment", "rollout", "f", "--to", "20", "--winner", "b", "--format", "json", *db
    )
    assert rolled == {
        "experiment": "f",
        "status": "rollout",
        "stage": 20,
        "winner": "b",
        "halted": False,
        "reason": None,
    }
    engine = make_engine(sqlite_url)
    upgrade(engine)
    load_experiments_demo(engine, end=datetime(2026, 1, 1), customers=300)
    engine.dispose()
    honesty = _json(capsys, "experiment", "honesty", "--format", "json", *db)
    mechanics = [m["mechanic"] for m in honesty["mechanics"]]  # type: ignore[index]
    assert mechanics[0] == "link" and {"popup", "bottom-sheet"} <= set(mechanics)
    listed = _json(capsys, "experiment", "list", "--format", "json", *db)
    assert {e["key"] for e in listed["experiments"]} == {"f", MECHANIC_KEY, ROLLOUT_KEY}  # type: ignore[index]
