"""Screenshots of every main page in Russian and English, taken from a demo store in real
Chromium: the pictures in README.md and docs/web.md come from here (``make screenshots`` copies
them into docs/screenshots/). Each page must render its charts and show no error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik.demo import DEMO_PASSWORD, ensure_demo_users, generate, load_demo
from otklik.ledger import make_engine, upgrade
from otklik.routing import classify_and_route
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _need_chromium, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ARTIFACTS / "screenshots"
# (file name, path, a selector that must be there when the page is drawn)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "/", "#trend-nps[data-rendered=true] .main-svg"),
    ("explore", "/explore?metric=nps&by=month&segment=channel", "#explore-chart .main-svg"),
    ("scorecards", "/scorecards?period=2025-Q4", "main"),
    ("topics", "/topics?period=2025-Q4", "main"),
    ("items", "/items?channel=app", "tr[data-item]"),
    ("search", "/items?q=%D0%BA%D0%B0%D1%80%D1%82%D0%B0", "mark.hit"),
    ("inbox", "/inbox", "#cases"),
    ("case", "/inbox/1", "main"),
    ("imports", "/imports", "main"),
    ("admin-taxonomy", "/admin/taxonomy", "main"),
    ("admin-kpis", "/admin/kpis", "main"),
    ("admin-surveys", "/admin/surveys", "main"),
    ("model", "/model", "main"),
    ("settings", "/settings", "main"),
)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('shots') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine, generate(8000, seed=42))
    classify_and_route(engine)
    ensure_demo_users(engine)
    engine.dispose()
    with serve(url) as base:
        yield base


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_main_page_in_both_languages(demo_url: str, locale: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="ru-RU" if locale == "ru" else "en-US", viewport={"width": 1400, "height": 900}
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(f"{demo_url}/login")
        page.fill("input[name=email]", "admin@demo.otklik")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{demo_url}/")
        for name, path, ready in PAGES:
            response = page.goto(f"{demo_url}{path}")
            assert response is not None and response.status == 200, (path, response)
            page.wait_for_selector(ready)
            assert page.locator("html").get_attribute("lang") == locale
            page.screenshot(path=str(SHOTS / f"{name}-{locale}.png"), full_page=False)
        browser.close()
    target = os.environ.get("OTKLIK_SCREENSHOTS_TO")
    if target:  # `make screenshots`: the docs' pictures are these
        for shot in SHOTS.glob(f"*-{locale}.png"):
            shutil.copyfile(shot, Path(target) / shot.name)
