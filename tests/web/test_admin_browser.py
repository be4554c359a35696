"""Configuration journeys in real Chromium (Playwright with Debian's chromium): a topic's title
edited in the form, seen in the history with its diff, reverted; a survey created, previewed
and embedded in a static page on another origin, where an answer is recorded."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from otklik.classify import DEFAULT_TAXONOMY
from otklik.ledger import Invitation, make_engine, upgrade
from otklik.routing import DEFAULT_TEAMS
from otklik.web import create_app
from tests.web.conftest import PASSWORD, USERS, _seed, settings_for
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _need_chromium, _shot

pytestmark = pytest.mark.browser


class _Site:
    def __init__(self, url: str, db: str, taxonomy: Path) -> None:
        self.url, self.db, self.taxonomy = url, db, taxonomy


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Site]:
    _need_chromium()
    folder = tmp_path_factory.mktemp("admin-browser")
    db = f"sqlite:///{folder / 'otklik.db'}"
    engine = make_engine(db)
    upgrade(engine)
    _seed(engine)
    engine.dispose()
    taxonomy, teams = folder / "taxonomy.yaml", folder / "teams.yaml"
    shutil.copy(DEFAULT_TAXONOMY, taxonomy)
    shutil.copy(DEFAULT_TEAMS, teams)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings_for(
        db, taxonomy=taxonomy, teams=teams, kpis_local=folder / "kpis.yaml", public_url=url
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield _Site(url, db, taxonomy)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(site: _Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _admin_page(browser: Any, site: _Site, locale: str) -> Any:
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{site.url}/login")
    page.fill("input[name=email]", USERS["admin"][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/")
    return page


@pytest.mark.parametrize("locale", ["ru-RU", "en-US"])
def test_edit_a_topic_title_see_the_diff_and_revert(browser: Any, site: _Site, locale: str) -> None:
    original = site.taxonomy.read_text(encoding="utf-8")
    page = _admin_page(browser, site, locale)
    page.goto(f"{site.url}/admin/taxonomy")
    row = page.locator('tr[data-topic="payments.fees"]')
    row.locator("summary").click()
    lang = locale[:2]
    title = {"ru": "Комиссии банка", "en": "Bank fees"}[lang]
    label = {
        "ru": "label: {ru: Комиссии банка, en: Fees and charges}",
        "en": "label: {ru: Комиссии и плата за обслуживание, en: Bank fees}",
    }[lang]
    row.locator(f"input[name=label_{lang}]").fill(title)
    row.locator("button[value=save]").click()
    page.wait_for_selector("#config-saved")
    assert title in page.locator('tr[data-topic="payments.fees"]').inner_text()
    assert label in site.taxonomy.read_text(encoding="utf-8")
    page.click("#history-link")
    newest = page.locator("section.version").first
    added = newest.locator("pre.diff .add").all_inner_texts()
    removed = newest.locator("pre.diff .del").all_inner_texts()
    assert added == [f"+        {label}"]
    assert removed == [
        "-        label: {ru: Комиссии и плата за обслуживание, en: Fees and charges}"
    ]
    assert USERS["admin"][0] in newest.inner_text()
    _shot(page, f"admin-history-{locale[:2]}")
    first = newest.get_attribute("data-version")
    page.locator("section.version").nth(1).locator("button.revert").click()
    page.wait_for_selector("#config-saved")
    assert f"saved={int(first or 0) + 1}" in page.url
    assert site.taxonomy.read_text(encoding="utf-8") == original
    _shot(page, f"admin-taxonomy-{locale[:2]}")
    page.context.close()


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_create_a_survey_preview_and_embed_it(browser: Any, site: _Site, tmp_path: Path) -> None:
    page = _admin_page(browser, site, "ru-RU")
    page.goto(f"{site.url}/admin/surveys")
    page.fill("#new-survey input[name=name]", "checkout-nps")
    page.select_option("#new-survey select[name=type]", "nps")
    page.fill("#new-survey input[name=question_ru]", "Порекомендуете ли вы нашу доставку?")
    page.click("#new-survey button[type=submit]")
    page.wait_for_selector("#config-saved")
    # The preview runs the real widget: the question and the 0–10 scale as customers see them.
    frame = page.frame_locator("iframe[name=survey-preview]")
    question = frame.locator(".otk-question")
    question.wait_for()
    assert question.inner_text() == "Порекомендуете ли вы нашу доставку?"
    assert frame.locator(".otk-point").count() == 11
    page.click('a.preview-link[data-mode="popup"][data-lang="en"]')
    frame.locator(".otk-backdrop").wait_for()
    _shot(page, "admin-survey-preview")
    # The embed snippet, pasted as it is into a static page on another origin.
    page.fill("#embed-form input[name=customer_id]", "c-browser")
    page.select_option("#embed-form select[name=mechanic]", "section")
    page.click("#embed-create")
    snippet = page.input_value("#embed-snippet")
    assert f'src="{site.url}/widget.js"' in snippet
    (tmp_path / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>shop</title></head><body>"
        f"<h1>Thank you for your order</h1>\n{snippet}\n</body></html>",
        encoding="utf-8",
    )
    server, origin = _serve(tmp_path)
    try:
        shop = page.context.new_page()
        shop.goto(f"{origin}/index.html")
        shop.wait_for_selector("#otklik-survey .otk-question")
        assert shop.inner_text("#otklik-survey .otk-question") == (
            "Порекомендуете ли вы нашу доставку?"
        )
        shop.locator("#otklik-survey .otk-point").nth(9).click()
        shop.fill("#otklik-survey .otk-comment", "Быстро привезли")
        shop.click("#otklik-survey .otk-send")
        shop.wait_for_selector("#otklik-survey .otk-thanks")
    finally:
        server.shutdown()
        server.server_close()
    engine = make_engine(site.db)
    try:
        with engine.connect() as conn:
            answered = conn.execute(
                select(Invitation.answered_at, Invitation.item_id).where(
                    Invitation.customer_id == "c-browser"
                )
            ).one()
    finally:
        engine.dispose()
    assert answered.answered_at is not None and answered.item_id is not None
    page.goto(f"{site.url}/admin/surveys")
    rate = page.locator("tr", has_text="checkout-nps").locator("td.rate").inner_text()
    assert rate.startswith("100,0")  # 1 of 1 invitation answered
    page.context.close()
