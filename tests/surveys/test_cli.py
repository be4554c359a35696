"""``otklik survey``: create, invite (one or a CSV), the policy; and response rate by mechanic."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from otklik.cli import main
from otklik.ledger import FeedbackItem, make_engine
from otklik.surveys import LinkSigner, record_answer
from tests.surveys.conftest import PUBLIC_URL, SECRET


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OTKLIK_SECRET_KEY", SECRET)
    monkeypatch.setenv("OTKLIK_PUBLIC_URL", PUBLIC_URL + "/")
    monkeypatch.delenv("OTKLIK_SURVEY_POLICY", raising=False)
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_and_invite(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, out, _ = _run(
        capsys,
        "survey",
        "create",
        "--name",
        "checkout-nps",
        "--type",
        "nps",
        "--question",
        "Порекомендуете нас?",
        "--question",
        "en=Would you recommend us?",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    survey = json.loads(out)
    assert survey["id"] == 1 and survey["type"] == "nps" and survey["scale"] == "nps"
    assert survey["texts"]["en"]["question"] == "Would you recommend us?"
    reasons = tmp_path / "reasons.txt"
    reasons.write_text("Дорого\nПереезд\n", encoding="utf-8")
    code, out, _ = _run(
        capsys,
        "survey",
        "create",
        "--name",
        "leaving",
        "--type",
        "exit",
        "--reasons",
        str(reasons),
        "--db",
        db,
    )
    assert code == 0 and "survey 2 created: leaving (exit, reasons)" in out
    code, out, _ = _run(
        capsys,
        "survey",
        "invite",
        "--survey",
        "1",
        "--customer",
        "c-42",
        "--channel",
        "sms",
        "--expires-days",
        "3",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    link = json.loads(out)
    assert link["url"] == f"{PUBLIC_URL}/s/{link['token']}" and len(link["token"]) == 52
    assert (link["customer_id"], link["channel"], link["mechanic"], link["forced"]) == (
        "c-42",
        "sms",
        "link",
        False,
    )
    engine = make_engine(db)
    recorded = record_answer(engine, LinkSigner(SECRET), link["token"], {"score": "9"})
    engine.dispose()
    assert recorded.invitation_id == link["id"]
    code, out, _ = _run(capsys, "survey", "list", "--format", "json", "--db", db)
    assert [s["name"] for s in json.loads(out)] == ["checkout-nps", "leaving"]
    code, out, _ = _run(capsys, "survey", "close", "--survey", "2", "--db", db)
    assert code == 0 and "survey 2 (leaving) closed" in out
    code, _, err = _run(capsys, "survey", "invite", "--survey", "2", "--customer", "x", "--db", db)
    assert code == 7 and "is closed" in err


def test_the_policy_refuses_in_one_line_unless_forced(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    _run(capsys, "survey", "create", "--name", "q-nps", "--type", "nps", "--db", db)
    assert _run(capsys, "survey", "invite", "--survey", "1", "--customer", "c", "--db", db)[0] == 0
    code, out, err = _run(
        capsys, "survey", "invite", "--survey", "1", "--customer", "c", "--db", db
    )
    assert code == 8 and out == ""
    assert err.startswith("error: contact policy: customer c already has 1 nps invitation")
    assert len(err.strip().splitlines()) == 1 and "one-nps-a-quarter" in err
    code, out, _ = _run(
        capsys, "survey", "invite", "--survey", "1", "--customer", "c", "--force", "--db", db
    )
    assert code == 0 and "forced past" in out and f"{PUBLIC_URL}/s/" in out


def test_bulk_invitations_report_each_row(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    _run(capsys, "survey", "create", "--name", "csat", "--type", "csat", "--db", db)
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "клиент;канал;transaction\nk1;смс;op-1\nk2;push;op-2\nk1;sms;op-3\n;sms;op-4\n",
        encoding="cp1251",
    )
    code, out, err = _run(
        capsys,
        "survey",
        "invite",
        "--survey",
        "1",
        "--customers",
        str(customers),
        "--mechanic",
        "popup",
        "--format",
        "json",
        "--db",
        db,
    )
    rows = json.loads(out)
    assert [(r["row"], r["status"]) for r in rows] == [
        (2, "invited"),
        (3, "invited"),
        (4, "refused"),
        (5, "error"),
    ]
    assert rows[2]["rule"] == "one-survey-a-week" and rows[0]["url"].startswith(PUBLIC_URL)
    assert code == 7 and "2 of 4 invited; 1 refused" in err
    plain = tmp_path / "plain.csv"
    plain.write_text("p1\np2\n", encoding="utf-8")
    code, out, _ = _run(
        capsys,
        "survey",
        "invite",
        "--survey",
        "1",
        "--customers",
        str(plain),
        "--format",
        "csv",
        "--db",
        db,
    )
    assert code == 0 and out.splitlines()[0].startswith("row,customer_id,status")
    assert [line.split(",")[2] for line in out.splitlines()[1:]] == ["invited", "invited"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["survey", "invite", "--survey", "1"], 7, "give either --customer"),
        (["survey", "invite", "--survey", "9", "--customer", "c"], 6, "no survey 9"),
        (
            ["survey", "invite", "--survey", "1", "--customer", "c", "--channel", "fax"],
            7,
            "unknown channel 'fax'",
        ),
        (
            ["survey", "invite", "--survey", "1", "--customer", "c", "--mechanic", "toast"],
            7,
            "unknown mechanic 'toast'",
        ),
        (["survey", "create", "--name", "x", "--type", "poll"], 7, "unknown survey type"),
        (
            ["survey", "invite", "--survey", "1", "--customers", "/nonexistent.csv"],
            4,
            "cannot read",
        ),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], db: str, args: list[str], code: int, message: str
) -> None:
    _run(capsys, "survey", "create", "--name", "base", "--type", "nps", "--db", db)
    result, _, err = _run(capsys, *args, "--db", db)
    assert result == code and err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_links_need_a_real_secret(
    capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(capsys, "survey", "create", "--name", "base", "--type", "nps", "--db", db)
    monkeypatch.setenv("OTKLIK_SECRET_KEY", "changethis")
    code, _, err = _run(capsys, "survey", "invite", "--survey", "1", "--customer", "c", "--db", db)
    assert code == 2 and "OTKLIK_SECRET_KEY" in err


def test_policy_command_shows_and_validates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(capsys, "survey", "policy", "--format", "json")
    assert code == 0 and json.loads(out)["rules"][0]["name"] == "one-survey-a-week"
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {name: x, applies_to: [nps], counts: [nps], max: 1}\n")
    monkeypatch.setenv("OTKLIK_SURVEY_POLICY", str(bad))
    code, _, err = _run(capsys, "survey", "policy")
    assert code == 2 and str(bad) in err and "either window_days or per" in err


def test_response_rate_by_mechanic_end_to_end(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _run(capsys, "survey", "create", "--name", "app-nps", "--type", "nps", "--db", db)
    engine = make_engine(db)
    signer = LinkSigner(SECRET)
    plan = {"bottom-sheet": (60, 30), "popup": (60, 12)}
    for mechanic, (sent, answered) in plan.items():
        for i in range(sent):
            code, out, _ = _run(
                capsys,
                "survey",
                "invite",
                "--survey",
                "1",
                "--customer",
                f"{mechanic}-{i}",
                "--channel",
                "app",
                "--mechanic",
                mechanic,
                "--format",
                "json",
                "--db",
                db,
            )
            assert code == 0
            if i < answered:
                record_answer(engine, signer, json.loads(out)["token"], {"score": "8"})
    engine.dispose()
    code, out, _ = _run(
        capsys, "metrics", "response_rate", "--segment", "mechanic", "--format", "json", "--db", db
    )
    assert code == 0
    rows = {row["segment"]["mechanic"]: row for row in json.loads(out)}
    assert rows["bottom-sheet"]["value"] == pytest.approx(50.0) and rows["popup"]["n"] == 60
    assert rows["popup"]["value"] == pytest.approx(20.0)
    code, out, _ = _run(
        capsys,
        "metrics",
        "compare",
        "response_rate",
        "--segment-value",
        "mechanic=bottom-sheet",
        "--segment-value",
        "mechanic=popup",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0
    result = json.loads(out)
    assert result["difference"] == pytest.approx(-30.0) and result["significant"] is True
    code, out, _ = _run(
        capsys,
        "metrics",
        "response_rate",
        "--segment",
        "survey",
        "--segment",
        "channel",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0 and json.loads(out)[0]["segment"] == {"survey": "app-nps", "channel": "app"}


def test_operation_time_from_the_cli_sets_time_to_answer(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    assert _run(capsys, "survey", "create", "--name", "pay", "--type", "csat", "--db", db)[0] == 0
    operation = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=10)
    code, out, err = _run(
        capsys,
        "survey",
        "invite",
        "--survey",
        "1",
        "--customer",
        "c-1",
        "--db",
        db,
        "--operation-at",
        operation.isoformat(timespec="seconds"),
        "--format",
        "json",
    )
    assert code == 0, err
    engine = make_engine(db)
    record_answer(engine, LinkSigner(SECRET), json.loads(out)["token"], {"score": "4"})
    with engine.connect() as conn:
        attributes = conn.execute(
            select(FeedbackItem.attributes).where(FeedbackItem.source == "surveys")
        ).scalar_one()
    engine.dispose()
    assert 599 < attributes["seconds_to_answer"] < 700

    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id;operation_at\nc-2;не дата\n", encoding="utf-8")
    code, out, _ = _run(
        capsys,
        "survey",
        "invite",
        "--survey",
        "1",
        "--customers",
        str(customers),
        "--format",
        "json",
        "--db",
        db,
    )
    [row] = json.loads(out)
    assert row["status"] == "error" and "operation_at" in row["reason"]
