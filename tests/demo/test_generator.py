from __future__ import annotations

import inspect
import re
import string
from collections import Counter
from datetime import datetime

import pytest

import otklik.demo
from otklik.demo import (
    CUSTOMER_SOURCE,
    DEMO_SOURCES,
    ITEM_SOURCES,
    MIN_ROWS,
    PERIOD_END,
    PERIOD_START,
    DemoData,
    generate,
)
from otklik.demo.phrasebook import EXIT_REASONS, POLARITIES, TOPICS
from otklik.demo.texts import PHRASEBOOKS
from otklik.errors import ConfigError
from otklik.ledger import ITEM_COLUMNS
from otklik.types import SCALES, EndedBy, Kind

ROWS = 6000
LANGUAGES = {"ru", "en", "id", "ar", "es"}
CHANNELS = {"app", "web", "call", "chat", "email", "sms", "store", "marketplace", "office"}


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(ROWS, seed=7)


@pytest.fixture(scope="module")
def items(data: DemoData) -> dict[str, list[dict]]:
    return data.items()


def test_same_seed_gives_identical_data() -> None:
    first, second = generate(2000, seed=3), generate(2000, seed=3)
    assert first.items() == second.items()
    assert list(first.iter_customers()) == list(second.iter_customers())
    # A feed iterated twice comes out the same (it is regenerated, not consumed).
    assert list(first.iter_items("demo-contacts")) == list(first.iter_items("demo-contacts"))


def test_another_seed_gives_other_data() -> None:
    assert generate(2000, seed=3).items() != generate(2000, seed=4).items()


def test_counts_by_kind_follow_the_plan(data: DemoData, items: dict[str, list[dict]]) -> None:
    assert sum(len(rows) for rows in items.values()) == ROWS
    kinds = Counter(row["kind"] for rows in items.values() for row in rows)
    shares = {kind: count / ROWS for kind, count in kinds.items()}
    assert shares == pytest.approx(
        {"survey": 0.43, "contact": 0.36, "review": 0.12, "exit": 0.05, "employee": 0.04},
        abs=0.005,
    )
    assert {source: len(rows) for source, rows in items.items()} == data.counts
    assert data.total == ROWS + data.customer_count
    assert set(DEMO_SOURCES) == {*ITEM_SOURCES, CUSTOMER_SOURCE}


def test_rows_use_ledger_columns_and_valid_values(items: dict[str, list[dict]]) -> None:
    expected = set(ITEM_COLUMNS) - {"source", "import_run_id"}
    valid_kinds = {kind.value for kind in Kind}
    valid_ended = {end.value for end in EndedBy} | {None}
    for source, rows in items.items():
        ids = [row["external_id"] for row in rows]
        assert len(set(ids)) == len(ids), source
        for row in rows:
            assert set(row) == expected
            assert row["kind"] in valid_kinds and row["channel"] in CHANNELS
            assert PERIOD_START <= row["occurred_at"] < PERIOD_END
            assert row["occurred_at"].tzinfo is None
            if row["scale"] is not None:
                spec = SCALES[row["scale"]]
                assert spec.low <= row["score"] <= spec.high
            else:
                assert row["score"] is None
            assert (row["text"] is None) == (row["language"] is None)
            assert row["language"] in LANGUAGES | {None}
            assert row["ended_by"] in valid_ended
    assert all(row["scale"] == "nps" for row in items["demo-employees"])
    assert all(row["scale"] == "rating5" for row in items["demo-reviews"])
    assert all(row["attributes"]["churn_reason"] in EXIT_REASONS for row in items["demo-exit"])


def test_contacts_carry_handling_facts(items: dict[str, list[dict]]) -> None:
    contacts = items["demo-contacts"]
    assert all(row["handle_time_s"] > 0 and row["wait_time_s"] >= 0 for row in contacts)
    assert all(row["agent"] and row["team"] for row in contacts)
    assert {row["channel"] for row in contacts} == {"call", "chat", "email"}
    assert 0.5 < sum(row["resolved"] for row in contacts) / len(contacts) < 0.95
    assert any(row["transfers"] for row in contacts)
    assert all(row["ended_by"] is not None for row in contacts if row["channel"] != "email")


