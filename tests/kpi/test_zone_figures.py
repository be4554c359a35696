"""The KPI report's fast path (repeat metrics sorting only the contacts a period needs, each
distinct figure computed once per report, the latest period found from the last contact) gives
the figures computed here straight from the rows, for the whole store and inside a team's zone,
overall and per team."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from otklik.kpi import evaluate, kpis_in_force, load_kpis
from otklik.ledger import make_engine
from otklik.metrics import connect
from otklik.routing import teams_in_force
from tests.web.conftest import settings_for

ZONE = "contact_center"


@pytest.fixture(scope="module")
def zoned_url(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo bank with its calls owned by the contact centre (the other items: nobody)."""
    path = tmp_path_factory.mktemp("zoned") / "demo.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE feedback_items SET owner_team = NULL"))
        conn.execute(
            text(f"UPDATE feedback_items SET owner_team = '{ZONE}' WHERE channel = 'call'")
        )
    engine.dispose()
    return url


def _contacts(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT occurred_at, customer_id, channel, team, owner_team FROM feedback_items "
                "WHERE kind = 'contact' AND customer_id IS NOT NULL"
            )
        ).mappings()
        found = [
            {**row, "occurred_at": datetime.fromisoformat(str(row["occurred_at"]))} for row in rows
        ]
    engine.dispose()
    return found


def _repeated(contacts: list[dict[str, Any]], window: int) -> list[bool]:
    """Per contact: another contact of the same customer in (t, t + window days]."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for row in contacts:
        times[row["customer_id"]].append(row["occurred_at"])
    out = []
    for row in contacts:
        t = row["occurred_at"]
        later = [m for m in times[row["customer_id"]] if m > t]
        out.append(bool(later) and min(later) <= t + timedelta(days=window))
    return out


def _month(day: datetime) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, 1)
    end = datetime(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return start, end


@pytest.mark.parametrize("zone", [None, ZONE])
def test_fcr_and_repeat_guardrail_equal_the_rows(zoned_url: str, zone: str | None) -> None:
    settings = settings_for(zoned_url)
    kpis = load_kpis(kpis_in_force(settings), teams=teams_in_force(settings))
    if zone is not None:  # what the web app shows a team user (otklik.web.kpis)
        kpis = kpis.model_copy(update={"kpis": kpis.owned_by(zone)}).within({"owner_team": zone})
    source = connect(zoned_url)
    source.timezone = "UTC"
    try:
        report = evaluate(kpis, source, names=["fcr", "aht_calls"], gaming=False)
        by_team = evaluate(kpis, source, names=["fcr"], by="team", gaming=False)
    finally:
        source.close()
    contacts = _contacts(zoned_url)
    week, month = _repeated(contacts, 7), _repeated(contacts, 30)
    mine = [i for i, row in enumerate(contacts) if zone is None or row["owner_team"] == zone]
    start, end = _month(max(contacts[i]["occurred_at"] for i in mine))
    inside = [i for i in mine if start <= contacts[i]["occurred_at"] < end]
    fcr = next(r for r in report.results if r.kpi.name == "fcr")
    assert fcr.trend.period is not None
    assert fcr.trend.period.start == date(start.year, start.month, 1)
    assert fcr.n == len(inside)
    assert fcr.value == pytest.approx(100 * sum(not week[i] for i in inside) / len(inside))
    repeat30 = next(g for g in fcr.guardrails if g.guardrail == "repeat_rate")
    assert repeat30.value == pytest.approx(100 * sum(month[i] for i in inside) / len(inside))
    before_start, _ = _month(start - timedelta(days=1))
    before = [i for i in mine if before_start <= contacts[i]["occurred_at"] < start]
    assert fcr.trend.previous == pytest.approx(100 * sum(not week[i] for i in before) / len(before))
    # The calls' KPI: its repeat-rate guardrail over the calls of its latest month.
    aht = next(r for r in report.results if r.kpi.name == "aht_calls")
    assert aht.trend.period is not None
    calls = [
        i
        for i in mine
        if contacts[i]["channel"] == "call"
        and aht.trend.period.start <= contacts[i]["occurred_at"].date() < aht.trend.period.end
    ]
    repeat7 = next(g for g in aht.guardrails if g.guardrail == "repeat_rate")
    assert repeat7.n == len(calls)
    assert repeat7.value == pytest.approx(100 * sum(week[i] for i in calls) / len(calls))
    # Per team: each team's own contacts, never another's.
    teams: dict[str, list[int]] = defaultdict(list)
    for i in inside:
        teams[contacts[i]["team"]].append(i)
    got = {r.scope["team"]: (r.n, r.value) for r in by_team.results}
    assert set(got) == {team for team in teams if team is not None}
    for team, members in teams.items():
        if team is None:
            continue
        n, value = got[team]
        assert n == len(members)
        assert value == pytest.approx(100 * sum(not week[i] for i in members) / len(members))


def test_a_zone_without_contacts_has_no_fcr_period(zoned_url: str, tmp_path: Path) -> None:
    settings = settings_for(zoned_url)
    kpis = load_kpis(kpis_in_force(settings), teams=teams_in_force(settings))
    source = connect(zoned_url)
    source.timezone = "UTC"
    try:
        report = evaluate(kpis.within({"owner_team": "payments"}), source, names=["fcr"])
    finally:
        source.close()
    [result] = report.results
    assert (result.status, result.row, result.trend.period) == ("small_sample", None, None)
