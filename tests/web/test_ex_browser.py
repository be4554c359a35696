"""The EX page and the overview's pillars chart in real Chromium, in Russian and English; the hr
role lands on /ex and is refused everywhere else.

Screenshots go to test-artifacts/web/ (ex-ru.png, ex-en.png, overview-pillars.png).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import uvicorn
from sqlalchemy import text

from otklik.auth import add_user
from otklik.classify import MachineLabel, write_machine_labels
from otklik.ex import write_staff
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, _seed, settings_for
from tests.web.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _login,
    _need_chromium,
    _shot,
)

pytestmark = pytest.mark.browser
HR_EMAIL = "hr@example.org"


@pytest.fixture(scope="module")
def ex_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-ex') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    add_user(engine, email=HR_EMAIL, role="hr", password=PASSWORD)
    answers = [
        {
            "external_id": f"pulse-{team}-{q}-{i}",
            "kind": "employee",
            "occurred_at": datetime(2025, 3 * q + 2, 5 + i, 9),
            "score": float((i * 3 + q + len(team)) % 11),
            "scale": "nps",
            "team": team,
        }
        for team in ("Contact center", "Chat support", "IT")
        for q in range(2)
        for i in range(7)
    ]
    write_items(engine, run_id=None, source="pulse", items=answers)
    write_staff(
        engine,
        [
            {
                "employee_id": f"s{i}",
                "started_at": datetime(2021, 1, 1),
                "team": "IT",
                "role": "developer",
                "left_at": datetime(2025, 2, 1) if i < 5 else None,
                "leave_reason": "pay" if i < 5 else None,
            }
            for i in range(20)
        ],
        source="hr",
    )
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    write_machine_labels(
        engine,
        [
            MachineLabel(
                item_id,
                "complaint",
                "negative" if n % 3 else "positive",
                [],
                {"pillars": ["empathy", "time_effort"] if n % 2 else ["resolution"]},
                "ru",
                None,
                "rules",
                1.0,
                {},
            )
            for n, (external_id, item_id) in enumerate(sorted(ids.items()))
            if external_id.startswith(("payments-", "cards-"))
        ],
    )
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
def chromium(ex_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_overview_pillars_and_ex_page_in_both_languages(chromium: object, ex_url: str) -> None:
    page: object = _login(chromium, ex_url, "admin", locale="ru-RU")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    page.goto(f"{ex_url}/?from=2025-01-01&to=2025-06-30")  # type: ignore[attr-defined]
    page.wait_for_selector("#pillars-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    assert "Эмпатия" in page.content()  # type: ignore[attr-defined]
    _shot(page, "overview-pillars")
    page.click("nav >> text=Сотрудники")  # type: ignore[attr-defined]
    page.wait_for_url("**/ex")  # type: ignore[attr-defined]
    page.select_option("select[name=by]", "team")  # type: ignore[attr-defined]
    page.fill("input[name=period]", "2025-Q1")  # type: ignore[attr-defined]
    page.click("form.range button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/ex?period=2025-Q1&by=team")  # type: ignore[attr-defined]
    page.wait_for_selector("#ex-enps-chart[data-rendered=true] .main-svg")  # type: ignore[attr-defined]
    rows = page.locator("#ex-figures tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 3
    assert "1 кв. 2025" in page.locator("#ex-figures").inner_text()  # type: ignore[attr-defined]
    assert "Уволились" in page.content()  # type: ignore[attr-defined]
    _shot(page, "ex-ru")
    page.click("a[data-lang=en]")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Employees: employee experience (EX)")  # type: ignore[attr-defined]
    assert "Q1 2025" in page.locator("#ex-figures").inner_text()  # type: ignore[attr-defined]
    _shot(page, "ex-en")
    assert not errors, errors


def test_hr_lands_on_ex_and_sees_no_customer_pages(chromium: object, ex_url: str) -> None:
    context = chromium.new_context(locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{ex_url}/login")
    page.fill("input[name=email]", HR_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{ex_url}/ex")
    nav = page.locator("nav").inner_text()
    assert "Employees" in nav and "Items" not in nav and "Inbox" not in nav
    response = page.goto(f"{ex_url}/items")
    assert response is not None and response.status == 403
    context.close()
