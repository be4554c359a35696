"""The experiments pages in real Chromium, Russian and English: the list with status,
sample sizes, decision and rollout stage; an experiment with its estimates, intervals and the
mechanic honesty table; the form that defines a new experiment.

Screenshots go to test-artifacts/web/ (experiments-ru.png, experiment-en.png).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import uvicorn

from otklik.demo.experiments import MECHANIC_KEY, ROLLOUT_KEY, load_experiments_demo
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.web.conftest import _seed, settings_for
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
def experiments_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-experiments') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    load_experiments_demo(engine, end=datetime(2026, 1, 1))
    engine.dispose()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings_for(url)), host="127.0.0.1", port=port, log_level="warning"
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
def chromium(experiments_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_experiments_in_russian_and_english(chromium: object, experiments_url: str) -> None:
    page: object = _login(chromium, experiments_url, "admin", locale="ru-RU")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.click("nav >> text=Эксперименты")  # type: ignore[attr-defined]
    page.wait_for_url("**/experiments")  # type: ignore[attr-defined]
    rows = page.locator("#experiments-table tr[data-key]")  # type: ignore[attr-defined]
    assert rows.count() == 2
    mechanic = page.locator(f"tr[data-key='{MECHANIC_KEY}']")  # type: ignore[attr-defined]
    assert "остановлен" in mechanic.inner_text()
    assert mechanic.locator("[data-decision]").get_attribute("data-decision") == "stop_winner"
    rollout = page.locator(f"tr[data-key='{ROLLOUT_KEY}']")  # type: ignore[attr-defined]
    assert "after-third-payment · 50%" in rollout.inner_text()
    _shot(page, "experiments-ru")
    page.click(f"a[href='/experiments/{MECHANIC_KEY}']")  # type: ignore[attr-defined]
    page.wait_for_selector("#honesty")  # type: ignore[attr-defined]
    page.wait_for_selector("#experiment-path[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert page.locator("#variants-table tr[data-variant]").count() == 2  # type: ignore[attr-defined]
    primary = page.locator("#comparisons-table tr.primary").inner_text()  # type: ignore[attr-defined]
    assert "лучше" in primary
    assert page.locator("#honesty tr[data-mechanic='popup']").count() == 1  # type: ignore[attr-defined]
    page.click("a[data-lang=en]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Which mechanic gives honest answers")  # type: ignore[attr-defined]
    assert "stop: a variant wins (popup)" in page.locator("#decision").inner_text()  # type: ignore[attr-defined]
    _shot(page, "experiment-en")
    # define a new experiment from the form
    page.goto(f"{experiments_url}/experiments")  # type: ignore[attr-defined]
    page.fill("#experiment-form input[name=key]", "timing-test")  # type: ignore[attr-defined]
    page.fill("#experiment-form input[name=variants]", "after-1h, after-24h")  # type: ignore[attr-defined]
    page.select_option("#experiment-form select[name=metric]", "nps")  # type: ignore[attr-defined]
    page.click("#experiment-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/experiments/timing-test")  # type: ignore[attr-defined]
    assert "running" in page.locator("#experiment-summary").inner_text()  # type: ignore[attr-defined]
    assert "customers per variant" in page.locator("#planned").inner_text()  # type: ignore[attr-defined]
    assert not [e for e in errors if "Content Security Policy" in e], errors
