"""Numbers by their column's separator, durations and dates at the edges, raw identities."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from otklik.ingest.identity import RawIdentity, raw_text
from otklik.ingest.normalize import DateParser, number_style, parse_duration, parse_number
from otklik.ingest.questions import question_field, scale_family


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("1250", None),
        ("980,50", ","),
        ("1.250,00", ","),
        ("0,5", ","),
        ("0,500", ","),  # a leading zero is never a thousands group
        ("1.000.000", ","),
        ("12.5", "."),
        ("1,250.00", "."),
        ("1,000,000", "."),
        ("0.500", "."),
        ("1.000", "?"),
        ("12,500", "?"),
        ("-1.000", "?"),
        ("1 000", None),
    ],
)
def test_number_style(text: str, style: str | None) -> None:
    assert number_style(text) == style


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.000", ",", 1000.0),
        ("1.000", ".", 1.0),
        ("12,500", ",", 12.5),
        ("12,500", ".", 12500.0),
        ("1.250,00", ",", 1250.0),
        ("980,50", ",", 980.5),
        ("1 250,50", ",", 1250.5),
        ("-2.345,10", ",", -2345.1),
        ("1,250.00", ".", 1250.0),
        ("1250", ",", 1250.0),
        ("980,50", None, 980.5),
        ("12.5", None, 12.5),
    ],
)
def test_parse_number_by_the_column_separator(
    text: str, decimal: str | None, expected: float
) -> None:
    assert parse_number(text, decimal) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "message"),
    [
        ("1.000", None, "ambiguous"),
        ("12,500", None, "ambiguous"),
        ("12.5", ",", "decimal separator"),  # a point in a decimal-comma column
        ("1.00.0", ",", "decimal separator"),
        ("1e400", None, "finite"),
        ("NaN", None, "finite"),
        ("-inf", ",", "finite"),
    ],
)
def test_parse_number_refuses_what_the_column_does_not_settle(
    text: str, decimal: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_number(text, decimal)


def test_parse_number_refuses_integers_no_float_holds() -> None:
    with pytest.raises(ValueError, match="too large"):
        parse_number(10**400)
    with pytest.raises(ValueError, match="finite"):
        parse_number(float("inf"))


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("5:20", 320.0), ("00:01:05", 65.0), ("1:05,5", 65.5), ("75:00", 4500.0), ("0", 0.0)],
)
def test_parse_duration(value: str, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan:00", "not a duration"),
        ("1e308:1e308", "not a duration"),
        ("-0:30", "negative"),
        ("-0", "negative"),
        ("-3", "negative"),
        ("inf", "finite"),
        ("1e400", "finite"),
        ("nan", "finite"),
        ("1:75", "up to 59"),
        ("1:2:3:4", "not a duration"),
        (timedelta(seconds=-5), "negative"),
    ],
)
def test_parse_duration_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(value)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "1899-12-31",
        "2101-01-01",
        "31.12.1899",
        10**30,
        1e300,
        float("nan"),
    ],
)
def test_dates_outside_1900_2100_are_refused_never_overflow(value: object) -> None:
    with pytest.raises(ValueError, match="date"):
        DateParser()(value)


def test_dates_at_the_edges_of_the_range() -> None:
    assert DateParser()("1900-01-01") == datetime(1900, 1, 1)
    assert DateParser()("2100-12-31T12:00:00+03:00") == datetime(2100, 12, 31, 9, 0)


def test_raw_text_is_canonical() -> None:
    assert raw_text("  a\r\nb ") == "a\nb"
    assert raw_text(12) == raw_text(12.0) == raw_text("12") == "12"
    assert raw_text("") is None and raw_text("   ") is None and raw_text(None) is None
    assert raw_text({"b": 1, "a": [2]}) == '{"a": [2], "b": 1}'
    assert raw_text(True) == "true"


def test_raw_identity_counts_occurrences_and_ignores_column_order() -> None:
    one = RawIdentity(["date", "score", "comment"])
    first = one.next_id(["2025-03-01", "5", ""])
    second = one.next_id(["2025-03-01", "5", None])  # blank is blank, however written
    other = one.next_id(["2025-03-01", "4", ""])
    assert first.endswith(":1") and second.endswith(":2") and other.endswith(":1")
    assert first[:-2] == second[:-2] != other[:-2]
    reordered = RawIdentity(["score", "comment", "date"])
    assert reordered.next_id(["5", "", "2025-03-01"]) == first


def test_repeated_headers_keep_both_values_apart() -> None:
    identity = RawIdentity(["q", "q"])
    assert identity.next_id(["1", "2"]) != RawIdentity(["q", "q"]).next_id(["2", "1"])


@pytest.mark.parametrize(
    ("header", "family"),
    [
        ("nps_score", "nps"),
        ("Оценка NPS", "nps"),
        ("eNPS", "nps"),
        ("CSAT_5", "csat"),
        ("CES score", "ces"),
        ("How satisfied are you with our services?", "csat"),
        ("Access", None),
        ("Processes", None),
        ("Customer services", None),
        ("Количество звёзд", "rating"),
        ("Рейтинг", "rating"),
    ],
)
def test_scale_hints_match_on_word_boundaries(header: str, family: str | None) -> None:
    assert scale_family(header) == family


# Survey tools name a column by its question in the respondent's language: the score and the
# follow-up are found in Spanish, Indonesian and Arabic exports as in Russian and English
# (before, all three imported without scores and without their comments).
@pytest.mark.parametrize(
    ("header", "field", "family"),
    [
        ("How likely are you to recommend us to a friend?", "score", "nps"),
        ("Насколько вероятно, что вы порекомендуете нас другу?", "score", "nps"),
        ("¿Qué tan probable es que nos recomiende a un amigo?", "score", "nps"),
        ("¿Qué tan satisfecho está con la atención?", "score", "csat"),
        ("¿Qué tan fácil fue resolver su consulta?", "score", "ces"),
        ("¿Por qué nos dio esa calificación?", "text", None),
        ("Seberapa besar kemungkinan Anda merekomendasikan kami kepada teman?", "score", "nps"),
        ("Seberapa puas Anda dengan layanan kami?", "score", "csat"),
        ("Apa alasan utama Anda memberi nilai tersebut?", "text", None),
        ("ما مدى احتمال أن توصي بنا لصديق؟", "score", "nps"),
        ("ما مدى رضاك عن الخدمة؟", "score", "csat"),
        ("ما سبب تقييمك؟", "text", None),
        ("Fecha", None, None),
        ("Tanggal", None, None),
        # «التوصيل» (delivery) holds «توصي» (recommend), «الاعتراض» (objection) holds «راض»
        ("ما مدى سرعة التوصيل؟", None, None),
        ("ما سبب الاعتراض؟", "text", None),
    ],
)
def test_survey_questions_in_every_language(
    header: str, field: str | None, family: str | None
) -> None:
    assert (question_field(header), scale_family(header)) == (field, family)


# Dates with the month's name, in the five languages, and ISO dates in Arabic-Indic digits.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 ноября 2026", datetime(2026, 11, 3)),
        ("3 ноября 2026 г. в 14:30", datetime(2026, 11, 3, 14, 30)),
        ("3 нояб. 2026 г.", datetime(2026, 11, 3)),
        ("1 мая 2026", datetime(2026, 5, 1)),
        ("15 марта 2026", datetime(2026, 3, 15)),
        ("3 Nov 2026", datetime(2026, 11, 3)),
        ("Nov 3, 2026", datetime(2026, 11, 3)),
        ("November 3rd, 2026 2:30 pm", datetime(2026, 11, 3, 14, 30)),
        ("Dec 1, 2026 12:05 AM", datetime(2026, 12, 1, 0, 5)),
        ("3 de noviembre de 2026", datetime(2026, 11, 3)),
        ("5 dic 2026", datetime(2026, 12, 5)),
        ("12 Agustus 2026 14:30", datetime(2026, 8, 12, 14, 30)),
        ("12 Mei 2026", datetime(2026, 5, 12)),
        ("3 نوفمبر 2026", datetime(2026, 11, 3)),
        ("٢٠٢٦-١١-٠٣", datetime(2026, 11, 3)),
    ],
)
def test_dates_with_month_names(text: str, expected: datetime) -> None:
    assert DateParser()(text) == expected


@pytest.mark.parametrize("text", ["31 февраля 2026", "3 Brumaire 2026", "3 ma 2026", "March 2026"])
def test_not_dates_with_month_names(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        DateParser()(text)


def test_month_names_stand_for_one_month() -> None:
    from otklik.ingest.normalize import month_number

    assert [month_number(n) for n in ("ноября", "Nov.", "dic", "agustus", "mei", "مايو")] == [
        11,
        11,
        12,
        8,
        5,
        5,
    ]
    assert month_number("ju") is None and month_number("decoded") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("٩", 9.0), ("١٠", 10.0), ("٧٫٥", 7.5), ("١٬٢٥٠٫٥", 1250.5), ("-٣٫٢٥", -3.25)],
)
def test_arabic_indic_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value
