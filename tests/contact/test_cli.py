"""``otklik contact``: the JSON shapes of the issue, one-line errors, imports, fatigue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no ./contact-policy.yaml: the shipped policy is in force
    return f"sqlite:///{tmp_path / 'c.db'}"


def test_check_record_and_the_json_shape(capsys: pytest.CaptureFixture[str], db: str) -> None:
    base = (
        "contact",
        "check",
        "--customer",
        "c1",
        "--type",
        "marketing",
        "--channel",
        "sms",
        "--format",
        "json",
        "--db",
        db,
    )
    code, out, _ = _run(capsys, *base, "--at", "2026-11-30T09:00", "--record")
    assert code == 0
    assert json.loads(out) == {
        "allowed": True,
        "reason": "ok: within the contact policy",
        "next_allowed_at": None,
    }
    code, out, _ = _run(capsys, *base, "--at", "2026-11-30T10:00")
    got = json.loads(out)
    assert set(got) == {"allowed", "reason", "next_allowed_at"}
    assert got["allowed"] is False and got["next_allowed_at"] == "2026-12-01T09:00:00Z"
    code, _, err = _run(
        capsys,
        "contact",
        "check",
        "--customer",
        "c1",
        "--type",
        "spam",
        "--channel",
        "sms",
        "--db",
        db,
    )
    assert code == 2 and err.startswith("error: unknown message type 'spam'")
    assert "Traceback" not in err


def test_import_fatigue_and_templates(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "customer,channel,type,sent_at,outcome\n"
        "a,sms,marketing,2026-11-01T10:00,answered\n"
        "a,sms,marketing,2026-11-08T10:00,complained\n"
        "b,sms,marketing,2026-11-08T10:00,bogus\n",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "contact", "import", str(path), "--format", "json", "--db", db)
    got = json.loads(out)
    assert code == 0 and (got["imported"], len(got["errors"])) == (2, 1)
    assert got["errors"][0] == {
        "file": str(path),
        "line": 4,
        "field": "outcome",
        "reason": got["errors"][0]["reason"],
    }
    code, out, _ = _run(
        capsys,
        "contact",
        "fatigue",
        "--days",
        "3660",
        "--format",
        "json",
        "--type",
        "marketing",
        "--db",
        db,
    )
    rows = {(r["channel"], r["bin"]): r for r in json.loads(out)["rows"]}
    assert rows[("sms", "0")]["response"]["rate"] == 1.0
    assert rows[("sms", "1")]["opt_out"]["rate"] == 1.0
    code, out, _ = _run(capsys, "contact", "template", "check", "--format", "json")
    assert code == 0 and {r["channel"] for r in json.loads(out)} >= {"sms", "push", "email"}
    code, out, _ = _run(capsys, "contact", "validate")
    assert code == 0 and "ok" in out
