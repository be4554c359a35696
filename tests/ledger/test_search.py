"""Search that understands Russian, on SQLite (FTS5 of Snowball stems) and PostgreSQL (full-text
search, ``russian`` configuration): the same answers on both, worked out by hand below.

What the method matches (stated, then tested exactly): every query word must occur in the
comment in a form with the same Snowball stem, after lower-casing and folding ё to е. So
«карта» finds «карту», «карты», «картой», «КАРТА» but not «карточка» or «картофель»;
«ёлка» and «елка» find each other; «заблокировали» finds «заблокирован» (both stem to
«заблокирова») but «блокировка» does not; English words are stemmed as English.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text

from otklik.ledger import (
    index_new_items,
    match_spans,
    model_drift,
    query_terms,
    search_items,
    text_search,
    write_items,
)

TEXTS = {
    "t1": "Заблокировали карту вчера вечером",
    "t2": "Не могу найти карты в приложении",
    "t3": "Оплата картой не прошла",
    "t4": "Ёлка в отделении красивая",
    "t5": "елка стоит у входа",
    "t6": "Карточка пришла быстро",
    "t7": "Картофель в столовой",
    "t8": "Счёт заблокирован без причины",
    "t9": "Cards were blocked twice",
    "t10": "Карта и card в одном отзыве",
    "t11": "Блокировка снята",
    "t12": "КАРТА не работает",
    "t13": None,
}


def _seed(engine: Engine) -> None:
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": key,
                "kind": "review",
                "occurred_at": datetime(2025, 1, 1 + i),
                "text": value,
            }
            for i, (key, value) in enumerate(TEXTS.items())
        ],
    )


def _found(engine: Engine, q: str) -> set[str]:
    items, total = search_items(engine, q=q, limit=100)
    assert total == len(items)
    return {item["external_id"] for item in items}


def test_word_forms_ё_and_english(engine: Engine) -> None:
    _seed(engine)
    assert _found(engine, "карта") == {"t1", "t2", "t3", "t10", "t12"}
    assert _found(engine, "КАРТОЙ") == {"t1", "t2", "t3", "t10", "t12"}
    assert _found(engine, "ёлка") == {"t4", "t5"}
    assert _found(engine, "елки") == {"t4", "t5"}
    assert _found(engine, "заблокировали") == {"t1", "t8"}
    assert _found(engine, "блокировка") == {"t11"}
    assert _found(engine, "card") == {"t9", "t10"}
    assert _found(engine, "blocking cards") == {"t9"}
    assert _found(engine, "карты cards") == {"t10"}  # every word, mixed languages
    assert _found(engine, "карта вчера") == {"t1"}
    assert _found(engine, "счет") == {"t8"}  # «Счёт» stored with ё
    assert _found(engine, "самолёт") == set()


def test_stop_words_and_punctuation(engine: Engine) -> None:
    _seed(engine)
    assert query_terms("и в на the") == []
    assert text_search("  ") is None  # a blank query is no condition
    assert len(_found(engine, " ")) == len(TEXTS)
    assert _found(engine, "и") == set()  # no word to look for: nothing, as on PostgreSQL
    assert _found(engine, "%") == set()
    assert _found(engine, "карта и") == _found(engine, "карта")  # stop words are skipped


def test_highlight_spans_are_the_matched_forms() -> None:
    line = "Оплата картой не прошла, карточка цела; КАРТУ вернули"
    spans = match_spans(line, "карта")
    assert [line[a:b] for a, b in spans] == ["картой", "КАРТУ"]
    tree = "Ёлка и елка"
    assert [tree[a:b] for a, b in match_spans(tree, "елка")] == ["Ёлка", "елка"]
    assert match_spans(line, "") == []


def test_new_items_are_indexed_and_store_matches_models(engine: Engine) -> None:
    _seed(engine)
    write_items(
        engine,
        run_id=None,
        source="later",
        items=[
            {
                "external_id": "x",
                "kind": "review",
                "occurred_at": datetime(2025, 2, 1),
                "text": "карточки",
            }
        ],
    )
    assert _found(engine, "карточка") == {"t6", "x"}
    with engine.begin() as conn:
        assert index_new_items(conn) == 0  # nothing left behind
    assert model_drift(engine) == []


def test_postgresql_uses_the_index(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import select

    from otklik.ledger import FeedbackItem

    condition = text_search("карта")
    assert condition is not None
    query = select(FeedbackItem.id).where(condition)
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(conn.execute(text("EXPLAIN " + sql)).scalars())
    # migration 0021_search's GIN of (search_vector, owner_team, channel) where btree_gin is
    # available (it is on the test server), else 0019_fts's GIN of search_vector
    assert "ix_feedback_items_search_facets" in plan
