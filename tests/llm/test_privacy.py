"""Masking before anything leaves: the personal data patterns, Russian NER (natasha), and
the texts the store flow sends, captured at the fake server."""

from __future__ import annotations

import pytest

from otklik.llm import mask_for_llm

CASES = [
    (
        "Меня зовут Иван Петров, живу в Москве на ул. Ленина, д. 5, кв. 12. "
        "Звоните +7 912 345-67-89",
        "Меня зовут [NAME], живу в [PLACE] на [ADDRESS]. Звоните [PHONE]",
    ),
    (
        "Оператор Анна Смирнова из ООО «Ромашка» нагрубила, пишите на anna@mail.ru",
        None,
    ),
    (
        "My name is John Smith, I live at 221 Baker Street, apt 4. Mr Brown was rude.",
        "My name is [NAME], I live at [ADDRESS]. Mr [NAME] was rude.",
    ),
    (
        "Terima kasih Ibu Sari, alamat saya Jalan Merdeka No. 12",
        "Terima kasih Ibu [NAME], alamat saya [ADDRESS]",
    ),
    ("Карта 4276 3800 1234 5679, паспорт 4506 123456", "Карта [CARD], паспорт [PASSPORT]"),
    ("Топ поддержка, ответили за 2 минуты 👍", "Топ поддержка, ответили за 2 минуты 👍"),
    ("меня зовут иван петров, верните деньги", "меня зовут [NAME], верните деньги"),
    (
        "This is terrible service. Best wishes, Ann Lee",
        "This is terrible service. Best wishes, [NAME]",
    ),
    ("اسمي أحمد والتطبيق لا يعمل", None),
    # the other markets' mobiles and identity numbers (otklik.classify.pii)
    ("Paket belum sampai, WA saya 0812-3456-7890", "Paket belum sampai, WA saya [PHONE]"),
    ("رقم جوالي ٠٥٥١٢٣٤٥٦٧ والطلب ما وصل", "رقم جوالي [PHONE] والطلب ما وصل"),
    ("Mi DNI es 12345678Z y no me dejan entrar", "Mi DNI es [ID] y no me dejan entrar"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_masking(text: str, expected: str | None) -> None:
    masked = mask_for_llm(text)
    if expected is not None:
        assert masked == expected
    assert mask_for_llm(masked) == masked  # idempotent: placeholders are never re-tagged


def test_an_arabic_introduction_hides_the_name() -> None:
    masked = mask_for_llm("اسمي أحمد والتطبيق لا يعمل")
    assert "أحمد" not in masked and masked.startswith("اسمي [NAME]")


def test_russian_names_and_organisations_are_found_by_the_ner_model() -> None:
    masked = mask_for_llm(
        "Оператор Анна Смирнова из ООО «Ромашка» нагрубила, пишите на anna@mail.ru"
    )
    for secret in ("Анна", "Смирнова", "Ромашка", "anna@mail.ru"):
        assert secret not in masked
    assert "[NAME]" in masked and "[ORG]" in masked and "[EMAIL]" in masked
