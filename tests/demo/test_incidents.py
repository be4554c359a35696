"""The demo's outage week is detected on its first day and becomes an incident whose ETA moved
twice; the status page shows it as customers saw it then."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from otklik.cli import main
from otklik.demo.incidents import DEMO_INCIDENT_TITLE
from otklik.demo.scenario import OUTAGE_START
from otklik.incidents import list_incidents, public_status
from otklik.ledger import make_engine


@pytest.mark.slow
def test_demo_outage_becomes_an_honest_incident(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--rows", "20000", "--no-serve", "--db", url]) == 0
    assert "status?at=2025-06-10T12:00" in capsys.readouterr().out
    engine = make_engine(url)
    [incident] = [i for i in list_incidents(engine) if i["title"] == DEMO_INCIDENT_TITLE]
    assert incident["detection_key"].startswith("count/day/topic=")
    assert incident["detected_at"].date() == OUTAGE_START.date()  # its first day
    assert incident["eta_moves"] == 2 and incident["status"] == "resolved"
    assert incident["items"] > 0
    then = public_status(engine, language="en", at=datetime(2025, 6, 10, 12))
    assert then["incidents"][0]["message"].startswith("Some customers cannot sign in")
    assert then["incidents"][0]["eta_moves"] == 1
    assert public_status(engine, language="en")["incidents"] == []
    engine.dispose()
