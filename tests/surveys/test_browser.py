"""The widget and the link page in a real browser: Playwright driving Debian's Chromium.

The host page comes from another origin (another port), as a shop's page would: the widget
loads from otklik, reads the survey and posts the answer cross-origin. Skipped with a reason
when /usr/bin/chromium is missing, except under CI=true. Screenshots go to
test-artifacts/surveys/.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from otklik.ledger import make_engine, upgrade
from otklik.surveys import Inviter, create_survey
from otklik.web import create_app
from tests.surveys.conftest import answers, invitation, survey_settings
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _need_chromium

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "surveys"
HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title>
<style>body{{margin:0;font:16px sans-serif}} main{{padding:20px;height:1400px}}
#corner{{position:fixed;left:12px;bottom:12px}}</style></head>
<body><main>
<h1>Payment done</h1>
<button id="behind" type="button">Keep shopping</button> clicks: <span id="clicks">0</span>
<div id="slot"></div>
</main>
<button id="corner" type="button">Help</button>
<script>
var clicks = 0;
function count() {{ clicks += 1; document.getElementById("clicks").textContent = clicks; }}
document.getElementById("behind").addEventListener("click", count);
document.getElementById("corner").addEventListener("click", count);
window.done = null;
</script>
<script src="{otklik}/widget.js"></script>
<script>
Otklik.show({{token: "{token}", mode: "{mode}", target: "#slot", lang: "{lang}",
              channel: "app", onDone: function (r) {{ window.done = r.status; }}}});
</script>
</body></html>
"""


PAGES: dict[str, str] = {}


class _Host(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path.split("?")[0], "").encode("utf-8")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


class Env:
    def __init__(
        self, otklik: str, host: str, engine: Any, inviter: Inviter, surveys: dict[str, int]
    ) -> None:
        self.otklik, self.host, self.engine = otklik, host, engine
        self.inviter, self.surveys = inviter, surveys
        self.count = 0

    def host_page(self, survey: str, mode: str, lang: str = "en") -> tuple[str, Any]:
        self.count += 1
        link = self.inviter.invite(
            survey_id=self.surveys[survey],
            customer_id=f"b{self.count}",
            channel="app",
            mechanic=mode,
        )
        path = f"/page{self.count}"
        PAGES[path] = HOST_PAGE.format(
            otklik=self.otklik, token=html.escape(link.token), mode=mode, lang=lang
        )
        return f"{self.host}{path}", link


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('widget') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    surveys = {kind: create_survey(engine, name=kind, type=kind).id for kind in ("nps", "exit")}
    settings = survey_settings(url)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    host = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    host_thread = threading.Thread(target=host.serve_forever, daemon=True)
    host_thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield Env(
        f"http://127.0.0.1:{port}",
        f"http://localhost:{host.server_address[1]}",
        engine,
        Inviter.from_settings(engine, settings),
        surveys,
    )
    host.shutdown()
    host.server_close()
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(env: Env) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    # Refused requests (the deliberate second answer, the host's missing favicon) log a
    # "Failed to load resource" line; anything else (a script error, CSP) fails the test.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _hit(page: Any, selector: str) -> Any:
    """What a click at the centre of ``selector`` lands on."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      const el = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                      return el ? (el.id || el.className) : null; }""",
        selector,
    )


def test_the_bottom_sheet_does_not_block_the_page(env: Env, page: Any) -> None:
    url, link = env.host_page("nps", "bottom-sheet")
    page.goto(url)
    sheet = page.wait_for_selector(".otk-bottom-sheet .otk-question")
    assert "recommend" in sheet.text_content()
    assert page.locator(".otk-backdrop").count() == 0
    # The page behind and beside the sheet still takes clicks.
    assert _hit(page, "#behind") == "behind" and _hit(page, "#corner") == "corner"
    page.click("#behind")
    page.click("#corner")
    assert page.text_content("#clicks") == "2"
    _shot(page, "bottom-sheet")
    page.click(".otk-bottom-sheet label:has-text('9')")
    page.fill(".otk-bottom-sheet textarea", "Fast transfer")
    page.click(".otk-bottom-sheet .otk-send")
    page.wait_for_selector(".otk-bottom-sheet .otk-thanks")
    page.wait_for_function("window.done === 'recorded'")
    mine = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert len(mine) == 1
    item = mine[0]
    assert (item["score"], item["text"], item["channel"]) == (9.0, "Fast transfer", "app")
    assert item["attributes"]["mode"] == "bottom-sheet" and item["attributes"]["dwell_ms"] > 0
    assert invitation(env.engine, link.id)["answer_mode"] == "bottom-sheet"
    # Sending again from the page is refused by the server: still exactly one answer.
    status = page.evaluate(
        """async (url) => (await fetch(url, {method: "POST", mode: "cors",
              headers: {"Content-Type": "application/json", "Accept": "application/json"},
              body: JSON.stringify({score: 1})})).status""",
        f"{env.otklik}/s/{link.token}",
    )
    assert status == 409
    assert len([a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]) == 1
    page.wait_for_selector(".otk-bottom-sheet", state="detached")  # it closes itself


