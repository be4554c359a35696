"""Search fixes of issue 16, on SQLite and PostgreSQL: irregular Russian forms join through
the dictionary word, a query of stop words is told apart from a query that found nothing,
SQLite's index answers zone, channel and date range itself (and follows a routing change at
once), and totals can stop at a cap.

Every expected value is worked out by hand from the comments below.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from otklik.ledger import (
    only_stop_words,
    query_notice,
    search_items,
    write_items,
    write_owner_facets,
)
from otklik.ledger.search import Facets, fts_match, query_groups

COMMENTS = [
    # (external_id, occurred_at (UTC), channel, owner_team, comment)
    ("p1", datetime(2025, 5, 31, 20, 59), "app", "cards", "Люди стоят в очереди"),
    ("p2", datetime(2025, 5, 31, 21, 0), "web", "cards", "Один человек обслуживал всех"),
    ("p3", datetime(2025, 6, 15, 9, 0), "app", "digital", "Шёл в отделение за картой"),
    ("p4", datetime(2025, 7, 1, 20, 59), "app", None, "Идти до банкомата далеко"),
    ("p5", datetime(2025, 7, 1, 21, 0), "call", "cards", "Дети не могут открыть карту"),
    ("p6", datetime(2025, 7, 2, 8, 0), "web", "digital", "Ребёнку не выпустили карту"),
    ("p7", datetime(2025, 8, 3, 8, 0), "web", "digital", "Мы шли в отделение, люди помогли"),
]
# Moscow's June (UTC+3): [31 May 21:00, 1 July 21:00) in UTC
JUNE = {"start": datetime(2025, 5, 31, 21), "end": datetime(2025, 7, 1, 21)}


def _write_comments(engine: Engine, *, zones: bool) -> None:
    """COMMENTS into the ledger, with their zones or without (routing then gives them)."""
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": key,
                "kind": "review",
                "occurred_at": when,
                "channel": channel,
                "text": comment,
            }
            | ({"owner_team": team} if zones else {})
            for key, when, channel, team, comment in COMMENTS
        ],
    )


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    _write_comments(engine, zones=True)
    return engine


def _found(engine: Engine, q: str, **kw: object) -> list[str]:
    items, total = search_items(engine, q=q, limit=100, **kw)  # type: ignore[arg-type]
    assert total == len(items)
    return [str(item["external_id"]) for item in items]


def test_irregular_forms_join_through_the_dictionary_word(seeded: Engine) -> None:
    # «люди» is a form of «человек» (p1, p2, p7); «шёл», «шли», «идти» of «идти» (p3, p4, p7);
    # «дети» and «ребёнку» of «ребёнок» (p5, p6). Newest first.
    for q in ("человек", "люди", "людьми", "ЧЕЛОВЕКА"):
        assert _found(seeded, q) == ["p7", "p2", "p1"], q
    for q in ("идти", "шёл", "шел", "шла", "иду"):
        assert _found(seeded, q) == ["p7", "p4", "p3"], q
    for q in ("ребёнок", "дети", "детей"):
        assert _found(seeded, q) == ["p6", "p5"], q
    # every word in some form, still: «люди» and «шли» both only in p7
    assert _found(seeded, "человек идти") == ["p7"]
    # regular forms as before (Snowball): «карту», «картой» → «карт»
    assert _found(seeded, "карта") == ["p6", "p5", "p3"]


def test_query_groups_expand_only_dictionary_words() -> None:
    assert [stem for stem, _ in query_groups("люди")[0]][:2] == ["люд", "человек"]
    assert query_groups("зытяать") == [(("зытяа", "зытяать"),)]  # unknown: its stem alone
    assert query_groups("transfers") == [(("transfer", "transfers"),)]
    assert fts_match("карта") == 'terms : ("карт")'
    assert query_groups("и не по") == []


def test_a_query_of_stop_words_is_told_apart(seeded: Engine) -> None:
    assert only_stop_words("и не по")
    assert only_stop_words("The of")
    assert only_stop_words("ещё и ЕЩЕ")
    assert not only_stop_words("перевод и")
    assert not only_stop_words("")
    assert not only_stop_words("%")  # no word at all: nothing to say about stop words
    assert not only_stop_words("зытяать")  # a word that finds nothing is not a stop word
    assert _found(seeded, "и не по") == []


def test_a_query_notice_tells_no_words_from_stop_words() -> None:
    assert [query_notice(q) for q in ("!!!", "???", "—", "«…»", "%_", "😀")] == ["no_words"] * 6
    assert [query_notice(q) for q in ("и не по", "the, of!", "ещё?")] == ["stop_words"] * 3
    assert [query_notice(q) for q in (None, "", "  ", "карта!!!", "2024", "зытяать")] == [None] * 6


def test_zone_channel_and_dates_with_the_words(seeded: Engine) -> None:
    cards = {"owner_team": ["cards"]}
    assert _found(seeded, "человек", filters=cards) == ["p2", "p1"]
    assert _found(seeded, "человек", filters={"owner_team": ["cards"], "channel": ["app"]}) == [
        "p1"
    ]
    assert _found(seeded, "идти", filters={"owner_team": [None]}) == ["p4"]
    assert _found(seeded, "идти", filters={"owner_team": ["digital", None]}) == [
        "p7",
        "p4",
        "p3",
    ]
    # p1 is 20:59 on 31 May (before), p2 21:00 (in), p4 20:59 on 1 July (in), p5 21:00 (out)
    assert _found(seeded, "человек", **JUNE) == ["p2"]
    assert _found(seeded, "идти", **JUNE) == ["p4", "p3"]
    assert _found(seeded, "дети", **JUNE) == []
    assert _found(seeded, "карта", **JUNE) == ["p3"]
    assert _found(seeded, "карта", filters=cards, **JUNE) == []
    assert _found(seeded, "карта", filters={"channel": ["app"]}, **JUNE) == ["p3"]
    # whole days and a range within one day
    july = {"start": datetime(2025, 7, 1), "end": datetime(2025, 8, 1)}
    assert _found(seeded, "карта", **july) == ["p6", "p5"]
    one_day = {"start": datetime(2025, 7, 1, 20), "end": datetime(2025, 7, 1, 21)}
    assert _found(seeded, "идти", **one_day) == ["p4"]
    assert _found(seeded, "идти", start=datetime(2025, 7, 2), end=datetime(2025, 7, 2)) == []
    # open ranges and a field the index does not hold go through the rows
    assert _found(seeded, "идти", start=datetime(2025, 7, 1)) == ["p7", "p4"]
    assert _found(seeded, "карта", filters={"kind": ["review"], "owner_team": ["cards"]}) == ["p5"]


def test_the_index_follows_a_change_of_zone_channel_or_time(seeded: Engine) -> None:
    with seeded.begin() as conn:  # what routing does: an UPDATE of the zone
        conn.execute(
            text("UPDATE feedback_items SET owner_team = 'loans' WHERE external_id = 'p4'")
        )
        conn.execute(text("UPDATE feedback_items SET channel = 'chat' WHERE external_id = 'p3'"))
        conn.execute(
            text("UPDATE feedback_items SET occurred_at = :t WHERE external_id = 'p7'"),
            {"t": datetime(2025, 6, 10, 12)},
        )
    assert _found(seeded, "идти", filters={"owner_team": [None]}) == []
    assert _found(seeded, "идти", filters={"owner_team": ["loans"]}) == ["p4"]
    assert _found(seeded, "идти", filters={"channel": ["chat"]}) == ["p3"]
    assert _found(seeded, "идти", filters={"channel": ["app"]}) == ["p4"]
    assert _found(seeded, "человек", **JUNE) == ["p7", "p2"]


def test_totals_stop_at_the_cap(seeded: Engine) -> None:
    # «идти»: p7, p4, p3; «карта»: p6, p5, p3
    assert search_items(seeded, q="идти", cap=2, limit=1)[1] == 3  # "more than 2"
    assert search_items(seeded, q="идти", cap=3, limit=1)[1] == 3  # exact: 3
    assert search_items(seeded, q="идти", cap=5, limit=1)[1] == 3
    digital = {"owner_team": ["digital"]}
    assert search_items(seeded, q="идти", filters=digital, cap=1, limit=1)[1] == 2
    assert search_items(seeded, q="карта", filters={"kind": ["review"]}, cap=1)[1] == 2
    assert search_items(seeded, filters={"kind": ["review"]}, cap=4)[1] == 5  # no words
    assert search_items(seeded, filters={"kind": ["review"]})[1] == 7


def test_facet_tokens_of_a_range() -> None:
    middle, edges = Facets(start=JUNE["start"], end=JUNE["end"]).expressions()
    assert middle == "facets : (m202506)"
    assert edges == [
        ("facets : d20250531", JUNE["start"], JUNE["end"]),
        ("facets : d20250701", JUNE["start"], JUNE["end"]),
    ]
    middle, edges = Facets(start=datetime(2024, 12, 30), end=datetime(2026, 1, 3)).expressions()
    assert middle == "facets : (d20241230 OR d20241231 OR y2025 OR d20260101 OR d20260102)"
    assert edges == []
    zone = (("owner_team", ("cards", None)),)
    middle, edges = Facets(zone, datetime(2025, 3, 5, 10), datetime(2025, 3, 5, 12)).expressions()
    assert middle is None
    assert edges == [
        (
            "facets : (ov6361726473 OR on) AND facets : d20250305",
            datetime(2025, 3, 5, 10),
            datetime(2025, 3, 5, 12),
        )
    ]
    assert Facets((("channel", ("app",)),)).expressions() == ("facets : (cv617070)", [])


def test_every_page_plan_gives_the_same_pages(
    seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite picks a plan by the number of matches (collect the ids, walk the time index and
    test each id, or look each walked item up in the index); all give the same page."""
    from otklik.ledger import browse

    asks: list[tuple[str, dict[str, object]]] = [
        ("человек", {}),
        ("идти", {"filters": {"owner_team": ["digital", None]}}),
        ("карта", {"filters": {"channel": ["call", "web"]}}),
        ("идти", JUNE),  # type: ignore[list-item]
        ("карта", {"filters": {"kind": ["review"]}, "start": datetime(2025, 7, 1)}),
    ]

    def pages(cap: int | None = None) -> list[tuple[list[str], int | None]]:
        out = []
        for q, kw in asks:
            items, total = search_items(seeded, q=q, limit=2, cap=cap, **kw)  # type: ignore[arg-type]
            out.append(([str(item["external_id"]) for item in items], total))
        return out

    expected = [
        (["p7", "p2"], 3),
        (["p7", "p4"], 3),
        (["p6", "p5"], 2),
        (["p4", "p3"], 2),
        (["p6", "p5"], 2),
    ]
    assert pages() == expected  # few matches: the ids first
    monkeypatch.setattr(browse, "DRIVE_BY_TIME", 0)
    assert pages() == expected  # the time index walked, each id tested
    # more than the cap (1) match, and "all items" / 10**9 is 0: each walked item looked up
    monkeypatch.setattr(browse, "PROBE_SHARE", 10**9)
    monkeypatch.setattr(browse, "COUNT_BY_INDEX", 0)
    capped = [(ids, 2) for ids, _ in expected]  # every total is over 1: counted to 2
    assert pages(cap=1) == capped
    monkeypatch.setattr(browse, "PROBE_BUDGET", 2)  # fewer looked up: may fall back
    assert pages(cap=1) == capped
    monkeypatch.setattr(browse, "PROBE_BUDGET", 1)  # too few: the plans above
    assert pages(cap=1) == capped


