"""The settings page shows, per language, the sentiment and feedback-type methods `auto` uses
and their quality."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from otklik.classify.pretrained import auto_table
from tests.web.test_browser import _login, _shot, base_url, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("locale", "hybrid"),
    [("en-US", "Rules + shipped model"), ("ru-RU", "Правила + поставляемая модель")],
)
def test_settings_show_the_method_auto_uses_by_language(
    browser: object,  # noqa: F811
    base_url: str,  # noqa: F811
    locale: str,
    hybrid: str,
) -> None:
    expected = auto_table("sentiment")
    assert expected, "otklik ships its auto choices"
    page = _login(browser, base_url, "admin", locale=locale)
    page.goto(f"{base_url}/settings#methods")  # type: ignore[attr-defined]
    rows = page.locator("#methods tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == len(expected)
    for index, row in enumerate(expected):
        cells = rows.nth(index).locator("td")
        assert cells.nth(0).inner_text() == row["language"]
        if row["method"] == "hybrid":
            assert cells.nth(1).inner_text() == hybrid
        # the page rounds the written decimal half to even (0.8055 → 0.806), not the float
        mean = str(Decimal(str(row["mean_macro_f1"])).quantize(Decimal("0.001"), ROUND_HALF_EVEN))
        assert cells.nth(2).inner_text() == (mean if locale == "en-US" else mean.replace(".", ","))
    # the feedback type: its own table
    expected_types = auto_table("type")
    assert expected_types, "otklik ships its auto choices for the type"
    rows = page.locator("#type-methods tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == len(expected_types)
    for index, row in enumerate(expected_types):
        cells = rows.nth(index).locator("td")
        assert cells.nth(0).inner_text() == row["language"]
        if row["method"] == "hybrid":
            assert cells.nth(1).inner_text() == hybrid
    _shot(page, f"settings-methods-{locale}")
