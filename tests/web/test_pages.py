"""Pages as a browser gets them (SQLite and PostgreSQL): sign-in, each page, exports, forms,
languages."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook

from otklik.metrics import compute
from tests.web.conftest import PASSWORD, USERS, WebEnv, csrf_of, hand_nps


def test_unauthenticated_pages_redirect_and_healthz_is_open(web: WebEnv) -> None:
    web.client.cookies.clear()
    assert web.client.get("/healthz").json()["status"] == "ok"
    response = web.client.get("/items?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fitems%3Fq%3Dx"


def test_login_needs_csrf_and_the_right_password(web: WebEnv) -> None:
    web.client.cookies.clear()
    token = csrf_of(web.client.get("/login").text)
    email = USERS["analyst"][0]
    no_csrf = web.client.post("/login", data={"email": email, "password": PASSWORD})
    assert no_csrf.status_code == 403
    wrong = web.client.post(
        "/login", data={"email": email, "password": "nope-nope", "csrf_token": token}
    )
    assert wrong.status_code == 401
    right = web.client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/"
    assert csrf_of(web.client.get("/").text) != token  # a new CSRF token after sign-in


def test_overview_figures_match_the_metrics(web: WebEnv) -> None:
    client = web.login("admin")
    page = client.get("/?from=2025-01-01&to=2025-03-31")
    assert page.status_code == 200
    figures = re.findall(r'data-figure="([^"]+)"', page.text)
    assert len(figures) == 4  # NPS, CSAT, CES trends and volumes by channel
    nps = json.loads(
        figures[0]
        .replace("&#34;", '"')
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&#39;", "'")
    )
    march = [r for r in web.rows if r["occurred_at"].month == 3]
    value, _ = hand_nps(march)
    assert nps["data"][1]["y"][-1] == value
    assert nps["data"][1]["customdata"][0].startswith("/items?scale=nps&from=2025-01-01")
    rows = compute("nps", web.engine, by="month", start=None)
    assert rows  # the same store, read by the metrics package directly
    assert client.get("/?format=pdf").content.startswith(b"%PDF")


def test_explore_segments_and_exports(web: WebEnv) -> None:
    client = web.login("analyst")
    page = client.get("/explore?metric=nps&by=all&segment=channel&channel=app&channel=web")
    assert page.status_code == 200 and "explore-chart" in page.text
    csv_text = client.get("/explore?metric=nps&by=all&segment=channel&format=csv&dialect=rfc").text
    header, *lines = csv_text.strip().splitlines()
    assert header == "metric,period,channel,value,n,ci_low,ci_high,flags"
    app_value, app_n = hand_nps(web.rows, channel="app")
    app_line = next(line.split(",") for line in lines if line.split(",")[2] == "app")
    assert int(app_line[4]) == app_n and float(app_line[3]) == app_value


def test_items_search_detail_and_exports(web: WebEnv) -> None:
    client = web.login("admin")
    page = client.get("/items?q=тормозит&owner_team=cards")
    expected = sum(1 for r in web.rows if r["owner_team"] == "cards" and "тормозит" in r["text"])
    assert 'id="total">' in page.text and str(expected) in page.text
    xlsx = client.get("/items?q=тормозит&owner_team=cards&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    assert len(list(sheet.iter_rows(values_only=True))) == expected + 1
    detail = client.get(f"/items/{web.item_ids['cards-app-1-0']}")
    assert detail.status_code == 200 and "cards-app-1-0" in detail.text
    assert client.get("/items/999999").status_code == 404


def test_inbox_assign_and_close_with_forms(web: WebEnv) -> None:
    client = web.login("cards")
    inbox = client.get("/inbox")
    case_id = web.case_ids["cards-app-1-0"]
    assert f'id="case-{case_id}"' in inbox.text and "overdue" in inbox.text
    token = csrf_of(inbox.text)
    assert client.post(f"/inbox/{case_id}/assign", data={"assignee": "x"}).status_code == 403
    assigned = client.post(
        f"/inbox/{case_id}/assign",
        data={"assignee": "cards@example.org", "csrf_token": token},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    closed = client.post(
        f"/inbox/{case_id}/close",
        data={"note": "called the customer back", "csrf_token": token},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    item = client.get(f"/items/{web.item_ids['cards-app-1-0']}").text
    assert "called the customer back" in item and "assigned" in item
    cases_csv = client.get("/inbox?status=closed&format=csv").text
    assert "called the customer back" in cases_csv


def test_upload_goes_through_import_file_and_shows_quarantine(web: WebEnv) -> None:
    client = web.login("analyst")
    token = csrf_of(client.get("/imports").text)
    data = (
        "id;date;score;comment\nu1;05.04.2025;10;Всё отлично\nu2;06.04.2025;12;оценка вне шкалы\n"
    ).encode("cp1251")
    form = {"kind": "survey", "source": "upload-test", "scale": "nps", "csrf_token": token}
    response = client.post("/imports", data=form, files={"file": ("nps.csv", data, "text/csv")})
    assert response.status_code == 200
    assert "оценка вне шкалы" in response.text and "score" in response.text
    found = client.get("/api/v1/items?q=отлично", headers=web.bearer("admin")).json()
    assert [item["external_id"] for item in found["items"]] == ["u1"]
    assert client.get("/imports?format=csv").text.count("upload-test") == 1


def test_language_switch_and_accept_language(web: WebEnv) -> None:
    client = web.login("admin")
    client.cookies.delete("otklik_lang")
    english = client.get("/items", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "Feedback items" in english
    russian = client.get("/items", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).text
    assert "Отзывы и обращения" in russian
    switched = client.get("/lang/en?next=/items", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/items"
    assert "Feedback items" in client.get("/items", headers={"Accept-Language": "ru"}).text
    client.get("/lang/ru")
    overview = client.get("/?from=2025-01-01&to=2025-03-31").text
    assert "март 2025" in overview  # Babel's month names


def test_admin_adds_users_and_analyst_cannot(web: WebEnv) -> None:
    client = web.login("analyst")
    token = csrf_of(client.get("/settings").text)
    form = {
        "email": "new@example.org",
        "role": "team",
        "team": "cards",
        "password": "long enough pw",
        "csrf_token": token,
    }
    assert client.post("/settings/users", data=form).status_code == 403
    client = web.login("admin")
    form["csrf_token"] = csrf_of(client.get("/settings").text)
    assert client.post("/settings/users", data=form, follow_redirects=False).status_code == 303
    assert "new@example.org" in client.get("/settings?format=csv").text
