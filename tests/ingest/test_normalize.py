from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from otklik.ingest.normalize import (
    DateParser,
    parse_bool,
    parse_duration,
    parse_ended_by,
    parse_number,
    parse_score,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,5", 4.5),
        ("1 250,50", 1250.5),
        ("1\u00a0000\u00a0000", 1_000_000.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1,234,567", 1_234_567.0),
        ("-12", -12.0),
        (7, 7.0),
        ("", None),
        (None, None),
    ],
)
def test_parse_number(text: object, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "nan", "1,2,3.4.5", "inf"])
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5:20", 320.0),
        ("00:01:05", 65.0),
        ("1:00:00", 3600.0),
        ("42", 42.0),
        ("12,5", 12.5),
        (time(0, 2, 3), 123.0),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_parse_duration_refuses_negative_and_garbage() -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_duration("-3")
    with pytest.raises(ValueError, match="duration"):
        parse_duration("a:b")


def test_bool_and_ended_by_in_russian_and_english() -> None:
    assert [parse_bool(v) for v in ("да", "Нет", "yes", "0", "TRUE")] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert [parse_ended_by(v) for v in ("Оператор", "клиент", "IVR", "agent")] == [
        "agent",
        "customer",
        "system",
        "agent",
    ]
    with pytest.raises(ValueError, match="customer, agent, system"):
        parse_ended_by("кот")


def test_scores_are_checked_against_their_scale() -> None:
    assert parse_score("10", "nps") == 10.0
    assert parse_score("0", "nps") == 0.0
    with pytest.raises(ValueError, match="score 11 is outside the nps scale 0–10"):
        parse_score("11", "nps")
    with pytest.raises(ValueError, match="outside the csat5 scale 1–5"):
        parse_score(0, "csat5")
    with pytest.raises(ValueError, match="not a whole number"):
        parse_score("3,5", "rating5")


def test_dates_iso_dotted_serial_and_timezones() -> None:
    moscow = DateParser(tz=ZoneInfo("Europe/Moscow"))
    assert moscow("01.02.2025 10:15") == datetime(2025, 2, 1, 7, 15)
    assert moscow("2025-02-01T10:15:00+05:00") == datetime(2025, 2, 1, 5, 15)
    utc = DateParser(tz=UTC)
    assert utc("2025-03-01T12:00:00Z") == datetime(2025, 3, 1, 12, 0)
    assert utc("01.02.25") == datetime(2025, 2, 1)
    assert utc(45658) == datetime(2025, 1, 1)  # Excel's day number for 2025-01-01
    assert utc("45658,5") == datetime(2025, 1, 1, 12, 0)
    assert utc(datetime(2025, 1, 1, 3, 0)) == datetime(2025, 1, 1, 3, 0)


def test_slash_dates_follow_the_columns_order_and_refuse_to_guess() -> None:
    assert DateParser(day_first=True)("11/04/2018") == datetime(2018, 4, 11)
    assert DateParser(day_first=False)("11/04/2018") == datetime(2018, 11, 4)
    assert DateParser()("25/04/2018") == datetime(2018, 4, 25)
    with pytest.raises(ValueError, match="ambiguous"):
        DateParser()("11/04/2018")
    with pytest.raises(ValueError, match="not a real date"):
        DateParser()("31.02.2025")
    assert DateParser(date_format="%d/%m/%Y %H.%M")("11/04/2018 10.30") == datetime(
        2018, 4, 11, 10, 30
    )
