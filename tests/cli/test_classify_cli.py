"""``otklik validate``, ``classify``, ``label`` and ``cases`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from otklik.cli import main
from tests.conftest import DATA


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _import(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, object]:
    code, out, err = run(
        capsys,
        "import",
        str(DATA / "feedback_classify.csv"),
        "--kind",
        "survey",
        "--source",
        "sample",
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, err
    return dict(json.loads(out))


def test_validate_shipped_and_broken_configs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0 and out.startswith("ok: ") and "topics" in out and "teams" in out
    broken = tmp_path / "taxonomy.yaml"
    broken.write_text(
        "version: 1\ndefault_owner: cx\ntypes: {}\nsentiments: {}\ntopics:\n"
        "  - id: app\n    owner: ghosts\n    keywords: {klingon: [qapla]}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "validate", "--taxonomy", str(broken))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert f"{broken}:3: types: missing the type 'complaint'" in lines
    assert f"{broken}:7: topics.0.owner: unknown team 'ghosts' (teams: " in "\n".join(lines)
    assert any(line.startswith(f"{broken}:8: topics.0.keywords.klingon: ") for line in lines)
    assert lines[-1].endswith("problem(s) found")


def test_import_classifies_when_configured(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _import(capsys, sqlite_url)
    assert "classification" not in report  # off by default
    monkeypatch.setenv("OTKLIK_CLASSIFY_ON_IMPORT", "true")
    code, out, err = run(
        capsys,
        "import",
        str(DATA / "feedback_classify.csv"),
        "--kind",
        "survey",
        "--source",
        "again",
        "--db",
        sqlite_url,
    )
    assert code == 0, err
    assert "classified / классифицировано: 24 of 24 items" in out  # the first import's too
    code, out, _ = run(capsys, "classify", "--format", "json", "--db", sqlite_url)
    assert json.loads(out)["classified"] == 0


def test_classify_label_loop_and_cases(
    capsys: pytest.CaptureFixture[str], store_url: str, tmp_path: Path
) -> None:
    _import(capsys, store_url)
    code, out, err = run(capsys, "classify", "--format", "json", "--db", store_url)
    assert code == 0, err
    report = json.loads(out)
    assert report["classified"] == 12 and sum(report["by_method"].values()) == 12
    # no trained model: type and topics are the rules'; the sentiment of an item the rules find
    # nothing in may come from the shipped model, and only then is the item stored as "model"
    parts = report["by_part"]
    assert parts["type"] == {"rules": 12} and parts["topics"] == {"rules": 12}
    assert report["by_method"].get("rules+shipped", 0) == parts["sentiment"].get("shipped", 0)
    assert set(report["by_method"]) <= {"rules", "rules+shipped"}
    assert report["cases_opened"] >= 5
    code, out, _ = run(capsys, "classify", "--all", "--db", store_url)
    assert code == 0 and "12 of 12 items" in out
    # read by two worker processes: the same answers and no second case for any item
    code, out, _ = run(
        capsys, "classify", "--all", "--processes", "2", "--format", "json", "--db", store_url
    )
    again = json.loads(out)
    assert code == 0 and again["classified"] == 12 and again["cases_opened"] == 0
    assert (again["by_method"], again["by_part"], again["by_type"]) == (
        report["by_method"],
        report["by_part"],
        report["by_type"],
    )
    code, _, err = run(capsys, "classify", "--processes", "-1", "--db", store_url)
    assert code == 2 and "greater than or equal to 0" in err

    # the review queue as a sheet to fill in, least certain first
    code, out, _ = run(
        capsys, "label", "queue", "--limit", "3", "--format", "csv", "--db", store_url
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and [r["type"] for r in rows] == ["", "", ""]
    confidences = [float(r["confidence"]) for r in rows]
    assert confidences == sorted(confidences)
    code, out, _ = run(capsys, "cases", "list", "--format", "json", "--db", store_url)
    had_case = {case["item_id"] for case in json.loads(out)}
    # r12 is the only row with an owner in the file (claims_desk): the import's owner wins
    # over any topic, so its case never moves
    owned = {case["item_id"] for case in json.loads(out) if case["team"] == "claims_desk"}
    # and the least certain item that has no case yet: a human label that makes it a complaint
    # opens one, in the team of the label's topic
    code, out, _ = run(capsys, "label", "queue", "--format", "csv", "--db", store_url)
    rows += [
        next(
            row
            for row in csv.DictReader(io.StringIO(out))
            if int(row["item_id"]) not in had_case
            and row["item_id"] not in {r["item_id"] for r in rows}
        )
    ]
    for row in rows:
        row.update(type="complaint", topic="cards", sentiment="negative")
    sheet = io.StringIO()
    writer = csv.DictWriter(sheet, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "labels_filled.csv"
    path.write_text(sheet.getvalue(), encoding="utf-8")
    code, out, err = run(
        capsys, "label", "import", str(path), "--format", "json", "--by", "anna", "--db", store_url
    )
    assert code == 0, err
    assert json.loads(out)["created"] == 4
    code, out, _ = run(capsys, "label", "queue", "--format", "json", "--db", store_url)
    queued = {row["item_id"] for row in json.loads(out)}
    assert not queued & {int(row["item_id"]) for row in rows}

    code, out, _ = run(
        capsys, "cases", "list", "--team", "cards", "--format", "json", "--db", store_url
    )
    cards = json.loads(out)
    assert all(case["team"] == "cards" for case in cards)
    # a case is opened for each newly labelled complaint; an item that had one keeps it, and
    # its open case follows the item to the label's team (cards), with anna as the actor,
    # unless the import gave the item its owner
    assert {case["item_id"] for case in cards} == {int(row["item_id"]) for row in rows} - owned
    moved = [case for case in cards if case["item_id"] in had_case]
    for case in moved:
        code, out, _ = run(
            capsys, "cases", "show", str(case["id"]), "--format", "json", "--db", store_url
        )
        last = json.loads(out)["events"][-1]
        assert (last["action"], last["actor"]) == ("relabelled", "anna"), last
        assert "→ cards: a human label" in last["note"]
    code, out, _ = run(capsys, "cases", "list", "--overdue", "--format", "json", "--db", store_url)
    assert json.loads(out) == []
    case_id = str(cards[0]["id"])
    code, out, _ = run(capsys, "cases", "assign", case_id, "olga", "--db", store_url)
    assert code == 0 and "in_progress, assigned to olga" in out
    code, out, _ = run(
        capsys,
        "cases",
        "close",
        case_id,
        "--note",
        "called back",
        "--format",
        "json",
        "--db",
        store_url,
    )
    assert json.loads(out)["status"] == "closed"
    code, out, _ = run(capsys, "cases", "show", case_id, "--format", "json", "--db", store_url)
    actions = [event["action"] for event in json.loads(out)["events"]]
    relabelled = ["relabelled"] if cards[0]["item_id"] in had_case else []  # moved to cards
    assert actions == ["opened", *relabelled, "assigned", "closed"]
    code, out, _ = run(capsys, "cases", "list", "--status", "all", "--db", store_url)
    assert code == 0 and "Cases" in out
    code, _, err = run(capsys, "cases", "close", "424242", "--note", "x", "--db", store_url)
    assert (
        code == 6
        and err.strip() == "error: no case 424242; `otklik cases list` shows the open ones"
    )
    code, _, err = run(capsys, "cases", "close", case_id, "--note", "x", "--db", store_url)
    assert code == 2 and "is closed" in err


def test_model_train_then_classify_with_it(
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _import(capsys, sqlite_url)
    kinds = {"r2": "praise", "r3": "suggestion", "r4": "question", "r6": "praise"}
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "source,external_id,type\n"
        + "".join(f"sample,r{i},{kinds.get(f'r{i}', 'complaint')}\n" for i in range(1, 13)),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "label", "import", str(labels), "--db", sqlite_url)
    assert code == 0, err
    models = tmp_path / "models"
    code, out, err = run(
        capsys,
        "model",
        "train",
        "--target",
        "type",
        "--method",
        "tfidf",
        "--model-dir",
        str(models),
        "--format",
        "json",
        "--db",
        sqlite_url,
    )
    assert code == 0, err
    trained = json.loads(out)["targets"][0]
    assert trained["target"] == "type" and trained["n"] == 11  # r11 has no text
    assert trained["saved"] == str(models / "type.model") and (models / "type.model").exists()
    monkeypatch.setenv("OTKLIK_MODEL_DIR", str(models))
    code, out, err = run(capsys, "classify", "--all", "--format", "json", "--db", sqlite_url)
    assert code == 0, err
    report = json.loads(out)
    # type from the trained model (11 items with text), topics from the rules, sentiment from
    # the rules or, where they find nothing, the shipped model; r11 (no text): all rules
    by_method = report["by_method"]
    assert by_method["rules"] == 1 and set(by_method) <= {
        "rules",
        "model+rules",
        "model+rules+shipped",
    }
    assert by_method.get("model+rules", 0) + by_method.get("model+rules+shipped", 0) == 11
    shipped = report["by_part"]["sentiment"].get("shipped", 0)
    assert by_method.get("model+rules+shipped", 0) == shipped
    assert report["by_part"]["type"] == {"model": 11, "rules": 1}
    assert report["models"]["type"].startswith("type:")


@pytest.mark.parametrize(
    ("value", "says"),
    [("-1", "greater than or equal to 0"), ("two", "valid integer"), ("", "valid integer")],
)
def test_a_wrong_setting_is_one_line_naming_the_variable(
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv("OTKLIK_CLASSIFY_PROCESSES", value)
    code, out, err = run(capsys, "classify", "--db", sqlite_url)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: OTKLIK_CLASSIFY_PROCESSES={value!r}: ") and says in err
