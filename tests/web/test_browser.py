"""The web app in a real browser: Playwright driving Debian's Chromium (never a downloaded one).

Skipped with a reason when /usr/bin/chromium is missing, except under CI=true, where a missing
browser fails. Screenshots of the main pages are kept under test-artifacts/web/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.web.conftest import MARKERS, PASSWORD, USERS, _seed, settings_for

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("/usr/bin/chromium is missing: apt-get install chromium chromium-driver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str) -> Iterator[str]:
    """The web app for the store at ``url`` on a free local port, for as long as the block runs."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings_for(url)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    engine.dispose()
    with serve(url) as base:
        yield base


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(browser: object, base_url: str, role: str, locale: str = "en-US") -> object:
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base_url}/")
    assert "/login" in page.url
    page.fill("input[name=email]", USERS[role][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_admin_overview_charts_click_through_and_language(browser: object, base_url: str) -> None:
    page = _login(browser, base_url, "admin")
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)  # type: ignore[attr-defined]
            if message.type == "error"
            else None
        ),
    )
    page.goto(f"{base_url}/?from=2025-01-01&to=2025-03-31")  # type: ignore[attr-defined]
    page.wait_for_selector("#trend-nps[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    page.wait_for_selector("#channels[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert page.locator(".tile").count() == 4  # type: ignore[attr-defined]
    _shot(page, "overview")
    # A click on a bar opens the items behind it.
    # Plotly listens on its drag layer above the bars: click where the first bar is drawn.
    # (scrolled into view first: the mouse clicks inside the viewport only)
    page.locator("#channels").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    box = page.locator("#channels .point path").first.bounding_box()  # type: ignore[attr-defined]
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore[attr-defined]
    page.wait_for_url("**/items?**")  # type: ignore[attr-defined]
    assert "channel=" in page.url  # type: ignore[attr-defined]
    assert page.locator("tr[data-item]").count() > 0  # type: ignore[attr-defined]
    _shot(page, "items")
    page.click("a[data-lang=ru]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Отзывы и обращения")  # type: ignore[attr-defined]
    page.goto(f"{base_url}/explore?metric=nps&by=month&segment=channel")  # type: ignore[attr-defined]
    page.wait_for_selector("#explore-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    _shot(page, "explore-ru")
    page.goto(f"{base_url}/inbox")  # type: ignore[attr-defined]
    _shot(page, "inbox-ru")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_team_member_sees_only_its_zone(browser: object, base_url: str) -> None:
    page = _login(browser, base_url, "payments", locale="ru-RU")
    page.wait_for_selector("#trend-nps[data-rendered=true]")  # type: ignore[attr-defined]
    assert "Обзор" in page.content()  # type: ignore[attr-defined]
    page.goto(f"{base_url}/items")  # type: ignore[attr-defined]
    text = page.content()  # type: ignore[attr-defined]
    assert MARKERS["payments"] in text and MARKERS["cards"] not in text
    _shot(page, "team-items")
    assert page.goto(f"{base_url}/settings").status == 403  # type: ignore[attr-defined]
