"""Text checks worked out by hand: SMS segments by the GSM 03.38 rules, push and subject
limits, the promise-check in five languages, the form of address; templates with lines."""

from __future__ import annotations

import pytest

from otklik.contact import check_text, find_promises, parse_templates, preview, sms_segments
from otklik.contact.editor import TEMPLATES
from otklik.contact.templates import render
from otklik.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),  # 153 per part: 161 → 2
        ("a" * 307, ("GSM-7", 307, 3)),  # 2 × 153 = 306 < 307
        ("€" * 80, ("GSM-7", 160, 1)),  # an extension character takes two units
        ("я" * 70, ("UCS-2", 70, 1)),
        ("я" * 71, ("UCS-2", 71, 2)),  # 67 per part
        ("a" * 159 + "я", ("UCS-2", 160, 3)),  # one Cyrillic letter makes it all UCS-2
        ("😀" * 35, ("UCS-2", 70, 1)),  # an emoji is two UTF-16 units
    ],
)
def test_sms_segments(text: str, expected: tuple[str, int, int]) -> None:
    assert sms_segments(text) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Свет дадут к 23:00, вернём 500 ₽ завтра", ["23:00", "500 ₽", "завтра"]),
        ("Power back by 11 pm, $50 refunded tomorrow", ["11 pm", "$50", "tomorrow"]),
        ("Listrik menyala pukul 23.00, Rp 50.000 kembali besok", ["23.00", "Rp 50.000", "besok"]),
        (
            "La luz vuelve a las 23:00 y le devolvemos 500 pesos mañana",
            ["23:00", "500 pesos", "mañana"],
        ),
        ("ستعود الكهرباء الساعة 23:00 غدا", ["23:00", "غدا"]),
        ("Мы гарантируем возврат 1 декабря", ["1 декабря", "гарантируем"]),
        ("Работы идут; сообщим, как только узнаем срок.", []),
        ("We are working on it and will update you.", []),
    ],
)
def test_promises(text: str, found: list[str]) -> None:
    assert sorted(f.text or "" for f in find_promises(text)) == sorted(found)


def test_channel_limits_and_address() -> None:
    long_push = check_text("x" * 179, channel="push")
    assert not long_push.ok and long_push.findings[0].kind == "length"
    assert check_text("x" * 178, channel="push").ok
    assert not check_text("body", channel="email").ok  # no subject
    assert not check_text("body", channel="email", subject="s" * 79).ok
    warned = check_text("body", channel="email", subject="s" * 61)
    assert warned.ok and warned.findings[0].kind == "length"
    mixed = check_text(
        "Спасибо, что Вы с нами. Ждём тебя снова.", channel="push", language="ru", address="formal"
    )
    assert [(f.kind, f.text) for f in mixed.findings] == [("address", "тебя")]
    rude = check_text("You failed to pay. PLEASE PAY NOW!!", channel="push", language="en")
    assert {f.kind for f in rude.findings} == {"tone"}


def test_shipped_templates_pass_and_a_bad_file_names_its_lines() -> None:
    templates = TEMPLATES.parse(TEMPLATES.shipped.read_text(encoding="utf-8"), "t")[0]
    assert templates is not None
    for template in templates.templates:
        for rendered in preview(template, {"name": "Ann", "service": "power"}):
            assert rendered.check.ok, rendered.to_dict()
            assert not [f for f in rendered.check.findings if f.kind == "promise"]
    bad = (
        "version: 1\n"
        "templates:\n"
        "  - name: a\n"
        "    type: marketing\n"
        "    language: fr\n"
        "    channels: [sms]\n"
        "    body: hi\n"
        "  - name: b\n"
        "    type: service\n"
        "    language: ru\n"
        "    channels: [email]\n"
        "    body: Здравствуйте, $name\n"
    )
    config, issues = parse_templates(bad, "t.yaml")
    assert config is None
    shown = [str(issue) for issue in issues]
    assert any(s.startswith("t.yaml:5:") and "language" in s for s in shown), shown
    config, issues = parse_templates(bad.replace("language: fr", "language: en"), "t.yaml")
    shown = [str(issue) for issue in issues]
    assert any(s.startswith("t.yaml:12:") and "undeclared variable(s): name" in s for s in shown)
    assert any(s.startswith("t.yaml:11:") and "subject" in s for s in shown)
    good = parse_templates(
        bad.replace("language: fr", "language: en").replace(
            "    channels: [email]\n", "    channels: [sms]\n    variables: [name]\n"
        ),
        "t.yaml",
    )[0]
    assert good is not None
    with pytest.raises(ConfigError, match="no value for name"):
        render(good.get("b"), {}, "sms")
    assert render(good.get("b"), {"name": "Анна"}, "sms").body == "Здравствуйте, Анна"
