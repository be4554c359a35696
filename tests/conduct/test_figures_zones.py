"""The conduct figures counted in the database (per day and channel, per agent and team) equal
a direct count over the items in the test, for every period and for a team's zone, on SQLite and
PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from otklik.conduct import (
    PERIODS,
    agent_flag_rates,
    apply_step,
    item_flags,
    items_flags,
    load_policy,
    protection_figures,
    review,
    review_queue,
)
from otklik.conduct.figures import period_key
from otklik.ledger import ConductFlag, FeedbackItem, write_items

NOW = datetime(2026, 3, 1, 12, 0)
POLICY = load_policy()


def _items() -> list[dict[str, object]]:
    rng = random.Random(16)
    rows: list[dict[str, object]] = []
    start = datetime(2025, 12, 20)
    for i in range(300):
        agent = f"a{i % 7}"
        rows.append(
            {
                "external_id": f"c{i}",
                "kind": "contact",
                # Over two months, across week and year boundaries, at any time of day.
                "occurred_at": start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60)),
                "text": "Вы там совсем охуели?" if i % 11 == 0 else "Добрый день",
                "channel": rng.choice(["chat", "phone", None]),
                "customer_id": f"x{i % 40}",
                "agent": agent,
                # a6 moved team: "t2" on their earliest contact (i = 6), "t1" afterwards.
                "team": "t2" if agent == "a5" or i == 6 else "t1",
                "owner_team": "cx" if i % 3 else "payments",
            }
        )
    rows[6]["occurred_at"] = start - timedelta(days=1)
    rows.append({**rows[0], "external_id": "survey", "kind": "survey", "score": 5.0})
    return rows


def test_protection_figures_and_agent_rates_equal_a_direct_count(engine: Engine) -> None:
    rows = _items()
    write_items(engine, run_id=None, source="t", items=rows)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())
        # Flags by hand (the detector is tested elsewhere): high and low confidence.
        for row in rows:
            if row["kind"] == "contact" and row["text"] != "Добрый день":
                number = int(str(row["external_id"])[1:])
                conn.execute(
                    ConductFlag.__table__.insert(),
                    {
                        "item_id": ids[row["external_id"]],
                        "category": "insult",
                        "rule": "test",
                        "evidence": "охуели",
                        "start": 7,
                        "end": 13,
                        "confidence": 0.9 if number % 2 else 0.3,
                        "detected_at": NOW,
                    },
                )
    for row in rows[:30:4]:
        apply_step(
            engine, POLICY, ids[str(row["external_id"])], "end", by=str(row["agent"]), now=NOW
        )
    contacts = [row for row in rows if row["kind"] == "contact"]
    abusive = {
        str(row["external_id"])
        for row in contacts
        if row["text"] != "Добрый день" and int(str(row["external_id"])[1:]) % 2
    }
    for zone in (None, "payments"):
        mine = [row for row in contacts if zone is None or row["owner_team"] == zone]
        for period in PERIODS:
            figures = protection_figures(engine, POLICY, period=period, zone=zone)
            cells: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
            for row in mine:
                at = row["occurred_at"]
                assert isinstance(at, datetime)
                cell = cells[(period_key(at, period), row["channel"])]  # type: ignore[index]
                cell[0] += 1
                cell[1] += row["external_id"] in abusive
            got = {
                (r["period"], r["channel"]): [r["contacts"], r["abusive"]] for r in figures["rates"]
            }
            assert got == dict(cells), (zone, period)
            assert figures["handled"]["abusive_contacts"] == sum(k for _, k in cells.values())
        agents = {a.agent: a for a in agent_flag_rates(engine, zone=zone)}
        counts = Counter(str(row["agent"]) for row in mine)
        assert {name: a.contacts for name, a in agents.items()} == dict(counts)
        for name in counts:
            earliest = min(
                (row for row in mine if row["agent"] == name),
                key=lambda row: row["occurred_at"],  # type: ignore[arg-type,return-value]
            )
            assert agents[name].team == earliest["team"], (zone, name)
    assert {a.agent: a.team for a in agent_flag_rates(engine)}["a6"] == "t2"


@pytest.mark.parametrize("period", PERIODS)
def test_period_key_of_a_day_is_the_key_of_its_moments(period: str) -> None:
    moment = datetime(2025, 12, 29, 23, 59)  # ISO week 1 of 2026
    assert period_key(moment.date(), period) == period_key(moment, period)


def test_review_queue_is_the_surest_undecided_flags_of_the_zone(engine: Engine) -> None:
    rows = _items()
    write_items(engine, run_id=None, source="t", items=rows)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())
        for number in range(0, 120, 3):  # two flags on some items: the surest one counts
            for part in range(1 + number % 2):
                conn.execute(
                    ConductFlag.__table__.insert(),
                    {
                        "item_id": ids[f"c{number}"],
                        "category": "insult",
                        "rule": f"r{part}",
                        "evidence": "охуели",
                        "start": 7 - part,
                        "end": 13,
                        "confidence": round(0.5 + (number * 7 + part * 13) % 50 / 100, 2),
                        "detected_at": NOW,
                    },
                )
    decided = {f"c{number}" for number in range(0, 120, 9)}
    for external in sorted(decided):
        apply_step(engine, POLICY, ids[external], "warning", by="sv", now=NOW)
        review(engine, POLICY, ids[external], "confirm", by="sv", now=NOW)
    by_id = {ids[str(row["external_id"])]: row for row in rows if row["kind"] == "contact"}
    for zone, limit in ((None, 200), (None, 7), ("payments", 5)):
        expected = []
        for number in range(0, 120, 3):
            row = rows[number]
            confidences = [
                round(0.5 + (number * 7 + part * 13) % 50 / 100, 2)
                for part in range(1 + number % 2)
            ]
            best = max(confidences)
            if best < POLICY.min_confidence or row["external_id"] in decided:
                continue
            if zone is not None and row["owner_team"] != zone:
                continue
            item = ids[str(row["external_id"])]
            expected.append((-best, -by_id[item]["occurred_at"].timestamp(), item))  # type: ignore[union-attr]
        queue = review_queue(engine, POLICY, zone=zone, limit=limit)
        assert [r["item_id"] for r in queue] == [item for *_, item in sorted(expected)[:limit]]
        assert all(
            r["confidence"] == -key
            for (key, *_), r in zip(sorted(expected)[:limit], queue, strict=True)
        )
        spans = items_flags(engine, [r["item_id"] for r in queue])
        assert spans == {r["item_id"]: item_flags(engine, r["item_id"]) for r in queue}
        assert all(
            [f["start"] for f in spans[r["item_id"]]]
            == sorted(f["start"] for f in spans[r["item_id"]])
            for r in queue
        )
