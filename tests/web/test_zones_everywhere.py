"""Zones hold inside aggregates: a team user's KPI report, metrics, scorecards and exports
count only the items its team owns, and every figure agrees with the same figure computed by
hand from the seed rows (never copied from otklik's output)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest

from tests.web.conftest import MARKERS, WebEnv, hand_nps

Q1 = {"period": "2025-Q1"}


def _own(web: WebEnv, zone: str | None) -> list[dict[str, Any]]:
    """The NPS answers of Q1 2025 a user with ``zone`` may count (None: all of them)."""
    return [
        r for r in web.rows if r.get("scale") == "nps" and (zone is None or r["owner_team"] == zone)
    ]


def _report(web: WebEnv, role: str, **params: str) -> dict[str, Any]:
    response = web.client.get(
        "/api/v1/kpis/report", params={**Q1, **params}, headers=web.bearer(role)
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


@pytest.mark.parametrize("zone", ["payments", "cards"])
def test_team_kpi_report_counts_only_its_zone(web: WebEnv, zone: str) -> None:
    web.client.cookies.clear()
    report = _report(web, zone)
    value, n = hand_nps(_own(web, zone))
    assert n == (180 if zone == "payments" else 90)  # 60 or 30 answers a month, 3 months
    assert [r["kpi"] for r in report["kpis"]] == [f"{'pay' if zone == 'payments' else zone}_nps"]
    (result,) = report["kpis"]
    assert result["n"] == n and result["value"] == pytest.approx(value)
    assert result["scope"] == {"owner_team": zone}
    # The same figure from the user's own metrics.
    rows = web.client.get(
        "/api/v1/metrics/nps?from=2025-01-01&to=2025-03-31", headers=web.bearer(zone)
    ).json()
    assert rows[0]["n"] == result["n"] and rows[0]["value"] == pytest.approx(result["value"])
    # A guardrail whose metric has no zone field is "no data", never the company's figure.
    guards = {g["guardrail"]: g for g in result["guardrails"]}
    if "response_rate" in guards:
        assert guards["response_rate"]["value"] is None


@pytest.mark.parametrize("by", ["agent", "team", "channel"])
def test_team_kpi_report_by_segment_shows_only_its_agents(web: WebEnv, by: str) -> None:
    web.client.cookies.clear()
    report = _report(web, "payments", by=by)
    scopes = [r["scope"] for r in report["kpis"]]
    assert scopes and all(s["owner_team"] == "payments" for s in scopes)
    text = json.dumps(report)
    assert MARKERS["cards"] not in text and MARKERS[None] not in text
    own = _own(web, "payments")
    for result in report["kpis"]:
        value, n = hand_nps(own, **{by: result["scope"][by]})
        assert result["n"] == n and result["value"] == pytest.approx(value)
    assert sum(r["n"] for r in report["kpis"]) == len(own)


def test_admin_kpi_report_is_company_wide(web: WebEnv) -> None:
    web.client.cookies.clear()
    report = _report(web, "admin")
    value, n = hand_nps(_own(web, None))
    assert {r["kpi"] for r in report["kpis"]} == {"pay_nps", "cards_nps"}
    for result in report["kpis"]:
        assert result["scope"] == {} and result["n"] == n
        assert result["value"] == pytest.approx(value)


def test_scorecards_chart_and_explore_export_stay_in_the_zone(web: WebEnv) -> None:
    client = web.login("cards")
    page = client.get("/scorecards?period=2025-Q1&by=agent").text
    assert MARKERS["payments"] not in page and MARKERS[None] not in page
    figure = re.search(r'id="kpi-cards_nps" data-figure="([^"]+)"', page)
    assert figure
    trace = json.loads(html.unescape(figure.group(1)))["data"][0]
    assert sorted(trace["x"]) == [f"{MARKERS['cards']}-agent-{i}" for i in range(3)]
    exported = client.get("/explore?metric=nps&by=all&segment=team&format=csv&dialect=rfc").text
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    n_at = header.index("n")
    value, n = hand_nps(_own(web, "cards"))
    assert [row[header.index("team")] for row in body] == [f"{MARKERS['cards']}-desk"]
    assert int(body[0][n_at]) == n
    assert float(body[0][header.index("value")]) == pytest.approx(value, abs=0.05)


def test_the_definitions_stay_as_written(web: WebEnv) -> None:
    """The zone narrows what is counted, not what the KPI says: the list shows the file."""
    listed = web.client.get("/api/v1/kpis", headers=web.bearer("payments")).json()
    assert [(k["name"], k.get("scope", "company")) for k in listed["kpis"]] == [
        ("pay_nps", "company")
    ]
