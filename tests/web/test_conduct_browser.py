"""The supervisors' conduct queue in real Chromium: a team user takes a step with one click, an
admin confirms, the inbox shows the badge, the page stays in the team's zone. Screenshots go to
test-artifacts/web/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import uvicorn
from sqlalchemy import insert, select

from otklik.conduct import scan_items
from otklik.ledger import Case, ConductEvent, FeedbackItem, make_engine, upgrade, write_items
from otklik.web import create_app
from tests.replies.servers import free_port
from tests.web.conftest import PASSWORD, USERS, _seed, settings_for
from tests.web.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _need_chromium

pytestmark = pytest.mark.browser


@dataclass
class Served:
    url: str
    db: str
    items: dict[str, int]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    _need_chromium()
    db = f"sqlite:///{tmp_path_factory.mktemp('conduct-browser') / 'otklik.db'}"
    engine = make_engine(db)
    upgrade(engine)
    _seed(engine)
    write_items(
        engine,
        run_id=None,
        source="conduct",
        items=[
            {
                "external_id": f"abuse-{team}",
                "kind": "contact",
                "channel": "chat",
                "occurred_at": datetime(2025, 3, 5),
                "text": f"{marker}: Вы там совсем охуели? Я тебя убью",
                "customer_id": f"cust-{team}",
                "owner_team": team,
                "agent": f"agent {marker}",
            }
            for team, marker in (("payments", "PAYMARK"), ("cards", "CARDMARK"))
        ],
    )
    scan_items(engine)
    with engine.begin() as conn:
        items = dict(
            conn.execute(
                select(FeedbackItem.external_id, FeedbackItem.id).where(
                    FeedbackItem.source == "conduct"
                )
            ).all()
        )
        conn.execute(
            insert(Case).values(
                item_id=items["abuse-payments"],
                team="payments",
                status="open",
                reason="complaint",
                due_at=datetime(2030, 1, 1),
                created_at=datetime(2025, 3, 5),
                updated_at=datetime(2025, 3, 5),
            )
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
    yield Served(f"http://127.0.0.1:{port}", db, items)
    server.should_exit = True
    thread.join(timeout=10)


def _steps(db: str, item_id: int) -> list[tuple[str, str]]:
    engine = make_engine(db)
    with engine.connect() as conn:
        found = [
            (str(step), str(actor))
            for step, actor in conn.execute(
                select(ConductEvent.step, ConductEvent.actor)
                .where(ConductEvent.item_id == item_id)
                .order_by(ConductEvent.id)
            ).all()
        ]
    engine.dispose()
    return found


def _login(page: object, url: str, role: str) -> None:
    page.goto(f"{url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", USERS[role][0])  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{url}/")  # type: ignore[attr-defined]


def test_conduct_queue_steps_and_badge(served: Served) -> None:
    from playwright.sync_api import sync_playwright

    own, other = served.items["abuse-payments"], served.items["abuse-cards"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                else None
            ),
        )
        _login(page, served.url, "payments")
        page.click("nav a[href='/conduct']")
        page.wait_for_url(f"{served.url}/conduct")
        assert page.locator(f"#item-{own}").count() == 1
        assert page.locator(f"#item-{other}").count() == 0  # another team's zone
        assert page.locator(f"#item-{own} mark").first.inner_text() == "охуели"
        assert page.locator(f"#item-{own} [data-decision]").count() == 0  # not a supervisor
        page.screenshot(path=str(ARTIFACTS / "conduct-team-ru.png"), full_page=True)
        page.click(f"#item-{own} button[data-step=warning]")
        page.wait_for_selector("#conduct-done")
        # A threat skips to block and review.
        assert _steps(served.db, own) == [
            ("warning", USERS["payments"][0]),
            ("block", USERS["payments"][0]),
            ("review", USERS["payments"][0]),
        ]
        page.goto(f"{served.url}/inbox")
        assert page.locator(f"[data-conduct='{own}']").count() == 1
        context.clear_cookies()
        _login(page, served.url, "admin")
        page.goto(f"{served.url}/conduct")
        page.click(f"#item-{own} button[data-decision=reverse]")
        page.wait_for_selector("#conduct-done")
        assert _steps(served.db, own)[-1] == ("reverse", USERS["admin"][0])
        assert page.locator(f"#item-{own}").count() == 0
        page.screenshot(path=str(ARTIFACTS / "conduct-admin-ru.png"), full_page=True)
        assert errors == []
        browser.close()