def _stored_facets(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.external_id, s.facets FROM feedback_search AS s "
                "JOIN feedback_items AS i ON i.id = s.rowid"
            )
        ).all()
    return {str(key): str(facets) for key, facets in rows}


def test_zones_written_ahead_in_bulk_are_what_the_trigger_would_write(seeded: Engine) -> None:
    """Routing writes the search rows of many zone changes at once before its UPDATE
    (``write_owner_facets``); the rows must be those the item-by-item trigger writes, the words
    must still match, and a row written for a zone the item then does not get is put right."""
    with seeded.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    # p4 (no zone) → loans, p1 (cards) → none, p3 (digital) written as cards but given retail
    owners = {ids["p4"]: "loans", ids["p1"]: None, ids["p3"]: "cards", ids["p6"]: "digital"}
    with seeded.begin() as conn:
        written = write_owner_facets(conn, owners)
        for item, team in {ids["p4"]: "loans", ids["p1"]: None, ids["p3"]: "retail"}.items():
            conn.execute(
                text("UPDATE feedback_items SET owner_team = :t WHERE id = :i"),
                {"t": team, "i": item},
            )
    if seeded.dialect.name != "sqlite":
        assert written == 0  # PostgreSQL's index reads the columns themselves
    else:
        assert written == 3  # p6's row already holds «digital»: left alone

        def hexed(value: str) -> str:
            return value.encode("utf-8").hex().upper()

        # the tokens by hand: zone, channel, year, month, day (UTC)
        assert _stored_facets(seeded)["p4"] == (
            f"ov{hexed('loans')} cv{hexed('app')} y2025 m202507 d20250701"
        )
        assert _stored_facets(seeded)["p1"] == f"on cv{hexed('app')} y2025 m202505 d20250531"
        assert _stored_facets(seeded)["p3"] == (
            f"ov{hexed('retail')} cv{hexed('app')} y2025 m202506 d20250615"
        )
    assert _found(seeded, "идти", filters={"owner_team": ["loans"]}) == ["p4"]
    assert _found(seeded, "идти", filters={"owner_team": ["retail"]}) == ["p3"]
    assert _found(seeded, "идти", filters={"owner_team": ["cards"]}) == []
    assert _found(seeded, "человек", filters={"owner_team": [None]}) == ["p1"]
    assert _found(seeded, "человек", filters={"owner_team": ["cards"]}) == ["p2"]
    assert _found(seeded, "карта", filters={"owner_team": ["digital"]}) == ["p6"]
    assert _found(seeded, "человек") == ["p7", "p2", "p1"]  # the words kept


