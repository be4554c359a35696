"""Incidents in real Chromium: the operator's inbox banner with the message and current ETA,
and the public status page embedded in another site's iframe, saying a passed ETA was missed.
Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import uvicorn

from otklik.incidents import open_incident
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.replies.servers import free_port
from tests.web.conftest import PASSWORD, USERS, _seed, settings_for
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _need_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    db = f"sqlite:///{tmp_path_factory.mktemp('incidents-browser') / 'otklik.db'}"
    engine = make_engine(db)
    upgrade(engine)
    _seed(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    open_incident(
        engine,
        title="Payments gateway",
        message_ru="Переводы задерживаются до 30 минут",
        message_en="Transfers are delayed by up to 30 minutes",
        actor="t",
        started_at=now - timedelta(hours=3),
        eta_at=now - timedelta(minutes=30),
        owner_team="payments",
        at=now - timedelta(hours=3),
    )
    engine.dispose()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings_for(db)), host="127.0.0.1", port=port, log_level="warning"
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


def test_banner_and_embedded_status(served: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    host = tmp_path_factory.mktemp("site") / "site.html"
    host.write_text(
        f'<html><body><h1>Our shop</h1><iframe id="w" src="{served}/status?embed=1&lang=en"'
        ' width="600" height="300"></iframe></body></html>',
        encoding="utf-8",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport={"width": 1300, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{served}/login")
        page.fill("input[name=email]", USERS["payments"][0])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{served}/")
        page.goto(f"{served}/inbox")
        banner = page.locator(".incident-banner")
        assert banner.is_visible()
        text = banner.inner_text()
        assert "Переводы задерживаются до 30 минут" in text
        assert "обещанный срок" in text and "прошёл" in text
        page.screenshot(path=str(ARTIFACTS / "incidents-inbox-ru.png"))

        site = ThreadingHTTPServer(
            ("127.0.0.1", free_port()),
            partial(_QuietFiles, directory=str(host.parent)),
        )
        threading.Thread(target=site.serve_forever, daemon=True).start()
        # Another origin frames the widget (as a shop's page would).
        page.goto(f"http://127.0.0.1:{site.server_address[1]}/site.html")
        frame = page.frame_locator("#w")
        incident = frame.locator(".incident")
        incident.wait_for()
        shown = incident.inner_text()
        assert "Transfers are delayed by up to 30 minutes" in shown
        assert "has passed and it is not fixed yet" in shown
        assert "Payments gateway" not in frame.locator("body").inner_text()
        page.screenshot(path=str(ARTIFACTS / "incidents-status-embedded-en.png"))
        browser.close()
        site.shutdown()
        site.server_close()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return
