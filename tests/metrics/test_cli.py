"""``otklik metrics``: the shell only parses, calls ``otklik.metrics`` and formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.metrics import CATALOGUE, compute


@pytest.fixture
def db(sqlite_store: Path) -> str:
    return f"sqlite:///{sqlite_store}"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_rows(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(
        capsys,
        "metrics",
        "nps",
        "--by",
        "month",
        "--segment",
        "channel",
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    rows = json.loads(out)
    expected = compute(
        "nps", db, by="month", segments=["channel"], start=date(2024, 1, 1), end=date(2024, 4, 1)
    )
    assert rows == [row.to_dict() for row in expected]
    assert set(rows[0]) == {
        "metric",
        "period",
        "segment",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "flags",
        "scope",
        "timezone",
    }
    assert rows[0]["period"] == "2024-01-01" and "channel" in rows[0]["segment"]


def test_default_command_and_show_are_the_same(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _, plain, _ = _run(capsys, "metrics", "aht", "--format", "json", "--db", db)
    _, show, _ = _run(capsys, "metrics", "show", "aht", "--format", "json", "--db", db)
    assert plain == show and json.loads(plain)[0]["period"] == "all"


def test_csv_and_table(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(
        capsys,
        "metrics",
        "fcr",
        "--by",
        "quarter",
        "--kind",
        "contact",
        "--window-days",
        "3",
        "--format",
        "csv",
        "--db",
        db,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() == {"metric", "period", "value", "n", "ci_low", "ci_high", "flags"}
    assert rows[-1]["flags"] == "censored"
    code, out, _ = _run(capsys, "metrics", "csat", "--by", "month", "--channel", "app", "--db", db)
    assert code == 0
    assert "95% CI" in out and "2024-01-01" in out and "%" in out


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "metrics", "list", "--format", "json")
    assert code == 0
    assert [m["name"] for m in json.loads(out)] == list(CATALOGUE)
    code, out, _ = _run(capsys, "metrics", "list")
    assert code == 0 and "enps" in out


def test_compare_periods_and_segments(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(
        capsys,
        "metrics",
        "compare",
        "nps",
        "--period",
        "2024-01",
        "--period",
        "2024-02",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    result = json.loads(out)
    assert result["test"] == "NPS adjusted Wald z-test"
    assert result["significant"] == (result["p_value"] < 0.05)
    assert result["difference"] == pytest.approx(result["b"]["value"] - result["a"]["value"])
    code, out, _ = _run(
        capsys,
        "metrics",
        "compare",
        "csat",
        "--segment-value",
        "channel=app",
        "--segment-value",
        "channel=web",
        "--period",
        "2024-Q1",
        "--db",
        db,
    )
    assert code == 0
    assert "two-proportion z-test" in out and "p = " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "nsp"], "unknown metric 'nsp'; did you mean nps?"),
        (["metrics", "response_rate", "--segment", "kind"], "no field 'kind'"),
        (["metrics", "nps", "--from", "01.02.2024"], "is not a date"),
        (["metrics", "compare", "nps", "--period", "2024-01"], "compare needs two sides"),
        (["metrics", "nps", "--where", "team"], "is not FIELD=VALUE"),
        (["metrics", "nps", "--segment", "colour"], "no field 'colour'"),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], db: str, args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args, "--db", db)
    assert code == 5
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_response_rate_by_mechanic_and_its_comparison(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, _ = _run(
        capsys, "metrics", "response_rate", "--segment", "mechanic", "--format", "json", "--db", db
    )
    assert code == 0
    rows = json.loads(out)
    assert {row["segment"]["mechanic"] for row in rows} == {
        "link",
        "popup",
        "bottom-sheet",
        "success-screen",
    }
    assert all(row["ci_low"] <= row["value"] <= row["ci_high"] for row in rows)
    code, out, _ = _run(
        capsys,
        "metrics",
        "compare",
        "response_rate",
        "--segment-value",
        "mechanic=bottom-sheet",
        "--segment-value",
        "mechanic=popup",
        "--db",
        db,
    )
    assert code == 0
    assert "mechanic=popup vs mechanic=bottom-sheet" in out and "two-proportion z-test" in out


def test_sql(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(capsys, "metrics", "nps", "--by", "week", "--sql", "--db", db)
    assert code == 0 and out.lstrip().startswith("SELECT")


def test_missing_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "metrics", "nps", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 3 and "no store at" in err
