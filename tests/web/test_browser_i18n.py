"""Both languages in real Chromium: the drawn pages (charts included) hold no key, no stored
code and no stray language, and the Russian CSV link downloads a file Russian Excel reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.web.test_browser import ARTIFACTS, _login, base_url, browser  # noqa: F401
from tests.web.test_i18n_walk import problems

pytestmark = pytest.mark.browser


def _rendered(page: object) -> str:
    """The page as the browser holds it after scripts ran (chart SVG text included)."""
    return str(page.content())  # type: ignore[attr-defined]


def test_pages_and_charts_in_russian_and_english(browser: object, base_url: str) -> None:  # noqa: F811
    page = _login(browser, base_url, "admin", locale="ru-RU")
    page.goto(f"{base_url}/?from=2025-01-01&to=2025-03-31")  # type: ignore[attr-defined]
    page.wait_for_selector("#channels[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    html = _rendered(page)
    # The channel bars are labelled in Russian by the chart itself, the axis by its unit.
    ticks = page.locator("#channels .xtick text").all_text_contents()  # type: ignore[attr-defined]
    assert "Приложение" in ticks and "app" not in ticks
    assert "пункты" in page.locator("#trend-nps .g-ytitle").text_content()  # type: ignore[attr-defined]
    assert not problems(html, "ru")
    page.goto(f"{base_url}/explore?metric=nps&by=all&segment=channel")  # type: ignore[attr-defined]
    page.wait_for_selector("#explore-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert not problems(_rendered(page), "ru")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explore-channels-ru.png"), full_page=True)  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("a[data-export=csv]")  # type: ignore[attr-defined]
    saved = Path(download.value.path())
    body = saved.read_bytes()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Метрика", "Период", "Канал"]
    page.click("a[data-lang=en]")  # type: ignore[attr-defined]
    page.wait_for_selector("#explore-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert not problems(_rendered(page), "en")
    page.goto(f"{base_url}/?from=2025-01-01&to=2025-03-31")  # type: ignore[attr-defined]
    page.wait_for_selector("#channels[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    ticks = page.locator("#channels .xtick text").all_text_contents()  # type: ignore[attr-defined]
    assert "App" in ticks
    assert not problems(_rendered(page), "en")
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)  # type: ignore[attr-defined]


def test_team_user_inbox_in_russian(browser: object, base_url: str) -> None:  # noqa: F811
    page = _login(browser, base_url, "payments", locale="ru-RU")
    page.goto(f"{base_url}/inbox")  # type: ignore[attr-defined]
    html = _rendered(page)
    assert "открыт" in html and not problems(html, "ru")
    page.screenshot(path=str(ARTIFACTS / "inbox-team-ru.png"), full_page=True)  # type: ignore[attr-defined]
