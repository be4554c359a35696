"""The ledger's commands as a user runs them: exit codes, JSON shapes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.ledger import head_revision
from tests.conftest import DATA


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_is_idempotent(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    code, out, _ = run(capsys, "init", "--db", store_url)
    assert code == 0 and "store ready" in out and f"schema {head_revision()}" in out
    code, out, _ = run(capsys, "init", "--db", store_url)
    assert code == 0 and f"schema {head_revision()}" in out


def test_import_json_report_then_reimport(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    args = [
        "import",
        str(DATA / "nps_ru_cp1251.csv"),
        "--kind",
        "survey",
        "--mapping",
        str(DATA / "nps_ru_moscow.yaml"),
        "--format",
        "json",
        "--db",
        store_url,
    ]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    report = json.loads(out)
    assert {"read", "imported", "duplicates", "quarantined", "run_id", "detected"} <= set(report)
    assert (report["read"], report["imported"], report["quarantined"]) == (10, 5, 5)
    assert report["detected"]["encoding"] == "cp1251"
    code, out, _ = run(capsys, *args)
    again = json.loads(out)
    assert (again["imported"], again["duplicates"]) == (0, 5)


def test_import_table_report_and_quarantine_list_formats(
    capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    code, out, _ = run(
        capsys, "import", str(DATA / "contacts_ru.tsv"), "--kind", "contact", "--db", sqlite_url
    )
    assert code == 0
    assert "quarantined" in out and "handle_time_s ← 'Длительность разговора'" in out
    assert "otklik quarantine list --run 1" in out

    code, out, _ = run(
        capsys, "quarantine", "list", "--run", "1", "--format", "json", "--db", sqlite_url
    )
    rows = json.loads(out)
    assert [(r["line"], r["field"]) for r in rows] == [
        (5, "ended_by"),
        (6, "handle_time_s"),
        (7, "transfers"),
    ]
    assert rows[0]["raw"]["Кто завершил"] == "кот"

    code, out, _ = run(capsys, "quarantine", "list", "--format", "csv", "--db", sqlite_url)
    records = list(csv.DictReader(io.StringIO(out)))
    assert [r["line"] for r in records] == ["5", "6", "7"]
    assert json.loads(records[1]["raw"])["Длительность разговора"] == "-3"

    code, out, _ = run(capsys, "quarantine", "list", "--db", sqlite_url)
    assert code == 0 and "contacts_ru.tsv" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", str(DATA / "not_text.csv"), "--kind", "survey"], "not a text file"),
        (["import", str(DATA / "missing.csv"), "--kind", "survey"], "no such file"),
        (["import", str(DATA / "csat_en_bom.csv"), "--kind", "nonsense"], "unknown kind"),
        (
            ["import", str(DATA / "csat_en_bom.csv"), "--kind", "survey", "--encoding", "klingon"],
            "unknown encoding",
        ),
    ],
)
def test_expected_failures_are_one_line(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args, "--db", sqlite_url)
    assert code != 0
    assert message in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1 or err.count("error:") == 1


def test_killed_import_is_completed_by_running_it_again(tmp_path: Path) -> None:
    """A real SIGKILL in the middle of a large import: whole batches only, then a re-run."""
    rows = 60_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id;Дата;Оценка;Комментарий\n")
        for n in range(rows):
            handle.write(f"{n};{1 + n % 28:02d}.03.2025 10:00;{n % 11};отзыв номер {n}\n")
    db = tmp_path / "kill.db"
    url = f"sqlite:///{db}"
    mapping = tmp_path / "m.yaml"
    mapping.write_text("scale: nps\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "otklik.cli",
        "import",
        str(path),
        "--kind",
        "survey",
        "--mapping",
        str(mapping),
        "--db",
        url,
        "--format",
        "json",
    ]
    env = {**os.environ, "OTKLIK_IMPORT_BATCH_SIZE": "1000"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stored = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    stored = conn.execute("SELECT count(*) FROM feedback_items").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 5000:
                break
        time.sleep(0.01)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM feedback_items").fetchone()[0]
    assert 0 < stored < rows
    assert stored % 1000 == 0  # whole batches only
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["imported"] + report["duplicates"] == rows
    assert report["duplicates"] == stored
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM feedback_items").fetchone()[0] == rows


def test_unreachable_store_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "init", "--db", "postgresql://postgres:pw@127.0.0.1:1/test")
    assert code == 3
    assert err.startswith("error: cannot open the store at postgresql+psycopg://postgres:***@")
    assert "pw" not in err and "Traceback" not in err
