"""The topics page and search in real Chromium: the chart draws, a bar opens the topic's items,
the search marks the matched word forms and never shows personal data.

Screenshots go to test-artifacts/web/ (topics-ru.png, topics-en.png, search-ru.png).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import uvicorn

from otklik.classify import MachineLabel, write_machine_labels
from otklik.ledger import make_engine, upgrade, write_items
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
from tests.web.test_topics import PII_TEXT, _topics_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def topics_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-topics') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _rows, ids, _cases = _seed(engine)
    write_items(
        engine,
        run_id=None,
        source="pii",
        items=[
            {
                "external_id": "pii-1",
                "kind": "review",
                "occurred_at": datetime(2025, 3, 20, 9, 0),
                "text": PII_TEXT,
                "owner_team": "cards",
            }
        ],
    )
    write_machine_labels(
        engine,
        [
            MachineLabel(item_id, "complaint", "negative", topics, {}, "ru", None, "rules", 0.9, {})
            for external_id, item_id in ids.items()
            if (topics := _topics_of(external_id))
        ],
    )
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
def chromium(topics_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_topics_chart_drill_down_and_search(chromium: object, topics_url: str) -> None:
    page: object = _login(chromium, topics_url, "admin", locale="ru-RU")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.click("nav >> text=Темы")  # type: ignore[attr-defined]
    page.wait_for_url("**/topics")  # type: ignore[attr-defined]
    page.goto(f"{topics_url}/topics?period=2025-03")  # type: ignore[attr-defined]
    page.wait_for_selector("#topics-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    page.wait_for_selector("#topics-trend[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    content = page.content()  # type: ignore[attr-defined]
    assert "Платежи и комиссии" in content and "Блокировка карты" in content
    _shot(page, "topics-ru")
    # the split switch: by channel, names through the catalogue
    page.select_option("select[name=split]", "channel")  # type: ignore[attr-defined]
    page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#topics-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert "split=channel" in page.url  # type: ignore[attr-defined]
    # a click on a bar opens the items of that topic
    box = page.locator("#topics-chart .point path").first.bounding_box()  # type: ignore[attr-defined]
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore[attr-defined]
    page.wait_for_url("**/items?**")  # type: ignore[attr-defined]
    assert "topic=" in page.url  # type: ignore[attr-defined]
    assert page.locator("tr[data-item]").count() > 0  # type: ignore[attr-defined]
    # search: another form of the words, marked in the result; personal data masked
    page.goto(f"{topics_url}/items")  # type: ignore[attr-defined]
    page.fill("input[name=q]", "заблокировать карта")  # type: ignore[attr-defined]
    page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("mark.hit")  # type: ignore[attr-defined]
    marked = page.locator("mark.hit").all_inner_texts()  # type: ignore[attr-defined]
    assert marked == ["карту", "заблокировали"]
    row = page.locator("tr[data-item] td.text").first.inner_text()  # type: ignore[attr-defined]
    assert "[PHONE]" in row and "[EMAIL]" in row and "916" not in row
    _shot(page, "search-ru")
    page.goto(
        f"{topics_url}/topics?period=2025-03",
    )  # type: ignore[attr-defined]
    page.click("a[data-lang=en]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Feedback topics")  # type: ignore[attr-defined]
    page.wait_for_selector("#topics-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert "Money transfers" in page.content()  # type: ignore[attr-defined]
    _shot(page, "topics-en")
    assert not [e for e in errors if "Content Security Policy" in e], errors
