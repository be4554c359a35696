"""Every plan that ``search_items`` may choose gives the pages and totals of the plain plan,
on SQLite and PostgreSQL (issue 16, third round): the search statement compiled once and
reused with other words and dates, SQLite's ids of an index AND listed once, its sampled
share for the look-up plan and the budget taken from it, the index walk that reads ids
before rows, and PostgreSQL's choice between sorting the matches and walking the time index.

The expected pages are worked out in the test from the rules that made the comments (which
item carries which word, its zone, channel and time), not from the code under test.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from otklik.ledger import browse, search_items, write_items

N = 64
BASE = datetime(2025, 3, 1, 5, 0)
TEAMS = ["cards", "digital", None, "support"]
CHANNELS = ["app", "web", "call"]


def _words(i: int) -> list[str]:
    words = ["банк", "отзыв"]
    if i % 2 == 0:
        words.append("перевод")  # in half of the items
    if i % 5 == 0:
        words.append("карту")  # a fifth
    if i % 7 == 0:
        words.append("счёт")  # a seventh
    return words


def _item(i: int) -> dict[str, Any]:
    return {
        "external_id": f"i{i:02d}",
        "kind": "review",
        "occurred_at": BASE + timedelta(hours=11 * i),  # days cut by the ranges below
        "channel": CHANNELS[i % 3],
        "owner_team": TEAMS[i % 4],
        "text": " ".join(_words(i)).capitalize() + ".",
    }


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    write_items(engine, run_id=None, source="s", items=[_item(i) for i in range(N)])
    return engine


# the query's stems: «перевод», «карта» → «карту», «счет» → «счёт»
WANTED = {"перевод": "перевод", "карта": "карту", "счет": "счёт"}
RANGE = {"start": BASE + timedelta(days=3, hours=7), "end": BASE + timedelta(days=20, hours=2)}
ASKS: list[tuple[str, dict[str, Any]]] = [
    ("перевод", {}),
    ("карта перевод", {}),
    ("карта", {"filters": {"owner_team": ["cards"]}}),
    ("перевод", {"filters": {"channel": ["app"]}, **RANGE}),
    ("счет перевод", {"filters": {"owner_team": ["digital", None]}}),
    ("перевод", {"filters": {"kind": ["review"]}, "start": RANGE["start"]}),
    ("карта", {"scored": False, **RANGE}),
]


def _expected(q: str, kw: dict[str, Any]) -> list[str]:
    """External ids of the matching items, newest first, from the rules above."""
    found = []
    for i in range(N):
        item = _item(i)
        if not all(WANTED[word] in _words(i) for word in q.split()):
            continue
        filters = kw.get("filters", {})
        if any(item[name] not in allowed for name, allowed in filters.items() if name != "kind"):
            continue
        if "start" in kw and item["occurred_at"] < kw["start"]:
            continue
        if "end" in kw and item["occurred_at"] >= kw["end"]:
            continue
        found.append(i)
    return [f"i{i:02d}" for i in sorted(found, reverse=True)]  # later i: later time


PAGES = [(5, 0), (5, 3), (100, 0)]
CAPS = [None, 3]


def _check(engine: Engine) -> None:
    for q, kw in ASKS:
        expected = _expected(q, kw)
        assert expected, q  # every ask finds something
        for limit, offset in PAGES:
            for cap in CAPS:
                items, total = search_items(engine, q=q, limit=limit, offset=offset, cap=cap, **kw)
                got = [str(item["external_id"]) for item in items]
                assert got == expected[offset : offset + limit], (q, kw, limit, offset, cap)
                want = len(expected) if cap is None else min(len(expected), cap + 1)
                assert total == want, (q, kw, limit, offset, cap)


def test_the_expected_pages_are_what_the_rules_say() -> None:
    # spot checks of _expected by hand: items 0, 10, 20, … carry «перевод» and «карту»
    assert _expected("карта перевод", {})[:3] == ["i60", "i50", "i40"]
    # «счёт» and «перевод»: multiples of 14 (0, 14, 28, 42, 56); of them no zone
    # (i % 4 == 2): 14 and 42; zone digital (i % 4 == 1): none; 0, 28, 56 are cards
    assert _expected("счет перевод", {"filters": {"owner_team": ["digital", None]}}) == [
        "i42",
        "i14",
    ]


def test_default_plans(seeded: Engine) -> None:
    _check(seeded)


def test_the_same_statement_with_other_words_and_dates(seeded: Engine) -> None:
    """The compiled statement is cached per shape: asks of one shape with other words and
    other times one after the other each get their own results."""
    for first, second in [("перевод", "карта"), ("карта", "счет"), ("счет", "перевод")]:
        for q in (first, second, first):
            expected = _expected(q, RANGE)
            items, total = search_items(seeded, q=q, limit=100, **RANGE)  # type: ignore[arg-type]
            assert [str(item["external_id"]) for item in items] == expected
            assert total == len(expected)
    other = {"start": BASE + timedelta(days=1, hours=3), "end": BASE + timedelta(days=9, hours=20)}
    for kw in (RANGE, other, RANGE):
        expected = _expected("перевод", kw)
        items, _ = search_items(seeded, q="перевод", limit=100, **kw)  # type: ignore[arg-type]
        assert [str(item["external_id"]) for item in items] == expected


@pytest.mark.parametrize(
    "settings",
    [
        {"ID_LIST_CAP": 0},  # SQLite: the AND joined again for the page and the count
        {"ID_LIST_CAP": 2},  # listed up to 2, counted on in the index above
        {"DRIVE_BY_TIME": 0},  # SQLite: the index walk (ids first), with the listed ids
        {"DRIVE_BY_TIME": 0, "ID_LIST_CAP": 0},  # … with the index's ids
        {"DRIVE_BY_TIME": 0, "COUNT_BY_INDEX": 0},
        {"PROBE_SHARE": 3},  # SQLite: sampled share, the look-ups with its budget
        {"PROBE_SHARE": 3, "DENSE_WINDOW": 8},  # sampled among the newest 8 ids
        {"PROBE_SHARE": 3, "PROBE_BUDGET": 1},  # too few looked up: more, then the others
        {"PG_SORT_COST": 0},  # PostgreSQL, over the cap: every match sorted
        {"PG_SORT_COST": 0, "PG_COLLECT_EXTRA": -1},  # … and nothing collected first
        {"PG_COLLECT_EXTRA": -1, "PG_SORT_MAX": -1},  # PostgreSQL: page and count as before
        {"PG_SORT_COST": 10**9},  # PostgreSQL, over the cap: the planner's own plan
    ],
)
def test_every_plan_gives_the_plain_plans_pages(
    seeded: Engine, monkeypatch: pytest.MonkeyPatch, settings: dict[str, int]
) -> None:
    for name, value in settings.items():
        monkeypatch.setattr(browse, name, value)
    _check(seeded)
