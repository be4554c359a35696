"""The planted patterns, found again from the generated rows with plain Python.

Nothing here reads the generator's internals: each check is what an analyst would compute from
the ledger's columns, so the patterns are really in the data, not only in the code.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest

from otklik.demo import generate
from otklik.demo.scenario import (
    BOUNCE_PRODUCT,
    BOUNCE_TOUCHPOINT,
    GAMING_AGENT,
    GROWING_REASON,
    OUTAGE_START,
)

Rows = list[dict[str, Any]]
_LOW = {"nps": 6, "csat5": 2, "rating5": 2, "ces7": 3, "csat10": 4}
_LOGIN_WORDS = (
    "войти",
    "вход",
    "зайти",
    "log in",
    "login",
    "sign in",
    "masuk",
    "login",
    "الدخول",
    "iniciar sesión",
    "entrar",
    "acceder",
)


@pytest.fixture(scope="module")
def items() -> dict[str, Rows]:
    return generate(50_000, seed=42).items()


def _week(row: dict[str, Any]) -> tuple[int, int]:
    iso = row["occurred_at"].isocalendar()
    return iso.year, iso.week


def _outage_week() -> tuple[int, int]:
    iso = OUTAGE_START.isocalendar()
    return iso.year, iso.week


def _full_weeks(counts: Counter[tuple[int, int]]) -> list[int]:
    # The first and last ISO weeks of 2025 are cut by the year boundary.
    weeks = sorted(counts)
    return [counts[week] for week in weeks[1:-1]]


def test_outage_week_has_a_multiple_of_the_usual_complaints(items: dict[str, Rows]) -> None:
    feedback = items["demo-surveys"] + items["demo-reviews"]
    low = Counter(_week(row) for row in feedback if row["score"] <= _LOW[row["scale"]])
    assert low[_outage_week()] > 3 * statistics.median(_full_weeks(low))
    assert low.most_common(1)[0][0] == _outage_week()

    login = Counter(
        _week(row)
        for row in feedback + items["demo-contacts"]
        if row["text"] and any(word in row["text"].lower() for word in _LOGIN_WORDS)
    )
    assert login[_outage_week()] > 5 * statistics.median(_full_weeks(login))
    outage_texts = [row["text"] for row in feedback if _week(row) == _outage_week() and row["text"]]
    assert any("не могу войти в приложение" in text.lower() for text in outage_texts)


def test_outage_week_ratings_and_queues(items: dict[str, Rows]) -> None:
    stars: dict[bool, list[float]] = defaultdict(list)
    for row in items["demo-reviews"]:
        if row["channel"] == "store":
            stars[_week(row) == _outage_week()].append(row["score"])
    assert statistics.mean(stars[True]) < statistics.mean(stars[False]) - 1.5
    waits: dict[bool, list[float]] = defaultdict(list)
    for row in items["demo-contacts"]:
        if row["channel"] == "call":
            waits[_week(row) == _outage_week()].append(row["wait_time_s"])
    assert statistics.median(waits[True]) > 2.5 * statistics.median(waits[False])


def _came_back(contacts: Rows, days: int = 7) -> list[bool]:
    """For each contact: did the same customer contact us again within ``days``?"""
    times: dict[str, list[Any]] = defaultdict(list)
    for row in contacts:
        times[row["customer_id"]].append(row["occurred_at"])
    for moments in times.values():
        moments.sort()
    flags = []
    for row in contacts:
        moments = times[row["customer_id"]]
        after = bisect.bisect_right(moments, row["occurred_at"])
        flags.append(
            after < len(moments) and moments[after] <= row["occurred_at"] + timedelta(days=days)
        )
    return flags


def test_gaming_agent_stands_out_on_every_guardrail(items: dict[str, Rows]) -> None:
    contacts = items["demo-contacts"]
    by_agent: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row, returned in zip(contacts, _came_back(contacts), strict=True):
        if row["channel"] != "call":
            continue
        stats = by_agent[row["agent"]]
        stats["handle"].append(row["handle_time_s"])
        stats["by_agent"].append(row["ended_by"] == "agent")
        stats["back"].append(returned)
    agents = {name: stats for name, stats in by_agent.items() if len(stats["handle"]) >= 50}
    assert GAMING_AGENT in agents and len(agents) >= 10
    median_handle = {name: statistics.median(s["handle"]) for name, s in agents.items()}
    ended = {name: statistics.mean(s["by_agent"]) for name, s in agents.items()}
    callback = {name: statistics.mean(s["back"]) for name, s in agents.items()}
    peers = [name for name in agents if name != GAMING_AGENT]

    # Found without knowing the name: he is the extreme on each measure.
    assert min(median_handle, key=median_handle.__getitem__) == GAMING_AGENT
    assert max(ended, key=ended.__getitem__) == GAMING_AGENT
    assert max(callback, key=callback.__getitem__) == GAMING_AGENT
    # And by a wide margin.
    assert median_handle[GAMING_AGENT] < 0.5 * min(median_handle[name] for name in peers)
    assert ended[GAMING_AGENT] > 3 * max(ended[name] for name in peers)
    assert callback[GAMING_AGENT] > 2 * statistics.median(callback[name] for name in peers)
    assert callback[GAMING_AGENT] > max(callback[name] for name in peers) + 0.15


def test_transfers_concentrate_on_the_partner_touchpoint(items: dict[str, Rows]) -> None:
    contacts = items["demo-contacts"]
    total = Counter(row["touchpoint"] for row in contacts)
    moved = Counter(row["touchpoint"] for row in contacts if row["transfers"] >= 1)
    rate = {touchpoint: moved[touchpoint] / total[touchpoint] for touchpoint in total}
    assert max(rate, key=rate.__getitem__) == BOUNCE_TOUCHPOINT
    rest = (sum(moved.values()) - moved[BOUNCE_TOUCHPOINT]) / (
        sum(total.values()) - total[BOUNCE_TOUCHPOINT]
    )
    assert rate[BOUNCE_TOUCHPOINT] > 5 * rest
    assert total[BOUNCE_TOUCHPOINT] / len(contacts) < 0.12
    assert moved[BOUNCE_TOUCHPOINT] / sum(moved.values()) > 0.3

    bounced = [r for r in contacts if r["touchpoint"] == BOUNCE_TOUCHPOINT and r["transfers"]]
    assert all(row["product"] == BOUNCE_PRODUCT for row in bounced)
    assert {row["team"] for row in bounced} >= {"Insurance partner", "Contact center"}
    assert statistics.mean(row["transfers"] for row in bounced) >= 1.5
    paths = Counter(row["attributes"]["transfer_path"] for row in bounced)
    assert all("insurance partner" in path and "bank" in path for path in paths)


_PASSED_AROUND = (
    "переключали",
    "перевели",
    "перекидывают",
    "футболят",
    "в страховую",
    "transferred",
    "bounced",
    "send me back",
    "sends me",
)


def test_bounced_customers_write_about_being_passed_around(items: dict[str, Rows]) -> None:
    texts = [
        row["text"].lower()
        for row in items["demo-contacts"] + items["demo-surveys"]
        if row["touchpoint"] == BOUNCE_TOUCHPOINT
        and row["text"]
        and row["language"] in ("ru", "en")
        and (row["score"] is None or row["score"] <= _LOW[row["scale"]])
    ]
    assert len(texts) > 100
    about_transfers = sum(any(word in text for word in _PASSED_AROUND) for text in texts)
    assert about_transfers / len(texts) > 0.5
    elsewhere = [
        row["text"].lower()
        for row in items["demo-contacts"]
        if row["touchpoint"] != BOUNCE_TOUCHPOINT and row["text"] and row["language"] == "ru"
    ]
    assert sum(any(word in text for word in _PASSED_AROUND) for text in elsewhere) == 0


def test_growing_churn_reason_rises_through_the_year(items: dict[str, Rows]) -> None:
    exits = items["demo-exit"]
    months: dict[int, list[bool]] = defaultdict(list)
    for row in exits:
        months[row["occurred_at"].month].append(row["attributes"]["churn_reason"] == GROWING_REASON)
    assert sorted(months) == list(range(1, 13))
    share = {month: statistics.mean(flags) for month, flags in months.items()}
    slope = statistics.linear_regression(list(share), list(share.values())).slope
    assert slope > 0.02  # more than two points of share per month
    assert share[12] > 3 * share[1]
    quarters = [
        statistics.mean(flag for month in range(q, q + 3) for flag in months[month])
        for q in (1, 4, 7, 10)
    ]
    assert quarters == sorted(quarters) and len(set(quarters)) == 4
    # It is that reason which grows: no other reason's share climbs like it.
    first = Counter(r["attributes"]["churn_reason"] for r in exits if r["occurred_at"].month <= 3)
    last = Counter(r["attributes"]["churn_reason"] for r in exits if r["occurred_at"].month >= 10)
    for reason in set(first) - {GROWING_REASON}:
        share_q1 = first[reason] / first.total()
        share_q4 = last[reason] / last.total()
        assert share_q4 < share_q1 + 0.05, reason
    assert last[GROWING_REASON] / last.total() > first[GROWING_REASON] / first.total() + 0.2


def test_exit_comments_match_their_reason(items: dict[str, Rows]) -> None:
    fee_texts = [
        row["text"].lower()
        for row in items["demo-exit"]
        if row["language"] == "ru" and row["attributes"]["churn_reason"] == GROWING_REASON
    ]
    assert fee_texts and all("комисси" in text for text in fee_texts)


def test_period_covers_twelve_months(items: dict[str, Rows]) -> None:
    months = {
        date(row["occurred_at"].year, row["occurred_at"].month, 1)
        for rows in items.values()
        for row in rows
    }
    assert len(months) == 12
