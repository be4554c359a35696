"""Personal data: recall and false positives on a corpus of real-looking formats, and masking."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from otklik.classify import find_pii, mask_pii
from otklik.classify.pii import luhn_valid
from tests.conftest import DATA


def _corpus(name: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


CORPUS = _corpus("pii_corpus.jsonl")
# Indonesian, Spanish and Arabic texts (tests/data/make_pii_corpus_intl.py): mobiles of the
# markets otklik serves, identity numbers with their words and check characters, and decoys.
INTL_CORPUS = _corpus("pii_corpus_intl.jsonl")


def _score(corpus: list[dict] | None = None) -> tuple[Counter[str], Counter[str], list[str]]:  # type: ignore[type-arg]
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    false_positives: list[str] = []
    for row in CORPUS if corpus is None else corpus:
        text = row["text"]
        spans = []
        for pii in row["pii"]:
            start = text.index(pii["value"])
            spans.append((start, start + len(pii["value"])))
            expected[pii["kind"]] += 1
        matches = find_pii(text)
        for pii, (start, end) in zip(row["pii"], spans, strict=True):
            if any(m.start <= start and end <= m.end for m in matches):
                found[pii["kind"]] += 1
        false_positives += [
            f"{m.kind} {m.text!r} in {text!r}"
            for m in matches
            if not any(m.start < end and start < m.end for start, end in spans)
        ]
    return expected, found, false_positives


def test_corpus_recall_and_false_positives() -> None:
    expected, found, false_positives = _score()
    assert sum(expected.values()) >= 100
    decoys = sum(1 for row in CORPUS if not row["pii"])
    assert decoys >= 150
    recall = sum(found.values()) / sum(expected.values())
    print(
        f"\nPII recall {recall:.3f} ({sum(found.values())}/{sum(expected.values())}); "
        f"false positives {len(false_positives)} over {len(CORPUS)} texts ({decoys} decoys)"
    )
    for kind in sorted(expected):
        print(f"  {kind}: {found[kind]}/{expected[kind]}")
    assert recall >= 0.95
    for kind in expected:  # no kind is left behind
        assert found[kind] / expected[kind] >= 0.9, kind
    assert len(false_positives) <= 2, false_positives


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Звоните +7 (916) 123-45-67!", "Звоните [PHONE]!"),
        ("Мой номер 89161234567, жду", "Мой номер [PHONE], жду"),
        ("пишите на ivan.petrov@mail.ru.", "пишите на [EMAIL]."),
        ("Карта 4111 1111 1111 1111 заблокирована", "Карта [CARD] заблокирована"),
        ("паспорт серия 45 06 номер 123456", "паспорт серия [PASSPORT]"),
        ("ИНН 7707083893", "ИНН [INN]"),
        ("СНИЛС 112-233-445 95", "СНИЛС [SNILS]"),
        ("Заказ № 4111111111111111 не пришёл", "Заказ № 4111111111111111 не пришёл"),
        ("12.03.2025 в 14:30 списали 1 234,56 руб.", "12.03.2025 в 14:30 списали 1 234,56 руб."),
    ],
)
def test_mask_pii(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


def test_intl_corpus_recall_and_false_positives() -> None:
    expected, found, false_positives = _score(INTL_CORPUS)
    assert sum(expected.values()) >= 100
    assert sum(1 for row in INTL_CORPUS if not row["pii"]) >= 150
    for kind in expected:
        assert found[kind] == expected[kind], (kind, found[kind], expected[kind])
    assert false_positives == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Nomor HP saya 0812-3456-7890, tolong hubungi", "Nomor HP saya [PHONE], tolong hubungi"),
        ("رقمي ٠٥٥١٢٣٤٥٦٧", "رقمي [PHONE]"),
        ("Mi DNI es 12345678Z", "Mi DNI es [ID]"),
        ("Mi RUT es 12.345.678-5", "Mi RUT es [ID]"),
        ("el pedido 12345678Z no llegó", "el pedido 12345678Z no llegó"),
        ("Mi DNI es 12345678A", "Mi DNI es [ID]"),  # named by its word, whatever its letter
        ("cliente 12345678A", "cliente 12345678A"),  # a wrong check letter: no DNI
        ("Pesanan 081234567890 belum sampai", "Pesanan 081234567890 belum sampai"),
    ],
)
def test_other_markets_numbers(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


def test_identity_check_characters() -> None:
    from otklik.classify.pii import dni_valid, rut_valid

    # 12345678 mod 23 = 14 → "Z"; the NIE X1234567 reads 01234567, mod 23 = 19 → "L"
    assert dni_valid("12345678", "Z") and not dni_valid("12345678", "A")
    assert dni_valid("1234567", "L", "X") and not dni_valid("1234567", "Z", "X")
    # RUT 12.345.678: 8·2+7·3+6·4+5·5+4·6+3·7+2·2+1·3 = 138; 11 − 138 mod 11 = 5
    assert rut_valid("12.345.678", "5") and not rut_valid("12.345.678", "4")


def test_checksums_decide_for_bare_numbers() -> None:
    # 4111 1111 1111 1111 passes Luhn; changing its last digit breaks it.
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert [m.kind for m in find_pii("карта 4111111111111112")] == []
    # 7707083893 is a real organisation's INN (10 digits, valid check digit); 7707083894 is not.
    assert [m.kind for m in find_pii("реквизиты 7707083893")] == ["inn"]
    assert find_pii("реквизиты 7707083894") == []
    # SNILS 112-233-445 95 is the standard valid example; 112-233-445 96 is not.
    assert find_pii("112-233-445 96") == []


def test_matches_do_not_overlap_and_keep_positions() -> None:
    text = "Тел. +7 916 123-45-67, почта a.b@c.ru, карта 5500 0000 0000 0004"
    matches = find_pii(text)
    assert [m.kind for m in matches] == ["phone", "email", "card"]
    for match in matches:
        assert text[match.start : match.end] == match.text
    assert mask_pii(text, {"phone": "<tel>", "email": "<mail>", "card": "<card>"}) == (
        "Тел. <tel>, почта <mail>, карта <card>"
    )