def test_the_popup_is_modal(env: Env, page: Any) -> None:
    url, link = env.host_page("nps", "popup")
    page.goto(url)
    page.wait_for_selector(".otk-backdrop .otk-popup[role=dialog]")
    assert _hit(page, "#behind") == "otk-backdrop"
    box = page.locator("#behind").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.text_content("#clicks") == "0"
    _shot(page, "popup")
    page.click(".otk-popup .otk-send")  # no score yet: the widget asks for one
    assert page.text_content(".otk-popup .otk-error") == "Choose a score"
    page.click(".otk-popup label:has-text('3')")
    page.click(".otk-popup .otk-send")
    page.wait_for_selector(".otk-popup .otk-thanks")
    [item] = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert item["score"] == 3.0 and item["attributes"]["mode"] == "popup"


def test_inline_success_screen_in_arabic(env: Env, page: Any) -> None:
    url, link = env.host_page("nps", "success-screen", lang="ar")
    page.goto(url)
    card = page.wait_for_selector("#slot .otk-success-screen")
    assert card.get_attribute("dir") == "rtl" and card.get_attribute("lang") == "ar"
    first, last = page.locator("#slot .otk-point").first, page.locator("#slot .otk-point").last
    assert first.bounding_box()["x"] > last.bounding_box()["x"]  # 0 on the right
    _shot(page, "success-screen-ar")
    page.click("#slot label:has-text('10')")
    page.click("#slot .otk-send")
    page.wait_for_selector("#slot .otk-thanks")
    assert page.text_content("#slot .otk-thanks") == "شكرًا لك! تم تسجيل إجابتك."
    [item] = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert item["attributes"]["language"] == "ar" and item["attributes"]["mode"] == "success-screen"


def test_an_exit_survey_in_a_section(env: Env, page: Any) -> None:
    url, link = env.host_page("exit", "section", lang="ru")
    page.goto(url)
    page.wait_for_selector("#slot .otk-section .otk-reasons")
    page.click("#slot .otk-reason:has-text('Высокие комиссии')")
    page.click("#slot .otk-reason:has-text('Другое')")
    page.fill("#slot input[name=other]", "Закрыли отделение")
    page.click("#slot .otk-send")
    page.wait_for_selector("#slot .otk-thanks")
    [item] = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert item["kind"] == "exit" and item["attributes"]["reasons"] == ["fees", "other"]
    assert item["attributes"]["other"] == "Закрыли отделение"


def test_an_exit_reason_typed_without_ticking_other(env: Env, page: Any) -> None:
    url, link = env.host_page("exit", "section", lang="ru")
    page.goto(url)
    page.wait_for_selector("#slot .otk-section .otk-reasons")
    page.fill("#slot input[name=other]", "Переезжаю")  # the "other" box stays unticked
    page.click("#slot .otk-send")
    page.wait_for_selector("#slot .otk-thanks")
    [item] = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert item["attributes"]["reasons"] == ["other"]
    assert item["attributes"]["other"] == "Переезжаю" and item["text"] == "Переезжаю"


def test_the_plain_link_page_works_without_script(env: Env, browser: Any) -> None:
    link = env.inviter.invite(survey_id=env.surveys["nps"], customer_id="sms-1", channel="sms")
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    response = page.goto(link.url.replace("https://feedback.example.com", env.otklik))
    assert response.status == 200 and page.get_attribute("html", "lang") == "ru"
    page.click("label:has-text('8')")
    page.fill("textarea[name=comment]", "Через SMS")
    page.click("button[type=submit]")
    page.wait_for_selector(".otk-thanks")
    _shot(page, "link-page-thanks")
    [item] = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert (item["score"], item["channel"], item["attributes"]["mode"]) == (8.0, "sms", "link")
    again = page.goto(link.url.replace("https://feedback.example.com", env.otklik))
    assert again.status == 409 and "уже ответили" in page.content()
    context.close()


def test_the_longest_comment_with_line_breaks_is_taken(env: Env, page: Any) -> None:
    """The textarea's maxlength counts a line break once and so does the server, though the
    browser submits it as CRLF: a full comment is stored, not refused with 422."""
    link = env.inviter.invite(survey_id=env.surveys["nps"], customer_id="long-comment")
    page.goto(f"{env.otklik}/s/{link.token}?lang=en")
    page.click("label.otk-point:has-text('7')")
    line = "ж" * 49 + "\n"
    page.fill("textarea.otk-comment", line * 40 + "overflow beyond the limit")
    kept = page.evaluate("document.querySelector('textarea.otk-comment').value")
    assert len(kept) == 2000 and kept == line * 40  # the browser stopped at its maxlength
    page.click("button.otk-send")
    page.wait_for_selector("text=Thank you")
    mine = [a for a in answers(env.engine) if a["attributes"]["invitation_id"] == link.id]
    assert len(mine) == 1 and mine[0]["text"] == (line * 40).strip()
