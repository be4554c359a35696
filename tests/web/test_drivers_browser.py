"""The Priorities page in real Chromium: the impact chart draws with its whiskers, a bar opens
the planted topic's items, the report button downloads a PDF, and the page switches language.

Screenshots go to test-artifacts/web/ (priorities-ru.png, priorities-en.png).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from otklik.auth import add_user
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.drivers.conftest import _fill
from tests.web.conftest import PASSWORD, USERS, settings_for
from tests.web.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _login,
    _need_chromium,
    _shot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-drivers') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine)
    for email, role, team in USERS.values():
        add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    engine.dispose()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings_for(url)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_priorities_chart_drill_down_report_and_language(chromium: object, base_url: str) -> None:
    page: object = _login(chromium, base_url, "admin", locale="ru-RU")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.click("nav >> text=Приоритеты")  # type: ignore[attr-defined]
    page.wait_for_url("**/priorities")  # type: ignore[attr-defined]
    page.goto(f"{base_url}/priorities?period=2025-06")  # type: ignore[attr-defined]
    page.wait_for_selector("#drivers-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert page.locator("#drivers-chart .errorbar").count() > 0  # type: ignore[attr-defined]
    first = page.locator("table.backlog tbody tr").first  # type: ignore[attr-defined]
    assert first.get_attribute("data-topic") == "fees"
    _shot(page, "priorities-ru")
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("a[data-report=pdf]")  # type: ignore[attr-defined]
    assert download.value.suggested_filename == "otklik-management-2025-06.pdf"
    # the top bar (the last trace point: bars are drawn bottom-up) opens its items
    bars = page.locator("#drivers-chart .point path")  # type: ignore[attr-defined]
    box = bars.nth(bars.count() - 1).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore[attr-defined]
    page.wait_for_url("**/items?**")  # type: ignore[attr-defined]
    assert "topic=fees" in page.url  # type: ignore[attr-defined]
    assert page.locator("tr[data-item]").count() > 0  # type: ignore[attr-defined]
    page.goto(f"{base_url}/priorities?period=2025-06")  # type: ignore[attr-defined]
    page.click("a[data-lang=en]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Backlog: problems ranked by priority")  # type: ignore[attr-defined]
    page.wait_for_selector("#drivers-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    _shot(page, "priorities-en")
    assert not [e for e in errors if "Content Security Policy" in e], errors
