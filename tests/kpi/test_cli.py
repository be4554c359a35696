"""``otklik kpi report`` and ``otklik kpi suggest`` on the demo store, figures checked against
the generator's rows."""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict

import numpy as np
import pytest
from typer.testing import CliRunner

from otklik.cli import app
from otklik.demo.scenario import GAMING_AGENT
from otklik.errors import MetricError
from tests.kpi.helpers import demo_contacts

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_report_json_has_the_contract(demo_url: str) -> None:
    out = json.loads(
        _run("kpi", "report", "--period", "2025-Q4", "--format", "json", "--db", demo_url)
    )
    assert set(out) == {"kpis", "gaming"}
    assert [k["kpi"] for k in out["kpis"]] == [
        "aht_calls",
        "fcr",
        "csat",
        "nps",
        "transfer_rate_calls",
        "fcr_digital",
        "repeat_rate_payments",
    ]
    for kpi in out["kpis"]:
        assert set(kpi) == {
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
        assert kpi["status"] in {"met", "missed", "not_significant", "small_sample"}
    calls = [r for r in demo_contacts() if r["channel"] == "call" and r["occurred_at"].month >= 10]
    aht = out["kpis"][0]
    assert aht["n"] == len(calls)
    assert aht["value"] == pytest.approx(np.mean([r["handle_time_s"] for r in calls]))
    csat = out["kpis"][2]
    response = next(g for g in csat["guardrails"] if g["guardrail"] == "response_rate")
    assert response["status"] == "no_data"  # no survey invitations in the demo store
    (flag,) = out["gaming"]
    assert set(flag) == {"scope", "metric", "signals", "evidence"}
    assert flag["scope"]["agent"] == GAMING_AGENT


def test_report_text_for_a_letter_and_table(demo_url: str) -> None:
    text = _run("kpi", "report", "--period", "2025", "--format", "text", "--db", demo_url)
    assert text.startswith("# KPI report\n")
    assert "## Average handle time of calls (aht_calls) — 2025" in text
    assert "## Possible gaming — check before acting" in text
    assert f"agent={GAMING_AGENT}** (aht_calls, 2025)" in text
    ru = _run(
        "kpi",
        "report",
        "--period",
        "2025",
        "--format",
        "text",
        "--lang",
        "ru",
        "--kpi",
        "aht_calls",
        "--db",
        demo_url,
    )
    assert ru.startswith("# Отчёт по KPI\n") and "при медиане коллег" in ru
    table = _run(
        "kpi",
        "report",
        "--period",
        "2025-Q4",
        "--by",
        "team",
        "--kpi",
        "aht_calls",
        "--db",
        demo_url,
    )
    assert "Contact" in table and "gaming" in table  # rich wraps at 80 columns
    bad = runner.invoke(app, ["kpi", "report", "--by", "region", "--db", demo_url])
    assert isinstance(bad.exception, MetricError)  # main() prints it as one line, exit code 5
    assert "cannot report by 'region'" in str(bad.exception)


def test_suggest_from_the_monthly_baseline(demo_url: str) -> None:
    out = json.loads(
        _run(
            "kpi", "suggest", "aht", "--scope", "channel=call", "--format", "json", "--db", demo_url
        )
    )
    months: dict[int, list[float]] = defaultdict(list)
    for r in demo_contacts():
        if r["channel"] == "call":
            months[r["occurred_at"].month].append(r["handle_time_s"])
    values = [float(np.mean(months[m])) for m in sorted(months)]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert [h["value"] for h in out["history"]] == pytest.approx(values)
    assert out["baseline"]["level"] == pytest.approx(mean)
    assert out["baseline"]["best"] == pytest.approx(min(values))
    assert not out["baseline"]["trend_used"]  # the demo's AHT has no trend
    spread = sd * math.sqrt(1 + 1 / len(values))
    assert out["forecast"] == pytest.approx(mean) and out["sd"] == pytest.approx(spread)
    z = (out["target"] - mean) / spread
    assert out["probability"] == pytest.approx(0.5 * (1 + math.erf(z / math.sqrt(2))))
    assert out["probability"] == pytest.approx(0.3, abs=0.03)  # rounded to whole seconds
    judged = json.loads(
        _run(
            "kpi",
            "suggest",
            "aht",
            "--scope",
            "channel=call",
            "--target",
            "300",
            "--format",
            "json",
            "--db",
            demo_url,
        )
    )
    assert judged["target"] == 300 and judged["probability"] < 1e-6
    assert any("never done it" in w for w in judged["warnings"])
    text = _run("kpi", "suggest", "fcr", "--db", demo_url)
    assert "left out 2025-12-01: censored" in text  # the last month's repeat window is cut
