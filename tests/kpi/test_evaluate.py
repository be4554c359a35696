"""Evaluating KPIs on a small store whose figures are worked out here (SQLite and PostgreSQL):
status against the target, "met" by noise, the trend, guardrails and the trend gaming flag."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import Engine

from otklik.kpi import evaluate, load_kpis
from otklik.ledger import write_items

KPIS = """\
version: 1
kpis:
  - name: support_aht
    metric: aht
    scope: {team: Support}
    target: 250
    owner: contact_center
    guardrails:
      - metric: repeat_rate
        tolerance: 2
  - name: support_transfers
    metric: transfer_rate
    scope: {team: Support}
    target: 11
    owner: contact_center
    guardrails:
      - metric: aht
        tolerance: 30
"""


def rows() -> list[dict[str, Any]]:
    """January: AHT about 300 s, nobody calls back. February: AHT about 200 s, but 60 of 150
    customers call again two days later (the agents cut calls short)."""
    out: list[dict[str, Any]] = []

    def add(at: datetime, customer: str, handle: float, transfers: int) -> None:
        i = len(out)
        out.append(
            {
                "external_id": f"c{i}",
                "kind": "contact",
                "channel": "call",
                "occurred_at": at,
                "customer_id": customer,
                "team": "Support",
                "agent": f"A{i % 8}",
                "handle_time_s": handle,
                "transfers": transfers,
                "ended_by": "customer",
            }
        )

    for i in range(200):
        add(
            datetime(2025, 1, 1 + i % 28, 9) + timedelta(minutes=i),
            f"jan{i}",
            300.0 + (i % 21 - 10) * 5,
            int(i % 10 == 0),
        )
    for i in range(150):
        first = datetime(2025, 2, 1 + i % 20, 10) + timedelta(minutes=i)
        add(first, f"feb{i}", 200.0 + (i % 21 - 10) * 5, int(i % 10 == 0))
        if i < 60:
            add(first + timedelta(days=2), f"feb{i}", 190.0 + (i % 7) * 3, int(i % 10 == 5))
    return out


def _feb(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in data if r["occurred_at"].month == 2]


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


@pytest.fixture
def kpi_file(tmp_path: Path) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text(KPIS, encoding="utf-8")
    return path


def test_report_on_both_stores(engine: Engine, kpi_file: Path) -> None:
    data = rows()
    write_items(engine, run_id=None, source="t", items=data)
    report = evaluate(load_kpis(kpi_file), engine, period="2025-02").to_dict()
    assert set(report) == {"kpis", "gaming"}
    aht, transfers = report["kpis"]
    assert set(aht) == {
        "kpi",
        "scope",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "target",
        "status",
        "trend",
        "guardrails",
    }
    feb = _feb(data)
    handle = np.array([r["handle_time_s"] for r in feb])
    half = stats.t.ppf(0.975, len(handle) - 1) * handle.std(ddof=1) / math.sqrt(len(handle))
    assert aht["scope"] == {"team": "Support"} and aht["n"] == len(feb) == 210
    assert aht["value"] == pytest.approx(handle.mean())
    assert aht["ci_high"] == pytest.approx(handle.mean() + half)
    assert aht["status"] == "met"  # the whole interval is below 250 s
    assert aht["trend"]["period"] == "2025-02" and aht["trend"]["previous_period"] == "2025-01"
    assert aht["trend"]["verdict"] == "better"
    (repeat,) = aht["guardrails"]
    assert repeat["guardrail"] == "repeat_rate" and repeat["baseline"] == 0.0
    assert repeat["value"] == pytest.approx(100 * 60 / 210)
    assert repeat["status"] == "broken" and repeat["p_value"] < 0.05
    # 10% of transfers against a target of 11%: the point meets it, the interval does not.
    k = sum(r["transfers"] >= 1 for r in feb)
    low, high = _wilson(k, len(feb))
    assert transfers["value"] == pytest.approx(100 * k / len(feb))
    assert (transfers["ci_low"], transfers["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert transfers["value"] < 11 < high and transfers["status"] == "not_significant"
    # The KPI got better while its guardrail broke: flagged with the evidence.
    (flag,) = report["gaming"]
    assert set(flag) == {"scope", "metric", "signals", "evidence"}
    assert flag["scope"] == {"team": "Support"} and flag["metric"] == "aht"
    assert flag["signals"] == ["aht_improved", "repeat_rate_worsened"]
    evidence = flag["evidence"]["metrics"]
    jan = np.array([r["handle_time_s"] for r in data if r["occurred_at"].month == 1])
    assert evidence["aht"]["previous"] == pytest.approx(jan.mean())
    assert evidence["repeat_rate"]["change"] == pytest.approx(100 * 60 / 210)


def test_rows_per_agent_and_small_samples(sqlite_url: str, kpi_file: Path) -> None:
    from tests.kpi.helpers import write_store

    data = rows()
    write_store(sqlite_url, data)
    report = evaluate(
        load_kpis(kpi_file),
        sqlite_url,
        period="2025-02",
        by="agent",
        names=["support_aht"],
        gaming=False,
    )
    feb = _feb(data)
    counts = {f"A{i}": sum(r["agent"] == f"A{i}" for r in feb) for i in range(8)}
    got = {r.scope["agent"]: r for r in report.results}
    assert {a: r.n for a, r in got.items()} == counts
    assert all(r.status == "small_sample" for r in got.values())  # about 26 calls each
    assert all(r.scope["team"] == "Support" for r in got.values())
    assert all(g.status == "small_sample" for r in got.values() for g in r.guardrails)


def test_default_period_is_the_latest_with_data(sqlite_url: str, kpi_file: Path) -> None:
    from tests.kpi.helpers import write_store

    write_store(sqlite_url, rows())
    report = evaluate(load_kpis(kpi_file), sqlite_url, gaming=False)
    assert {r.trend.period.label for r in report.results if r.trend.period} == {"2025-02"}


def test_compare_segments_matches_compare_one_by_one(sqlite_url: str) -> None:
    from otklik.metrics import Slice, compare, compare_segments
    from tests.kpi.helpers import write_store

    write_store(sqlite_url, rows())
    jan, feb = Slice.period("2025-01"), Slice.period("2025-02")
    for metric in ("aht", "repeat_rate", "transfer_rate"):
        together = compare_segments(metric, sqlite_url, jan, feb, segments=["agent"])
        assert set(together) == {(f"A{i}",) for i in range(8)}
        for (agent,), found in together.items():
            alone = compare(metric, sqlite_url, jan, feb, filters={"agent": agent})
            assert found.p_value == pytest.approx(alone.p_value)
            assert found.difference == pytest.approx(alone.difference)
    assert compare_segments("aht_median", sqlite_url, jan, feb, segments=["agent"]) == {}


def test_a_store_without_data_reports_no_data(engine: Engine) -> None:
    report = evaluate(load_kpis(), engine)
    assert [r.status for r in report.results] == ["small_sample"] * 7
    assert all(r.n == 0 and r.trend.period is None for r in report.results)
    assert report.gaming == []