WORD = {
    "p1": "очереди",
    "p2": "обслуживал",
    "p3": "отделение",
    "p4": "банкомата",
    "p5": "карту",
    "p6": "карту",
    "p7": "помогли",
}


def test_routing_moves_the_zone_in_the_index(engine: Engine) -> None:
    """classify_and_route on items without a zone: each item's search row carries the zone
    routing gave it, as the items table says (checked through searches per zone)."""
    from otklik.routing import classify_and_route

    _write_comments(engine, zones=False)
    classify_and_route(engine, reclassify=True)
    with engine.connect() as conn:
        zones = dict(conn.execute(text("SELECT external_id, owner_team FROM feedback_items")).all())
    assert None not in zones.values()  # routing gave every item a zone
    for zone in set(zones.values()):
        expected = sorted(key for key, team in zones.items() if team == zone)
        found = search_items(engine, filters={"owner_team": [zone]}, limit=100)[0]
        assert sorted(str(item["external_id"]) for item in found) == expected, zone
        for key in expected:  # through the index: the word and the zone together
            assert key in _found(engine, WORD[key], filters={"owner_team": [zone]}), (zone, key)
        assert _found(engine, "очереди", filters={"owner_team": [zone]}) == (
            ["p1"] if zones["p1"] == zone else []
        )
    assert _found(engine, "человек", filters={"owner_team": [None]}) == []
