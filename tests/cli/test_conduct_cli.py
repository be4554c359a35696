"""`otklik conduct` as a user runs it: the flags JSON contract, steps, status, one-line errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.ledger import make_engine, upgrade, write_items


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(sqlite_url: str) -> str:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            {
                "external_id": "e1",
                "kind": "contact",
                "occurred_at": datetime(2026, 2, 1),
                "text": "Ты дебил? Я тебя убью",
                "customer_id": "c1",
            },
            {
                "external_id": "e2",
                "kind": "contact",
                "occurred_at": datetime(2026, 1, 1),
                "text": "Ужасный сервис, верните деньги",
                "customer_id": "c1",
            },
        ],
    )
    engine.dispose()
    return sqlite_url


def test_scan_flags_apply_status(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "conduct", "scan", "--db", db)
    assert code == 0 and "scanned 2 items: 1 flagged (2 flags)" in out
    code, out, _ = run(
        capsys, "conduct", "flags", "--since", "2026-01-15", "--format", "json", "--db", db
    )
    flags = json.loads(out)
    assert code == 0
    assert [set(f) for f in flags] == [
        {"item_id", "external_id", "category", "confidence", "evidence"}
    ] * 2
    assert {(f["category"], f["evidence"]) for f in flags} == {
        ("insult", "д****"),
        ("threat", "т*** у***"),
    }
    code, out, _ = run(
        capsys, "conduct", "flags", "--since", "2026-03-01", "--format", "json", "--db", db
    )
    assert json.loads(out) == []
    item = str(flags[0]["item_id"])
    code, out, _ = run(
        capsys,
        "conduct",
        "apply",
        "--item",
        item,
        "--step",
        "warning",
        "--by",
        "anna",
        "--note",
        "угроза",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    assert [e["step"] for e in json.loads(out)] == ["warning", "block", "review"]
    code, out, _ = run(
        capsys, "conduct", "status", "--customer", "c1", "--format", "json", "--db", db
    )
    status = json.loads(out)
    assert status["blocked_until"] is not None and status["last_step"] == "review"
    code, out, _ = run(
        capsys,
        "conduct",
        "review",
        "--item",
        item,
        "--decision",
        "reverse",
        "--by",
        "sv",
        "--db",
        db,
    )
    assert code == 0 and "recorded reverse" in out
    code, out, _ = run(
        capsys, "conduct", "status", "--customer", "c1", "--format", "json", "--db", db
    )
    assert json.loads(out)["blocked_until"] is None
    code, out, _ = run(capsys, "conduct", "appeal", "--item", item, "--by", "cc", "--db", db)
    assert code == 0 and "appeal recorded: case" in out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "conduct", "apply", "--item", "1", "--step", "ban", "--by", "a", "--db", db
    )
    assert code != 0 and "warning, end or block" in err and "Traceback" not in err
    code, _, err = run(
        capsys, "conduct", "apply", "--item", "999", "--step", "end", "--by", "a", "--db", db
    )
    assert code != 0 and err.strip() == "error: item 999 does not exist"
    code, _, err = run(capsys, "conduct", "status", "--customer", "nobody", "--db", db)
    assert code != 0 and "nobody" in err
    bad = tmp_path / "p.yaml"
    bad.write_text("steps: []\n", encoding="utf-8")
    code, _, err = run(capsys, "conduct", "check", str(bad))
    assert code != 0 and f"{bad}:1: steps:" in err
