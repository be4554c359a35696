"""The honest-ETA score is a catalogue metric a KPI can use, with the inflation guardrail."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from otklik.incidents import open_incident, resolve_incident
from otklik.kpi import evaluate, parse_kpis
from otklik.ledger import make_engine, upgrade
from otklik.metrics import compute, connect

KPIS = """
version: 1
kpis:
  - name: honest_eta
    title: {ru: Честные сроки, en: Honest ETA}
    metric: eta_kept
    scope: {owner_team: digital}
    period: month
    target: 80
    owner: digital
    guardrails:
      - metric: eta_inflation
        limit: 1.5
"""


def test_eta_kept_is_a_kpi_with_an_inflation_guardrail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    start = datetime(2025, 3, 3, 9)
    # Usual fix 2 h (the first); then 34 promises of 7 or 9 h, each kept in 2 h.
    for number, promise in enumerate((2, *[7, 9] * 17)):
        began = start + timedelta(hours=12 * number)
        made = open_incident(
            engine,
            title="t",
            message_ru="р",
            message_en="e",
            actor="a",
            started_at=began,
            eta_at=began + timedelta(hours=promise),
            owner_team="digital",
            at=began,
        )
        resolve_incident(
            engine,
            int(made["id"]),
            actor="a",
            resolution="",
            resolved_at=began + timedelta(hours=2),
        )
    source = connect(url)
    kept = compute("eta_kept", source, by="month")
    assert (kept[0].result.value, kept[0].result.n) == (100.0, 35)
    inflation = compute("eta_inflation", source, by="month")
    # Baselines: none for the first, then 2 h each: ratios 7/2 and 9/2, 17 times each.
    assert inflation[0].result.value == 4.0 and inflation[0].result.n == 34
    kpis, issues = parse_kpis(KPIS)
    assert kpis is not None, issues
    report = evaluate(kpis, source, period="2025-03").to_dict()
    kpi = report["kpis"][0]
    assert (kpi["kpi"], kpi["value"], kpi["status"]) == ("honest_eta", 100.0, "met")
    guard = kpi["guardrails"][0]
    assert (guard["guardrail"], guard["value"], guard["limit"]) == ("eta_inflation", 4.0, 1.5)
    assert guard["status"] == "broken"
    engine.dispose()
