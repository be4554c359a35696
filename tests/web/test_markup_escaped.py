"""Customer text is never markup: markup planted in every user-controlled field (comment,
channel, product, region, desk, agent, owner team, touchpoint, topic labels, attribute keys and
values, survey texts, KPI titles, an upload's file name and source) reaches every page as
escaped text, every chart as text Plotly shows literally, every export as the same text, and
the PDF without a live link or a markup failure. The browser test proves Plotly draws no link."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape as markup_escape
from sqlalchemy import Engine, insert, text

from otklik.auth import add_user, create_token
from otklik.experiments import build, create_experiment, list_experiments
from otklik.ledger import Case, Classification, list_runs, make_engine, upgrade, write_items
from otklik.surveys import Inviter, create_survey
from otklik.web import create_app
from otklik.web.pages import PAGE_MODULES
from tests.web.conftest import PASSWORD, _seed, csrf_of, settings_for

LINK = '<a href="https://evil.example/">MARKUP</a><img src=x onerror=alert(1)>'
SHORT = '<a href="//evil.example">M</a>'  # fits a 50-character channel
RAW = ('<a href="https://evil.example/', '<a href="//evil.example', "<img src=x")
TEAM_USER = ("markup@example.org", "team", f"zone {SHORT}")
KPIS = f"""\
kpis:
  - name: markup_nps
    title: {json.dumps(LINK)}
    metric: nps
    period: quarter
    target: 0
    owner: cx  # a team of the teams file in force (team ids are lower-case: no markup)
    min_n: 1
