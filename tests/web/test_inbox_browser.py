"""The inbox journey in real Chromium: filter, select with the keyboard, bulk assign with the
confirmation step, open a case, the shortcut help, send a reply that arrives at a real SMTP
server (aiosmtpd). Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from sqlalchemy import select

from otklik.ledger import Case, CaseEvent, make_engine, upgrade
from otklik.web import create_app
from tests.replies.servers import Mailbox, free_port, smtp_server
from tests.web.conftest import PASSWORD, USERS, _seed, settings_for
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _need_chromium
from tests.web.test_inbox import EMAIL, _customer_items

pytestmark = pytest.mark.browser


@dataclass
class Served:
    url: str
    db: str
    cases: dict[str, int]
    mailbox: Mailbox


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    _need_chromium()
    db = f"sqlite:///{tmp_path_factory.mktemp('inbox-browser') / 'otklik.db'}"
    engine = make_engine(db)
    upgrade(engine)
    _, _, cases = _seed(engine)
    cases.update(_customer_items(engine))
    engine.dispose()
    with smtp_server() as mailbox:
        settings = settings_for(
            db, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from="care@bank.example"
        )
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield Served(f"http://127.0.0.1:{port}", db, cases, mailbox)
        server.should_exit = True
        thread.join(timeout=10)


def _events(db: str, case_id: int) -> list[str]:
    engine = make_engine(db)
    with engine.connect() as conn:
        found = list(
            conn.execute(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            ).scalars()
        )
    engine.dispose()
    return found


def test_inbox_journey_with_keyboard_bulk_assign_and_reply(served: Served) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{served.url}/login")
        page.fill("input[name=email]", USERS["payments"][0])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{served.url}/")

        page.goto(f"{served.url}/inbox")
        page.wait_for_selector("body[data-keys-ready=true]")
        # "/" jumps to the filters; choose the overdue SLA state and apply.
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.closest('#filters') !== null")
        page.check("#filters input[name=sla][value=overdue]")
        page.click("#filters button[type=submit]")
        page.wait_for_url("**/inbox?**sla=overdue**")
        page.wait_for_selector("body[data-keys-ready=true]")
        rows = page.locator("tr[data-case]")
        assert rows.count() == 1  # payments' only overdue case
        overdue_case = served.cases["payments-app-1-0"]
        assert rows.first.get_attribute("data-case") == str(overdue_case)
        # Back to the whole queue: j moves, x selects two cases.
        page.goto(f"{served.url}/inbox")
        page.wait_for_selector("body[data-keys-ready=true]")
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("x")
        assert page.locator("[data-selected-count]").inner_text() == "2"
        chosen = [
            int(str(row.get_attribute("data-case")))
            for row in page.locator("tr[data-case]").all()
            if row.locator("input[name=ids]").is_checked()
        ]
        assert len(chosen) == 2
        # a: the bulk action becomes "assign" and the assignee field takes the focus.
        page.keyboard.press("a")
        assert page.evaluate("document.activeElement.id") == "bulk-assignee"
        page.fill("#bulk-assignee", "Мария")
        page.click("#bulk-selected")
        page.wait_for_selector("#confirm-count")
        assert "(2)" in page.inner_text("#confirm-count")
        page.screenshot(path=str(_artifact("inbox-confirm-ru")), full_page=True)
        page.click("#confirm-apply")
        page.wait_for_selector("#bulk-done")
        assert "2" in page.inner_text("#bulk-done")
        page.screenshot(path=str(_artifact("inbox-ru")), full_page=True)
        for case_id in chosen:
            assert _events(served.db, case_id)[-1] == "assigned"

        # Open Olga's case with the keyboard: move to its row, Enter.
        target = served.cases["olga-0"]
        index = [r.get_attribute("data-case") for r in page.locator("tr[data-case]").all()].index(
            str(target)
        )
        page.keyboard.press("k")
        page.keyboard.press("k")
        for _ in range(index):
            page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/inbox/{target}")
        page.wait_for_selector("body[data-keys-ready=true]")
        assert page.locator("#customer-history tr[data-history-item]").count() == 2
        # ? shows the shortcut help, Esc hides it.
        page.keyboard.press("?")
        assert page.locator("#shortcuts").is_visible()
        page.keyboard.press("Escape")
        assert not page.locator("#shortcuts").is_visible()
        # r: write the reply; it arrives at the SMTP server.
        served.mailbox.arrived.clear()
        page.keyboard.press("r")
        assert page.evaluate("document.activeElement.id") == "reply-body"
        page.fill("#reply-body", "Мы вернули Вам комиссию.")
        page.click("#reply-form button[type=submit]")
        page.wait_for_selector("#reply-result")
        assert served.mailbox.arrived.wait(10)
        _, recipients, message = served.mailbox.messages[-1]
        assert recipients == [EMAIL]
        assert message.get_content().startswith("Здравствуйте, Ольга Ивановна!")
        assert "Мы вернули Вам комиссию." in page.inner_text("#replies")
        page.screenshot(path=str(_artifact("case-ru")), full_page=True)
        assert _events(served.db, target)[-1] == "replied"
        # The same pages in English: translated labels, the same data.
        page.click("a[data-lang=en]")
        page.wait_for_selector("text=Reply to the customer")
        page.screenshot(path=str(_artifact("case-en")), full_page=True)
        page.goto(f"{served.url}/inbox")
        page.wait_for_selector("text=Apply to selected")
        page.screenshot(path=str(_artifact("inbox-en")), full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e], errors
        browser.close()
    engine = make_engine(served.db)
    with engine.connect() as conn:
        assignees = set(conn.execute(select(Case.assignee).where(Case.id.in_(chosen))).scalars())
    engine.dispose()
    assert assignees == {"Мария"}


def _artifact(name: str) -> object:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
