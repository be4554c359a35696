"""The full-text index at work (migration 0019_fts), on SQLite and PostgreSQL: word forms,
ё/е, other languages, filters and zones combined with the words, the index following imports,
corrections, erasures and deletions, the page plan for frequent words, and masked snippets.

Every expected set below is read off the comments by hand: a comment matches when each query
word has a form in it with the same Snowball stem («перевод», «переводы», «переводом» all stem
to «перевод»; «счёт» folds to «счет»).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from otklik.ledger import browse, index_new_items, match_count, search_items, write_items
from otklik.web.snippets import snippet

COMMENTS = [
    # (external_id, day in January 2025, channel, owner_team, comment)
    ("a1", 1, "app", "digital", "Переводы не доходят третий день"),
    ("a2", 2, "web", "digital", "Оплатил переводом, деньги списали дважды"),
    ("a3", 3, "app", "cards", "Перевод по номеру телефона +7 912 345-67-89 завис"),
    ("a4", 4, "call", "cards", "Счёт заблокирован, перевод не прошёл"),
    ("a5", 5, "app", None, "Счет пополнил ещё вчера"),
    ("a6", 6, "web", "digital", "Transfers were delayed, the card was blocked"),
    ("a7", 7, "app", "cards", "Pembayaran gagal lagi"),
    ("a8", 8, "web", None, "La tarjeta fue bloqueada, transferencia rápida imposible"),
    ("a9", 9, "chat", "cards", "تحويل الأموال متأخر"),
    ("a10", 10, "app", "digital", "Переводчик в приложении не работает"),
    ("a11", 11, "email", "digital", "Пишите ivan.petrov@example.org о переводе"),
]


def _seed(engine: Engine) -> None:
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": key,
                "kind": "review",
                "occurred_at": datetime(2025, 1, day, 12),
                "channel": channel,
                "owner_team": team,
                "text": comment,
            }
            for key, day, channel, team, comment in COMMENTS
        ],
    )


def _found(engine: Engine, q: str, **kw: object) -> list[str]:
    items, total = search_items(engine, q=q, limit=100, **kw)  # type: ignore[arg-type]
    assert total == len(items)
    return [str(item["external_id"]) for item in items]


def test_russian_word_forms_and_ё(engine: Engine) -> None:
    _seed(engine)
    # newest first; «Переводчик» (stem «переводчик») is another word
    assert _found(engine, "перевод") == ["a11", "a4", "a3", "a2", "a1"]
    assert _found(engine, "переводы") == ["a11", "a4", "a3", "a2", "a1"]
    assert _found(engine, "ПЕРЕВОДОМ") == ["a11", "a4", "a3", "a2", "a1"]
    assert _found(engine, "счёт") == ["a5", "a4"]
    assert _found(engine, "счет") == ["a5", "a4"]
    # «ещё» is a stop word of both engines' Russian list: alone it asks for nothing…
    assert _found(engine, "ещё") == []
    assert _found(engine, "еще") == []
    # …and within a query it is skipped, whichever way it is spelt
    assert _found(engine, "счёт ещё") == ["a5", "a4"]
    assert _found(engine, "счет еще") == ["a5", "a4"]


def test_other_languages(engine: Engine) -> None:
    _seed(engine)
    assert _found(engine, "transfer") == ["a6"]  # English stems: «transfers» → «transfer»
    assert _found(engine, "blocked card") == ["a6"]
    assert _found(engine, "gagal") == ["a7"]  # Indonesian
    assert _found(engine, "pembayaran gagal") == ["a7"]
    assert _found(engine, "tarjeta") == ["a8"]  # Spanish
    assert _found(engine, "rápida") == ["a8"]
    assert _found(engine, "تحويل") == ["a9"]  # Arabic, as a plain token
    assert _found(engine, "الأموال تحويل") == ["a9"]


def test_every_word_and_the_filters_together(engine: Engine) -> None:
    _seed(engine)
    assert _found(engine, "перевод счёт") == ["a4"]
    assert _found(engine, "перевод телефона") == ["a3"]
    assert _found(engine, "перевод gagal") == []
    digital = {"owner_team": ["digital"]}
    assert _found(engine, "перевод", filters=digital) == ["a11", "a2", "a1"]
    assert _found(engine, "перевод", filters={"owner_team": ["cards"]}) == ["a4", "a3"]
    assert _found(engine, "перевод", filters={"owner_team": ["cards"], "channel": ["app"]}) == [
        "a3"
    ]
    jan2_to_4 = {"start": datetime(2025, 1, 2), "end": datetime(2025, 1, 4)}
    assert _found(engine, "перевод", **jan2_to_4) == ["a3", "a2"]
    assert _found(engine, "счет", filters={"owner_team": [None]}) == ["a5"]
    # a page of a total: offset and limit apply after the words
    items, total = search_items(engine, q="перевод", limit=2, offset=1)
    assert [item["external_id"] for item in items] == ["a4", "a3"]
    assert total == 5


def test_frequent_words_page_through_the_time_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plans a frequent word takes on SQLite (walk the other conditions' index for the
    page and the count) give the same pages and totals."""
    _seed(engine)
    queries = [("перевод", {}), ("перевод", {"owner_team": ["digital"]}), ("счет", {})]
    before = [search_items(engine, q=q, filters=f, limit=2, offset=1) for q, f in queries]
    days = {"start": datetime(2025, 1, 2), "end": datetime(2025, 1, 5)}
    in_days = search_items(engine, q="перевод", **days)  # type: ignore[arg-type]
    monkeypatch.setattr(browse, "DRIVE_BY_TIME", 0)
    assert search_items(engine, q="перевод", **days) == in_days  # type: ignore[arg-type]
    monkeypatch.setattr(browse, "COUNT_BY_INDEX", 0)
    after = [search_items(engine, q=q, filters=f, limit=2, offset=1) for q, f in queries]
    assert after == before
    assert [item["external_id"] for item in in_days[0]] == ["a4", "a3", "a2"]
    assert in_days[1] == 3
    assert [[item["external_id"] for item in page] for page, _ in after] == [
        ["a4", "a3"],
        ["a2", "a1"],
        ["a4"],
    ]
    assert [total for _, total in after] == [5, 3, 2]


