"""Personal data: recall and false positives on a corpus of real-looking formats, and masking."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from otklik.classify import find_pii, mask_pii
from otklik.classify.pii import luhn_valid
from tests.conftest import DATA

CORPUS = [
    json.loads(line)
    for line in (DATA / "pii_corpus.jsonl").read_text(encoding="utf-8").splitlines()
]


def _score() -> tuple[Counter[str], Counter[str], list[str]]:
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    false_positives: list[str] = []
    for row in CORPUS:
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
