"""Gaming detection on the demo (one planted agent), on synthetic teams (a fast agent who is
honest is not flagged) and on the real 1999 call-centre log (what it finds, stated honestly)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest

from otklik.demo.scenario import GAMING_AGENT, GAMING_TEAM
from otklik.kpi import KpiSet, evaluate, load_kpis
from tests.bank_log import bank_calls
from tests.kpi.helpers import demo_contacts, write_store


def _aht_kpi(**gaming: Any) -> KpiSet:
    return KpiSet.model_validate(
        {
            "gaming": gaming,
            "kpis": [
                {
                    "name": "aht",
                    "metric": "aht",
                    "scope": {"channel": "call"},
                    "target": 300,
                    "owner": "cc",
                    "guardrails": [
                        {"metric": "repeat_rate", "tolerance": 2},
                        {"metric": "agent_hangup_rate", "tolerance": 2},
                    ],
                }
            ],
        }
    )


def test_demo_flags_the_planted_agent_and_nobody_else(demo_url: str) -> None:
    report = evaluate(load_kpis(), demo_url, period="2025")
    (flag,) = report.gaming
    assert flag.scope == {"channel": "call", "team": GAMING_TEAM, "agent": GAMING_AGENT}
    assert flag.kpi == "aht_calls" and flag.metric == "aht"
    assert flag.signals == [
        "aht_below_peers",
        "repeat_rate_above_peers",
        "agent_hangup_rate_above_peers",
    ]
    # The evidence, recomputed from the generator's rows.
    calls = [r for r in demo_contacts() if r["channel"] == "call" and r["team"] == GAMING_TEAM]
    mine = [r for r in calls if r["agent"] == GAMING_AGENT]
    by_agent: dict[str, list[float]] = defaultdict(list)
    ended: dict[str, list[bool]] = defaultdict(list)
    for r in calls:
        by_agent[r["agent"]].append(r["handle_time_s"])
        ended[r["agent"]].append(r["ended_by"] == "agent")
    evidence = flag.evidence["metrics"]
    assert evidence["aht"]["n"] == len(mine)
    assert evidence["aht"]["value"] == pytest.approx(np.mean(by_agent[GAMING_AGENT]))
    means = [float(np.mean(v)) for v in by_agent.values()]
    assert evidence["aht"]["peer_median"] == pytest.approx(statistics.median(means))
    shares = [100 * float(np.mean(v)) for v in ended.values()]
    hangup = evidence["agent_hangup_rate"]
    assert hangup["value"] == pytest.approx(100 * np.mean(ended[GAMING_AGENT]))
    assert hangup["peer_median"] == pytest.approx(statistics.median(shares))
    assert hangup["value"] > 50 > 10 > hangup["peer_median"]
    assert evidence["repeat_rate"]["value"] > 3 * evidence["repeat_rate"]["peer_median"]
    assert flag.evidence["peers"] == len(by_agent) == 20
    assert evidence["aht"]["robust_z"] <= -2 and hangup["robust_z"] >= 3


def test_demo_quarters_flag_only_the_planted_agent(demo_url: str) -> None:
    for quarter in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        report = evaluate(load_kpis(), demo_url, period=quarter)
        assert [f.scope.get("agent") for f in report.gaming] == [GAMING_AGENT], quarter


def _team(agents: dict[str, dict[str, float]], calls: int = 120) -> list[dict[str, Any]]:
    """Calls of one team in March 2025; per agent: mean handle time, share ended by the agent
    and share of customers calling back two days later (exact counts, deterministic)."""
    rows: list[dict[str, Any]] = []
    start = datetime(2025, 3, 1, 9)
    for agent, plan in agents.items():
        hangups = round(plan["hangup"] * calls)
        back = round(plan["repeat"] * calls)
        for i in range(calls):
            at = start + timedelta(hours=i * 3)
            customer = f"{agent}-{i}"
            rows.append(
                {
                    "external_id": f"{agent}-{i}",
                    "kind": "contact",
                    "channel": "call",
                    "occurred_at": at,
                    "customer_id": customer,
                    "team": "Support",
                    "agent": agent,
                    "handle_time_s": plan["aht"] * (0.7 + 0.6 * (i % 11) / 10),
                    "ended_by": "agent" if i < hangups else "customer",
                }
            )
            if i < back:  # the callback is taken by someone else (not one of the agents)
                rows.append(
                    {
                        "external_id": f"{agent}-{i}-back",
                        "kind": "contact",
                        "channel": "call",
                        "occurred_at": at + timedelta(days=2),
                        "customer_id": customer,
                        "team": "Back office",
                        "agent": "Back office desk",
                        "handle_time_s": 300.0,
                        "ended_by": "customer",
                    }
                )
    return rows


_NORMAL = {"aht": 300.0, "hangup": 0.05, "repeat": 0.12}
_PEERS = {f"P{i}": {**_NORMAL, "aht": 260.0 + 12 * i} for i in range(7)}


def test_fast_agent_with_normal_repeats_is_not_flagged(sqlite_url: str) -> None:
    fast = {"aht": 140.0, "hangup": 0.06, "repeat": 0.13}  # fast and honest
    data = _team({**_PEERS, "Fast": fast})
    write_store(sqlite_url, data)
    report = evaluate(_aht_kpi(), sqlite_url, period="2025-03", names=["aht"])
    assert report.gaming == []
    # ...though the KPI itself does see the agent as far faster than peers.
    by_agent = evaluate(_aht_kpi(), sqlite_url, period="2025-03", by="agent", gaming=False)
    values = {r.scope["agent"]: r.value for r in by_agent.results if r.value is not None}
    expected = np.mean([r["handle_time_s"] for r in data if r["agent"] == "Fast"])
    assert values["Fast"] == pytest.approx(expected) and min(values.values()) == values["Fast"]
    peers = [np.mean([r["handle_time_s"] for r in data if r["agent"] == a]) for a in _PEERS]
    assert (np.median(peers) - expected) / (
        1.4826 * np.median(abs(peers - np.median(peers)))
    ) > 2  # "far below peers" on the KPI


def test_fast_agent_who_hangs_up_is_flagged_and_small_samples_are_not(sqlite_url: str) -> None:
    gamer = {"aht": 140.0, "hangup": 0.55, "repeat": 0.5}
    write_store(sqlite_url, _team({**_PEERS, "Gamer": gamer}))
    (flag,) = evaluate(_aht_kpi(), sqlite_url, period="2025-03").gaming
    assert flag.scope["agent"] == "Gamer"
    assert flag.signals == [
        "aht_below_peers",
        "repeat_rate_above_peers",
        "agent_hangup_rate_above_peers",
    ]
    assert flag.evidence["metrics"]["repeat_rate"]["value"] == pytest.approx(50.0)
    # Raise the bar above the agents' 120 calls: nobody is judged, nobody is flagged.
    assert evaluate(_aht_kpi(min_n=121), sqlite_url, period="2025-03").gaming == []
    # A peer group smaller than min_peers is not judged either.
    assert evaluate(_aht_kpi(min_peers=9), sqlite_url, period="2025-03").gaming == []


def test_real_1999_call_centre_log(bank_url: str) -> None:
    """The log has handle times and customer ids but no team and no "ended by" for answered
    calls, so the AHT KPI is guarded by repeat calls only. Nobody is flagged: no agent's AHT
    is two robust SDs below the others'. ELI is the outlier the other way (slow, 95% of his
    callers call again: he takes stock-exchange calls)."""
    report = evaluate(load_kpis(), bank_url, period="1999-02", by="agent", names=["aht_calls"])
    assert report.gaming == []
    answered = [c for c in bank_calls() if c["outcome"] == "AGENT" and c["server"] != "NO_SERVER"]
    times: dict[str, list[float]] = defaultdict(list)
    for call in answered:
        times[call["server"]].append(float(call["ser_time"]))
    rows = {r.scope["agent"]: r for r in report.results}
    assert {a: r.n for a, r in rows.items()} == {a: len(v) for a, v in times.items()}
    judged = {a: float(np.mean(v)) for a, v in times.items() if len(v) >= 30}
    median = statistics.median(judged.values())
    mad = statistics.median(abs(v - median) for v in judged.values())
    fastest = min(judged, key=judged.__getitem__)
    assert fastest == "IDIT"
    assert -2 < (judged[fastest] - median) / (1.4826 * mad) < -1  # fast, not far from peers
    hangup = {g.guardrail: g.status for g in rows[fastest].guardrails}["agent_hangup_rate"]
    assert hangup == "no_data"  # the log cannot say who ended an answered call
    repeat = evaluate(
        load_kpis(), bank_url, period="1999-02", by="agent", names=["fcr"], gaming=False
    )
    worst = min(repeat.results, key=lambda r: r.value if r.value is not None else 100)
    assert worst.scope["agent"] == "ELI" and worst.value is not None and worst.value < 10
    eli = [c["type"] for c in answered if c["server"] == "ELI"]
    assert eli.count("NE") / len(eli) > 0.85
