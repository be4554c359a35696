"""``otklik import`` on hostile values, warnings and ``--strict``, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from otklik.ledger import FeedbackItem, make_engine
from tests.cli.test_ledger_cli import run
from tests.conftest import DATA

VALUES = DATA / "values"
REPORT_KEYS = {
    "file",
    "source",
    "kind",
    "run_id",
    "read",
    "imported",
    "updated",
    "duplicates",
    "quarantined",
    "detected",
    "warnings",
}


def _stored(store_url: str) -> int:
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(FeedbackItem)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", ["hostile_contacts.jsonl", "hostile_contacts.csv"])
def test_hostile_file_imports_with_valid_json_and_no_traceback(
    capsys: pytest.CaptureFixture[str], store_url: str, name: str
) -> None:
    code, out, err = run(
        capsys,
        "import",
        str(VALUES / name),
        "--kind",
        "contact",
        "--format",
        "json",
        "--db",
        store_url,
    )
    assert code == 0, err
    assert "Traceback" not in out + err
    report = json.loads(out)
    assert set(report) == REPORT_KEYS
    assert report["imported"] == 2
    assert report["read"] == report["imported"] + report["duplicates"] + report["quarantined"]
    assert _stored(store_url) == 2

    code, out, _ = run(capsys, "quarantine", "list", "--format", "json", "--db", store_url)
    assert code == 0 and len(json.loads(out)) == report["quarantined"]


def test_strict_refuses_a_survey_without_scores_and_imports_nothing(
    capsys: pytest.CaptureFixture[str], store_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "comments.csv"
    path.write_text("Date,Comment\n2025-06-01,good\n2025-06-02,bad\n")
    args = ["import", str(path), "--kind", "survey", "--db", store_url]
    code, out, err = run(capsys, *args, "--strict")
    assert code != 0
    assert "no score column" in err and "--strict" in err and "nothing imported" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert _stored(store_url) == 0

    code, out, _ = run(capsys, *args)
    assert code == 0 and "warning" in out and "no score column" in out
    code, out, _ = run(capsys, *args, "--format", "json")
    assert json.loads(out)["warnings"][0].startswith("no score column")


def test_a_long_file_name_is_a_warning_not_a_store_error(
    capsys: pytest.CaptureFixture[str], store_url: str, tmp_path: Path
) -> None:
    path = tmp_path / ("отзывы_" + "x" * 210 + ".csv")
    shutil.copy(VALUES / "ivr_csat.csv", path)
    args = ["import", str(path), "--kind", "survey", "--format", "json", "--db", store_url]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    report = json.loads(out)
    assert len(report["source"]) == 200 and report["imported"] == 14
    assert "longer than 200" in report["warnings"][0]
    code, out, err = run(capsys, *args, "--strict")
    assert code != 0 and "longer than 200" in err


def test_comment_limit_setting(
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTKLIK_IMPORT_MAX_TEXT_CHARS", "10")
    path = tmp_path / "reviews.csv"
    path.write_text(
        "id,date,rating,comment\nr1,2025-06-01,5,0123456789\nr2,2025-06-01,1,0123456789!\n"
    )
    code, out, _ = run(
        capsys, "import", str(path), "--kind", "review", "--format", "json", "--db", sqlite_url
    )
    assert code == 0
    assert (json.loads(out)["imported"], json.loads(out)["quarantined"]) == (1, 1)
    code, out, _ = run(capsys, "quarantine", "list", "--format", "json", "--db", sqlite_url)
    (row,) = json.loads(out)
    assert (row["line"], row["field"]) == (3, "text") and "limit of 10" in row["reason"]