def test_match_count_reads_the_index(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        counted = match_count(conn, "перевод")
        nothing = match_count(conn, "и")
    if engine.dialect.name == "sqlite":
        assert counted == 5
    else:
        assert counted is None  # PostgreSQL counts through its GIN index in the query
    assert nothing is None


def _update(engine: Engine, key: str, comment: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE feedback_items SET text = :t WHERE external_id = :k"),
            {"t": comment, "k": key},
        )


def test_index_follows_imports_corrections_erasures_and_deletions(engine: Engine) -> None:
    _seed(engine)
    write_items(
        engine,
        run_id=None,
        source="later",
        items=[
            {
                "external_id": "b1",
                "kind": "review",
                "occurred_at": datetime(2025, 2, 1),
                "text": "Перевод вернули",
            }
        ],
    )
    assert _found(engine, "перевод")[0] == "b1"  # a later import is found at once

    _update(engine, "a1", "Кэшбэк не начислили")  # a correction
    assert "a1" not in _found(engine, "перевод")  # the old words stop matching at once
    with engine.begin() as conn:
        index_new_items(conn)  # what every writer does (nothing to do on PostgreSQL)
    assert _found(engine, "кэшбэк") == ["a1"]

    _update(engine, "a2", None)  # an erasure
    _update(engine, "a3", "[удалено]")
    assert _found(engine, "перевод") == ["b1", "a11", "a4"]
    assert _found(engine, "телефона") == []

    with engine.begin() as conn:  # a deletion
        conn.execute(text("DELETE FROM feedback_items WHERE external_id = 'a4'"))
    assert _found(engine, "перевод") == ["b1", "a11"]
    assert _found(engine, "счёт") == ["a5"]

    _update(engine, "a5", "Перевод на счёт")  # picked up by the next import's writer
    write_items(
        engine,
        run_id=None,
        source="later",
        items=[
            {
                "external_id": "b2",
                "kind": "review",
                "occurred_at": datetime(2025, 2, 2),
                "text": "Новый отзыв",
            }
        ],
    )
    assert _found(engine, "перевод") == ["b1", "a11", "a5"]
    with engine.begin() as conn:
        assert index_new_items(conn) == 0  # nothing left behind
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            indexed = conn.execute(text("SELECT count(*) FROM feedback_search")).scalar_one()
            items = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
        assert (indexed, items) == (12, 12)  # 11 + 2 imported − 1 deleted


def test_snippets_never_show_a_phone_or_an_email(engine: Engine) -> None:
    _seed(engine)
    for q, key in (("телефона", "a3"), ("перевод телефона", "a3"), ("пишите", "a11")):
        items, _ = search_items(engine, q=q, limit=10)
        assert [item["external_id"] for item in items] == [key]  # the words are found…
        parts = snippet(items[0]["text"], q)
        shown = "".join(part for part, _ in parts)
        # …but the snippet shows placeholders, never the data, and never marks them
        assert "345-67-89" not in shown and "912" not in shown
        assert "ivan" not in shown and "example.org" not in shown
        assert all(not marked for part, marked in parts if part.startswith("["))
    parts = snippet(COMMENTS[2][4], "перевод телефона")
    assert parts == [
        ("Перевод", True),
        (" по номеру ", False),
        ("телефона", True),
        (" [PHONE] завис", False),
    ]