def test_items_reference_customers_while_they_are_customers(
    data: DemoData, items: dict[str, list[dict]]
) -> None:
    customers = {row["customer_id"]: row for row in data.iter_customers()}
    for source, rows in items.items():
        for row in rows:
            if row["customer_id"] is None:
                continue
            customer = customers[row["customer_id"]]
            assert customer["started_at"] <= row["occurred_at"], source
            if source == "demo-exit":
                assert customer["churned_at"] is not None
                assert customer["churned_at"] <= row["occurred_at"]
            elif customer["churned_at"] is not None:
                assert row["occurred_at"] <= customer["churned_at"], source
    assert all(row["customer_id"] is None for row in items["demo-employees"])
    assert any(row["customer_id"] is None for row in items["demo-reviews"])  # store reviews


def test_customer_list(data: DemoData) -> None:
    customers = list(data.iter_customers())
    assert len(customers) == data.customer_count >= ROWS // 4
    assert all(re.fullmatch(r"C\d{6}", row["customer_id"]) for row in customers)
    assert len({row["customer_id"] for row in customers}) == len(customers)
    assert all(re.fullmatch(r"[0-9a-f]{64}", row["content_hash"]) for row in customers)
    churned = [row for row in customers if row["churned_at"] is not None]
    assert 0.15 < len(churned) / len(customers) < 0.4
    assert all(row["started_at"] < row["churned_at"] < PERIOD_END for row in churned)
    assert all(row["revenue"] > 0 and row["segment"] and row["region"] for row in customers)
    assert any(row["started_at"] >= PERIOD_START for row in customers)  # new this year


def test_language_mix(items: dict[str, list[dict]]) -> None:
    languages = Counter(row["language"] for rows in items.values() for row in rows if row["text"])
    total = sum(languages.values())
    assert languages.most_common(1)[0][0] == "ru"
    assert languages["ru"] / total > 0.5
    assert languages["en"] / total > 0.1
    for lang in ("id", "ar", "es"):
        assert languages[lang] / total > 0.01, lang


def test_many_surveys_are_score_only_and_texts_vary(items: dict[str, list[dict]]) -> None:
    surveys = items["demo-surveys"]
    with_text = [row["text"] for row in surveys if row["text"]]
    assert 0.2 < len(with_text) / len(surveys) < 0.6
    assert len(set(with_text)) > 0.3 * len(with_text)


# Markers a reader would take as unmistakable praise or complaint.
_PRAISE = ("рекомендую", "так держать", "всё супер", "отлично", "highly recommend", "love it")
_COMPLAINT = ("ужасно", "не могу", "безобразие", "грабёж", "terrible", "can't", "cannot")


def test_comment_tone_matches_score(items: dict[str, list[dict]]) -> None:
    lows = highs = 0
    for row in items["demo-surveys"] + items["demo-reviews"]:
        if not row["text"]:
            continue
        text = row["text"].lower()
        low = {"nps": 6, "csat5": 2, "rating5": 2, "ces7": 3, "csat10": 4}[row["scale"]]
        high = {"nps": 9, "csat5": 4, "rating5": 4, "ces7": 5, "csat10": 9}[row["scale"]]
        if row["score"] <= low:
            lows += 1
            assert not any(marker in text for marker in _PRAISE), row
        elif row["score"] >= high:
            highs += 1
            assert not any(marker in text for marker in _COMPLAINT), row
    assert lows > 100 and highs > 100


def test_every_phrasebook_is_complete() -> None:
    for lang, book in PHRASEBOOKS.items():
        assert {(topic, pol) for topic in TOPICS for pol in POLARITIES} <= set(book.topics), lang
        assert set(EXIT_REASONS) <= set(book.exit_reasons), lang
        for pol in POLARITIES:
            assert book.openers[pol] and book.closers[pol], lang
        templates = [t for group in book.topics.values() for t in group]
        templates += [t for group in book.exit_reasons.values() for t in group]
        for template in templates:
            for _, slot, _, _ in string.Formatter().parse(template):
                assert slot is None or slot in book.slots, (lang, template)


def test_too_few_rows_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=f"at least {MIN_ROWS} rows"):
        generate(MIN_ROWS - 1)


def test_unknown_source_is_a_clear_error(data: DemoData) -> None:
    with pytest.raises(ConfigError, match="unknown demo source"):
        data.iter_items("nope")


def test_dates_are_fixed_not_relative_to_today(items: dict[str, list[dict]]) -> None:
    dates = [row["occurred_at"] for rows in items.values() for row in rows]
    assert min(dates) < datetime(2025, 1, 8) and max(dates) > datetime(2025, 12, 24)


def test_public_names_are_exported() -> None:
    public = {
        name
        for name, value in vars(otklik.demo).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert set(otklik.demo.__all__) == public
