"""The contact pages in real Chromium: the fatigue chart draws, the policy editor refuses a bad
policy with its line and saves a good one, the template preview shows SMS segments."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn

from otklik.contact import now_utc, record_communication
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.web.conftest import _seed, settings_for
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _login, _need_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    _need_chromium()
    folder = tmp_path_factory.mktemp("contactbrowser")
    url = f"sqlite:///{folder / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    now = now_utc()
    for customer in range(6):
        for days in range(0, 6 * (customer + 1), 6):
            record_communication(
                engine,
                customer_id=f"c{customer}",
                type_="marketing",
                channel="push",
                sent_at=now - timedelta(days=days + 1),
                outcome="answered" if days < 12 else "unsubscribed",
            )
    engine.dispose()
    policy = folder / "policy.yaml"
    settings = settings_for(url, contact_policy=policy, contact_templates=folder / "t.yaml")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", policy
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_fatigue_chart_policy_editor_and_preview(site: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base_url, policy = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = _login(browser, base_url, "admin", locale="ru-RU")
        page.click("nav a[href='/contact']")  # type: ignore[attr-defined]
        page.wait_for_selector("#fatigue-response[data-rendered='true']")  # type: ignore[attr-defined]
        assert "Усталость от контактов" in page.inner_text("h1")  # type: ignore[attr-defined]
        assert page.locator("#fatigue-table tr[data-channel='push']").count() >= 3  # type: ignore[attr-defined]
        page.click("#contact-tabs a[href='/contact/policy']")  # type: ignore[attr-defined]
        editor = page.locator("#policy-form textarea")  # type: ignore[attr-defined]
        original = editor.input_value()
        editor.fill(original.replace("max: 3", "max: lots"))
        page.click("#policy-save")  # type: ignore[attr-defined]
        page.wait_for_selector("#config-errors")  # type: ignore[attr-defined]
        assert not policy.exists()
        page.locator("#policy-form textarea").fill(original.replace("max: 3", "max: 2"))  # type: ignore[attr-defined]
        page.click("#policy-save")  # type: ignore[attr-defined]
        page.wait_for_selector("#config-saved")  # type: ignore[attr-defined]
        assert "max: 2" in policy.read_text(encoding="utf-8")
        page.click("#contact-tabs a[href='/contact/templates']")  # type: ignore[attr-defined]
        row = page.locator("tr.preview[data-template='outage-update-ru'][data-channel='sms']")  # type: ignore[attr-defined]
        assert "SMS" in row.inner_text()
        browser.close()
