"""Search through the web layer, on SQLite and PostgreSQL: the items page and
``GET /api/v1/items`` find Russian word forms, keep a team user in their zone whatever the
words, combine the words with the other filters, and show masked snippets. Expected sets are
read off the comments by hand («перевод», «переводы», «переводом» share the stem «перевод»).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from otklik.auth import add_user
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from tests.web.conftest import PASSWORD, csrf_of, settings_for

PHONE = "+7 912 345-67-89"
COMMENTS = [
    # (external_id, day in March 2025, channel, owner_team, comment)
    ("d1", 1, "app", "digital", "Переводы не доходят"),
    ("d2", 2, "web", "digital", f"Перевод завис, звоните {PHONE}"),
    ("c1", 3, "app", "cards", "Оплатил переводом дважды"),
    ("c2", 4, "call", "cards", "Перевод по карте не прошёл"),
    ("n1", 5, "app", None, "Перевод отменили"),
    ("d3", 6, "app", "digital", "Кэшбэк не пришёл"),
]


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    engine = make_engine(store_url)
    upgrade(engine)
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[
            {
                "external_id": key,
                "kind": "review",
                "occurred_at": datetime(2025, 3, day, 12),
                "channel": channel,
                "owner_team": team,
                "text": comment,
            }
            for key, day, channel, team, comment in COMMENTS
        ],
    )
    add_user(engine, email="admin@s.test", role="admin", password=PASSWORD, team=None)
    add_user(engine, email="digital@s.test", role="team", password=PASSWORD, team="digital")
    engine.dispose()
    app = create_app(settings_for(store_url))
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def _login(client: TestClient, email: str) -> None:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert answer.status_code in (200, 303), answer.text[:300]


def _api(client: TestClient, query: str) -> tuple[list[str], int]:
    answer = client.get(f"/api/v1/items?{query}")
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    return [item["external_id"] for item in body["items"]], body["total"]


def test_search_stays_in_the_zone_and_combines_with_filters(client: TestClient) -> None:
    _login(client, "admin@s.test")
    assert _api(client, "q=перевод") == (["n1", "c2", "c1", "d2", "d1"], 5)
    assert _api(client, "q=переводом&channel=app") == (["n1", "c1", "d1"], 3)
    assert _api(client, "q=переводы&team=cards&from=2025-03-04&to=2025-03-31") == (["c2"], 1)
    _login(client, "digital@s.test")
    assert _api(client, "q=перевод") == (["d2", "d1"], 2)  # only the digital team's items
    assert _api(client, "q=перевод&channel=app") == (["d1"], 1)
    assert _api(client, "q=карте") == ([], 0)  # «c2» matches, but it is not in the zone
    assert client.get("/api/v1/items?q=перевод&team=cards").status_code == 403
    page = client.get("/items?q=перевод").text
    assert "не доходят" in page and "Оплатил" not in page and "отменили" not in page


def test_snippets_on_the_items_page_are_masked(client: TestClient) -> None:
    _login(client, "admin@s.test")
    for q in ("перевод звоните", "завис"):
        page = client.get("/items", params={"q": q}).text
        assert "345-67-89" not in page and "912 345" not in page
        assert "[PHONE]" in page
        marked = re.findall(r"<mark[^>]*>([^<]*)</mark>", page)
        assert marked and all("PHONE" not in word for word in marked)


def test_a_query_of_stop_words_says_so(client: TestClient) -> None:
    _login(client, "admin@s.test")
    body = client.get("/api/v1/items", params={"q": "и не по"}).json()
    assert (body["items"], body["total"], body["notice"]) == ([], 0, "stop_words")
    body = client.get("/api/v1/items", params={"q": "перевод и"}).json()
    assert (body["total"], body["notice"]) == (5, None)  # «и» skipped, «перевод» searched
    body = client.get("/api/v1/items", params={"q": "зытяать"}).json()
    assert (body["total"], body["notice"]) == (0, None)  # nothing found is not the same
    ru = client.get("/items", params={"q": "и не"}, headers={"Accept-Language": "ru"}).text
    assert "В запросе только служебные слова" in ru
    en = client.get("/items", params={"q": "the of"}, headers={"Accept-Language": "en"}).text
    assert "The query has only stop words" in en
    page = client.get("/items", params={"q": "перевод"}, headers={"Accept-Language": "en"}).text
    assert "stop words" not in page


@pytest.mark.parametrize("q", ["!!!", "???", "—", "%", "… ?! – «»", "_"])
def test_a_query_without_a_word_says_so(client: TestClient, q: str) -> None:
    _login(client, "admin@s.test")
    body = client.get("/api/v1/items", params={"q": q}).json()
    assert (body["items"], body["total"], body["notice"]) == ([], 0, "no_words")
    ru = client.get("/items", params={"q": q}, headers={"Accept-Language": "ru"}).text
    assert 'id="no-words"' in ru and "В запросе нет ни одного слова" in ru
    en = client.get("/items", params={"q": q}, headers={"Accept-Language": "en"}).text
    assert 'id="no-words"' in en and "The query has no word" in en
    assert "stop words" not in en


def test_a_word_beside_signs_is_searched(client: TestClient) -> None:
    _login(client, "admin@s.test")
    body = client.get("/api/v1/items", params={"q": "перевод!!!"}).json()
    assert (body["total"], body["notice"]) == (5, None)  # the same five as «перевод и»
    body = client.get("/api/v1/items", params={"q": "и — !!!"}).json()
    assert (body["total"], body["notice"]) == (0, "stop_words")  # a word, but a stop word
    assert client.get("/api/v1/items", params={"q": "   "}).json()["notice"] is None


def test_a_capped_total_through_the_web(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from otklik.ledger import browse

    _login(client, "digital@s.test")
    # d1 «Переводы», d2 «Перевод»: the digital zone's two matches
    body = client.get("/api/v1/items", params={"q": "перевод"}).json()
    assert (body["total"], body["total_exact"]) == (2, True)
    monkeypatch.setattr(browse, "COUNT_CAP", 1)  # SQLite's cap
    monkeypatch.setattr(browse, "PG_COUNT_CAP", 1)  # PostgreSQL's
    body = client.get("/api/v1/items", params={"q": "перевод"}).json()
    assert (len(body["items"]), body["total"], body["total_exact"]) == (2, 1, False)
    page = client.get("/items", params={"q": "перевод"}, headers={"Accept-Language": "en"})
    assert "Found: more than 1" in page.text
    page = client.get("/items", params={"q": "перевод"}, headers={"Accept-Language": "ru"})
    assert "Найдено: более 1" in page.text
    body = client.get("/api/v1/items", params={"q": "перевод", "team": "digital"}).json()
    assert body["total_exact"] is False  # 2 items, counted to 1 + 1
