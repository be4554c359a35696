"""``otklik incidents``: the detect contract (keys, --since, --format), open from a detection,
ETA moves and resolve through the CLI, and the import hook when enabled."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from otklik.cli import main
from otklik.ledger import make_engine, upgrade, write_items

KEYS = ["key", "segment", "started_at", "detected_at", "observed", "expected", "score", "status"]
START = datetime(2025, 1, 6)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    rng = np.random.default_rng(11)
    rows = []
    for day in range(70):
        count = rng.poisson((8, 9, 8, 7, 9, 3, 2)[day % 7]) + (40 if day == 66 else 0)
        for number in range(count):
            rows.append(
                {
                    "external_id": f"d{day}-{number}",
                    "kind": "review",
                    "channel": "store",
                    "occurred_at": START + timedelta(days=day, minutes=int(rng.integers(0, 1440))),
                    "score": 1.0 if day == 66 else 4.0,
                    "scale": "rating5",
                }
            )
    write_items(engine, run_id=None, source="t", items=rows)
    engine.dispose()
    return url


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_detect_contract_and_incident_commands(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _json(
        capsys, "incidents", "detect", "--since", "2025-03-10", "--format", "json", "--db", store
    )
    assert isinstance(found, list) and found
    assert all(list(row) == KEYS for row in found)
    spike = next(row for row in found if row["key"] == "count/day/channel=store")
    # The alarm goes off on the spike's day; the onset may reach back over a day already
    # above its baseline at the 5% level.
    assert spike["detected_at"].startswith("2025-03-13")
    assert spike["started_at"] in ("2025-03-12T00:00:00Z", "2025-03-13T00:00:00Z")
    assert spike["status"] == "over"
    assert spike["observed"] >= 40
    later = _json(
        capsys, "incidents", "detect", "--since", "2025-03-15", "--format", "json", "--db", store
    )
    assert later == []
    opened = _json(
        capsys,
        "incidents",
        "open",
        "--from-detection",
        "count/day/channel=store",
        "--since",
        "2025-03-10",
        "--message-ru",
        "Приложение падает",
        "--message-en",
        "The app crashes",
        "--eta",
        "2025-03-13T20:00+00:00",
        "--at",
        "2025-03-13T19:00+00:00",
        "--team",
        "digital",
        "--format",
        "json",
        "--db",
        store,
    )
    assert opened["scopes"] == [{"field": "channel", "value": "store"}]
    assert opened["items"] > 40
    incident = str(opened["id"])
    moved = _json(
        capsys,
        "incidents",
        "eta",
        incident,
        "2025-03-14T10:00+00:00",
        "--note",
        "late",
        "--at",
        "2025-03-13T21:00+00:00",
        "--format",
        "json",
        "--db",
        store,
    )
    assert moved["eta_moves"] == 1 and [e["note"] for e in moved["etas"]] == ["first", "late"]
    done = _json(
        capsys,
        "incidents",
        "resolve",
        incident,
        "--at",
        "2025-03-14T08:00+00:00",
        "--resolution",
        "fixed",
        "--format",
        "json",
        "--db",
        store,
    )
    assert done["status"] == "resolved"
    again = _json(
        capsys, "incidents", "detect", "--since", "2025-03-10", "--format", "json", "--db", store
    )
    assert (
        next(r for r in again if r["key"] == "count/day/channel=store")["status"]
        == "resolved_incident"
    )
    score = _json(capsys, "incidents", "score", "--format", "json", "--db", store)
    assert score[0]["n"] == 1 and score[0]["kept"] == 0 and score[0]["eta_moves"] == 1


def test_bad_input_is_one_line(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incidents", "detect", "--since", "yesterday-ish", "--db", store]) == 2
    err = capsys.readouterr().err
    assert "cannot read --since" in err and "Traceback" not in err
    assert main(["incidents", "show", "999", "--db", store]) != 0
    assert "no incident 999" in capsys.readouterr().err
    assert (
        main(
            [
                "incidents",
                "open",
                "--title",
                "x",
                "--message-ru",
                "р",
                "--message-en",
                "e",
                "--scope",
                "planet=mars",
                "--db",
                store,
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    for scope, message in (
        (
            "topic=login",
            "unknown topic 'login': not in the taxonomy in force; did you mean app.login",
        ),
        ("topic", "write FIELD=VALUE, e.g. topic=app.login"),
    ):
        code = main(
            [
                "incidents",
                "open",
                "--title",
                "x",
                "--message-ru",
                "р",
                "--message-en",
                "e",
                "--scope",
                scope,
                "--db",
                store,
            ]
        )
        err = capsys.readouterr().err
        assert code != 0 and message in err and len(err.strip().splitlines()) == 1, err


def test_import_runs_detection_when_enabled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTKLIK_INCIDENTS_DETECT_ON_IMPORT", "true")
    data = tmp_path / "reviews.csv"
    data.write_text(
        "id,date,score,comment\n1,2025-03-01,1,bad\n2,2025-03-02,5,good\n", encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'o.db'}"
    shown = _json(
        capsys,
        "import",
        str(data),
        "--kind",
        "review",
        "--source",
        "s",
        "--format",
        "json",
        "--db",
        url,
    )
    assert shown["incidents"] == {"detections": [], "linked": 0, "alerts": []}
