"""The LLM review journey in real Chromium: an analyst runs the prompt over filtered items,
reviews the answers, unticks one, stores the rest, and sees them stored."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from otklik.classify import current_labels
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.llm.fake_openai import FakeOpenAI
from tests.llm.test_web import generic_answer
from tests.web.conftest import _seed, settings_for
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _login, _need_chromium

pytestmark = pytest.mark.browser

_ENV = {"OTKLIK_LLM_MODEL": "fake-model", "OTKLIK_LLM_RETRIES": "0"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, FakeOpenAI]]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('llmbrowser') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    engine.dispose()
    with FakeOpenAI(generic_answer) as fake:
        saved = {name: os.environ.get(name) for name in [*_ENV, "OTKLIK_LLM_BASE_URL"]}
        os.environ.update({**_ENV, "OTKLIK_LLM_BASE_URL": fake.url})
        port = _free_port()
        config = uvicorn.Config(
            create_app(settings_for(url)), host="127.0.0.1", port=port, log_level="warning"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", url, fake
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def test_analyst_reviews_and_stores_llm_labels(site: tuple[str, str, FakeOpenAI]) -> None:
    from playwright.sync_api import sync_playwright

    base_url, db_url, fake = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = _login(browser, base_url, "analyst")
        page.click("nav a[href='/llm']")  # type: ignore[attr-defined]
        page.wait_for_selector("#llm-model")  # type: ignore[attr-defined]
        page.fill("#llm-run input[name=q]", "PAYMARK")  # type: ignore[attr-defined]
        page.fill("#llm-run input[name=limit]", "4")  # type: ignore[attr-defined]
        page.click("#llm-run-button")  # type: ignore[attr-defined]
        page.wait_for_selector("#llm-review")  # type: ignore[attr-defined]
        rows = page.locator("#llm-review tr[data-item]")  # type: ignore[attr-defined]
        assert rows.count() == 4 and len(fake.requests) == 4
        ids = [int(rows.nth(i).get_attribute("data-item")) for i in range(4)]
        page.locator(f"input[name=item][value='{ids[0]}']").uncheck()  # type: ignore[attr-defined]
        page.click("#llm-accept-button")  # type: ignore[attr-defined]
        page.wait_for_selector("#llm-stored")  # type: ignore[attr-defined]
        assert "3" in page.inner_text("#llm-stored")  # type: ignore[attr-defined]
        assert page.locator("#llm-runs tbody tr").count() >= 2  # type: ignore[attr-defined]
        browser.close()
    engine = make_engine(db_url)
    labels = current_labels(engine, ids)
    engine.dispose()
    assert [labels.get(i, {}).get("method") == "llm" for i in ids] == [False, True, True, True]
    assert len(fake.requests) == 4  # storing sent nothing
