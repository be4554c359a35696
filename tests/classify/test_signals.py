"""Language detection (offline, fastText lite + script fast paths) and score bands."""

from __future__ import annotations

import pytest

from otklik.classify import detect_language, score_sentiment


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Не могу войти в приложение", "ru"),
        ("The app keeps crashing after the update", "en"),
        ("Pesanan belum sampai padahal sudah lewat lima hari", "id"),
        ("Aplikasi sering error, kecewa", "id"),  # fastText alone says Polish here
        ("التطبيق لا يعمل بعد التحديث", "ar"),
        ("La aplicación no funciona desde ayer", "es"),
        ("Додаток не працює, їжа холодна", "uk"),
        ("Die App stürzt ständig ab, sehr ärgerlich", "de"),
        # fastText lite is unsure and names no preferred language: function words decide
        ("how do I reset my password", "en"),  # fastText: Hungarian 0.40
        ("reset my password", "en"),
        ("love it ❤️❤️❤️", "en"),  # fastText: Cebuano 0.50, Bulgarian 0.49
    ],
)
def test_detects_languages_offline(text: str, language: str) -> None:
    found, confidence = detect_language(text)
    assert found == language
    assert 0 < confidence <= 1


@pytest.mark.parametrize("text", [None, "", "ok", "5", "👍👍", "!!!"])
def test_too_little_text_has_no_language(text: str | None) -> None:
    assert detect_language(text) == (None, 0.0)


@pytest.mark.parametrize(
    ("score", "scale", "expected"),
    [
        (0, "nps", "negative"),
        (6, "nps", "negative"),
        (7, "nps", "neutral"),
        (8, "nps", "neutral"),
        (9, "nps", "positive"),
        (2, "csat5", "negative"),
        (3, "csat5", "neutral"),
        (4, "csat5", "positive"),
        (2, "rating5", "negative"),
        (4, "csat10", "negative"),
        (5, "csat10", "neutral"),
        (8, "csat10", "neutral"),
        (9, "csat10", "positive"),
        (3, "ces7", "negative"),
        (4, "ces7", "neutral"),
        (5, "ces7", "positive"),
        (5, None, None),
        (None, "nps", None),
        (5, "stars100", None),
    ],
)
def test_score_bands(score: float | None, scale: str | None, expected: str | None) -> None:
    assert score_sentiment(score, scale) == expected