"""
DIMENSIONS = ("channel", "product", "region", "team", "touchpoint")  # explore's splits


@dataclass
class Planted:
    engine: Engine
    client: TestClient
    item_ids: list[int]
    run_id: int
    token: str
    survey_url: str

    def login(self, email: str) -> TestClient:
        self.client.cookies.clear()
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={
                "email": email,
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "/",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        return self.client


def _rows() -> list[dict[str, Any]]:
    rows = []
    for month in (1, 2, 3):
        for i in range(12):
            rows.append(
                {
                    "external_id": f"markup-{month}-{i}",
                    "kind": "survey",
                    "channel": SHORT if i % 2 else "app",
                    "occurred_at": datetime(2025, month, 2 + i, 9, 0),
                    "score": float(i % 11),
                    "scale": "nps",
                    "text": f"{LINK} comment {i}",
                    "product": LINK,
                    "region": LINK,
                    "team": LINK,
                    "agent": f"{LINK}{i % 3}",
                    "owner_team": TEAM_USER[2],
                    "touchpoint": LINK,
                    "customer_id": LINK,
                    "attributes": {LINK: LINK, "nested": {LINK: [LINK]}, "first_name": LINK},
                }
            )
    return rows


@pytest.fixture(scope="module")
def planted(web_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    engine = make_engine(web_url)
    upgrade(engine)
    _seed(engine)
    write_items(engine, run_id=None, source=LINK, items=_rows())
    with engine.begin() as conn:
        ids = [
            int(row[0])
            for row in conn.execute(
                text("SELECT id FROM feedback_items WHERE external_id LIKE 'markup-%' ORDER BY id")
            )
        ]
        conn.execute(
            insert(Classification),
            [
                {
                    "item_id": item_id,
                    "origin": "human",
                    "type": "complaint",
                    "topics": [LINK, "app.login"],
                    "method": "human",
                    "labelled_by": LINK,
                    "created_at": datetime(2025, 4, 1),
                }
                for item_id in ids[:5]
            ],
        )
        conn.execute(  # a case in the team user's zone: the case page and customer history
            insert(Case).values(
                item_id=ids[0],
                team=TEAM_USER[2],
                status="in_progress",
                reason="detractor",
                due_at=datetime(2025, 4, 2),
                assignee=LINK,
                note=LINK,
                created_at=datetime(2025, 4, 1),
                updated_at=datetime(2025, 4, 1),
            )
        )
    add_user(engine, email=TEAM_USER[0], role=TEAM_USER[1], password=PASSWORD, team=TEAM_USER[2])
    survey = create_survey(engine, name=LINK, type="nps", questions={None: LINK})
    kpis = tmp_path_factory.mktemp("markup") / "kpis.yaml"
    kpis.write_text(KPIS, encoding="utf-8")
    settings = settings_for(web_url, kpis=kpis, public_url="https://testserver")
    link = Inviter.from_settings(engine, settings).invite(
        survey_id=survey.id, customer_id="markup-customer", channel="sms"
    )
    token = create_token(engine, email="admin@example.org")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        env = Planted(engine, client, ids, 0, token, "/s/" + link.token)
        admin = env.login("admin@example.org")
        form = admin.get("/imports")
        upload = admin.post(
            "/imports",
            data={"kind": "survey", "source": LINK, "csrf_token": csrf_of(form.text)},
            files={"file": (f"{LINK}.csv", b"date,score,comment\n2025-03-01,9,ok\n", "text/csv")},
        )
        assert upload.status_code == 200, upload.text[:300]
        env.run_id = int(list_runs(engine, limit=1)[0]["id"])
        yield env
    engine.dispose()


def _assert_no_markup(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, f"raw markup {raw!r} at {where}"


def _figures(page: str) -> list[dict[str, Any]]:
    return [json.loads(html.unescape(raw)) for raw in re.findall(r'data-figure="([^"]*)"', page)]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _pages(env: Planted) -> list[str]:
    paths = []
    for module in PAGE_MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.append(route.path)
    urls = []
    for path in sorted(set(paths) - {"/login", "/lang/{code}"}):
        if "{item_id}" in path:
            urls += [path.replace("{item_id}", str(item)) for item in env.item_ids[:6]]
        elif "{case_id}" in path:
            with env.engine.connect() as conn:
                cases = list(conn.execute(text("SELECT id FROM cases ORDER BY id")).scalars())
            urls += [path.replace("{case_id}", str(case)) for case in cases]
        elif "{run_id}" in path:
            urls.append(path.replace("{run_id}", str(env.run_id)))
        elif "{survey_id}" in path:  # the survey named and worded with markup
            with env.engine.connect() as conn:
                survey = conn.execute(text("SELECT min(id) FROM surveys")).scalar_one()
            urls += [
                path.replace("{survey_id}", str(survey)) + mode
                for mode in ("", "?mode=link", "?mode=popup&lang=ar")
            ]
        elif "{kind}" in path:
            urls += [path.replace("{kind}", kind) for kind in ("taxonomy", "teams", "kpis")]
        elif "{key}" in path:  # an experiment whose hypothesis is markup
            if not any(e.key == "markup" for e in list_experiments(env.engine)):
                definition = {"key": "markup", "hypothesis": LINK, "metric": "nps"}
                variants = [{"name": "a"}, {"name": "b"}]
                create_experiment(env.engine, build({**definition, "variants": variants}))
            urls.append(path.replace("{key}", "markup"))
        else:
            urls.append(path)
    urls += [f"/explore?metric=nps&by=month&segment={name}" for name in DIMENSIONS]
    urls += [f"/explore?metric=nps&by=all&segment={name}" for name in DIMENSIONS]
    urls += [f"/scorecards?period=2025-Q1&by={by}" for by in ("agent", "team", "channel")]
    urls += ["/?from=2025-01-01&to=2025-03-31", f"/items?q={LINK[:20]}"]
    urls += ["/inbox?status=all&order=due", "/inbox?sla=overdue&type=complaint"]
    assert all("{" not in url for url in urls), urls
    return urls


@pytest.mark.parametrize("who", ["admin@example.org", TEAM_USER[0]])
def test_pages_and_charts_show_markup_as_text(planted: Planted, who: str) -> None:
    client = planted.login(who)
    charts = 0
    for url in _pages(planted):
        response = client.get(url)
        if response.status_code in (403, 404) and who != "admin@example.org":
            continue
        assert response.status_code == 200, (url, response.text[:300])
        _assert_no_markup(response.text, url)
        for figure in _figures(response.text):
            charts += 1
            for value in _strings(figure):
                assert "<a " not in value and "<img" not in value, (url, value)
    assert charts >= 10
    if who == "admin@example.org":
        item = client.get(f"/items/{planted.item_ids[0]}").text
        assert str(markup_escape(LINK)) in item  # shown, as text (Jinja's escaping)
        escaped = html.escape(LINK, quote=False)
        overview = client.get("/?from=2025-01-01&to=2025-03-31").text
        labels = [
            label
            for figure in _figures(overview)
            for trace in figure["data"]
            for label in trace.get("x", [])
        ]
        assert html.escape(SHORT, quote=False) in labels and SHORT not in labels
        explore = client.get("/explore?metric=nps&by=all&segment=product").text
        names = [t.get("name") for f in _figures(explore) for t in f["data"]]
        xs = [x for f in _figures(explore) for t in f["data"] for x in t["x"]]
        assert escaped in names + xs


def test_exports_carry_the_exact_text(planted: Planted) -> None:
    client = planted.login("admin@example.org")
    for url in ("/items?q=comment", "/explore?metric=nps&by=all&segment=team", "/imports"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"{url}&format={fmt}" if "?" in url else f"{url}?format={fmt}")
            assert response.status_code == 200, (url, fmt)
    exported = client.get("/items?q=comment&format=csv&dialect=rfc").text
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    # Data stays data: a spreadsheet does not read HTML.
    assert rows and {row["product"] for row in rows} == {LINK}


@pytest.mark.parametrize("who", ["admin@example.org", TEAM_USER[0]])
def test_pdf_has_no_link_and_does_not_fail(planted: Planted, who: str) -> None:
    client = planted.login(who)
    response = client.get("/?from=2025-01-01&to=2025-03-31&format=pdf")
    assert response.status_code == 200, response.text[:300]
    assert response.content.startswith(b"%PDF")
    assert b"/URI" not in response.content and b"evil.example" not in response.content


def test_api_answers_are_json_data(planted: Planted) -> None:
    headers = {"Authorization": f"Bearer {planted.token}"}
    item = planted.client.get(f"/api/v1/items/{planted.item_ids[0]}", headers=headers).json()
    assert item["product"] == LINK and item["attributes"][LINK] == LINK
    report = planted.client.get("/api/v1/kpis/report?period=2025-Q1", headers=headers)
    assert report.status_code == 200
    surveys = planted.client.get("/api/v1/surveys", headers=headers).json()["surveys"]
    assert LINK in [survey["name"] for survey in surveys]


def test_survey_page_shows_its_texts_as_text(planted: Planted) -> None:
    page = planted.client.get(planted.survey_url, headers={"Accept": "text/html"})
    assert page.status_code == 200
    _assert_no_markup(page.text, "survey page")
    assert str(markup_escape(LINK)) in page.text


def test_no_template_or_module_turns_escaping_off() -> None:
    web = Path(__file__).resolve().parents[2] / "src" / "otklik" / "web"
    for path in [*web.rglob("*.html"), *web.rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for pattern in (r"\|\s*safe\b", r"autoescape\s+false", r"\bMarkup\(", "autoescape = False"):
            assert not re.search(pattern, source), f"{path.name}: {pattern}"


# --- In a real browser: Plotly draws no link out of a planted channel ---------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.browser
def test_plotly_draws_planted_markup_as_text(tmp_path: Path) -> None:
    from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _need_chromium

    _need_chromium()
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    write_items(engine, run_id=None, source="markup", items=_rows())
    engine.dispose()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings_for(url)),
            host="127.0.0.1",
            port=_free_port(),
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
    base = f"http://127.0.0.1:{server.config.port}"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "admin@example.org")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            for target, chart in (
                ("/?from=2025-01-01&to=2025-03-31", "#channels"),
                ("/explore?metric=nps&by=all&segment=team", "#explore-chart"),
            ):
                page.goto(base + target)
                page.wait_for_selector(f"{chart}[data-rendered=true] .main-svg")
                links = page.locator(f"{chart} a").count()
                labels = page.locator(f"{chart} .xtick text").all_text_contents()
                assert links == 0, f"Plotly drew {links} links at {target}"
                assert any("<a href" in label for label in labels), labels
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
