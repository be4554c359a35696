"""The public endpoints: no login, each outcome its status, nothing stored twice, no traces."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from otklik.auth import add_user, create_token
from otklik.ledger import make_engine, upgrade
from otklik.surveys import Inviter, close_survey, create_survey
from otklik.web import create_app
from tests.surveys.conftest import Public, answers, invitation, survey_settings


def _count(public: Public) -> int:
    return len(answers(public.engine))


def test_the_link_page_shows_the_survey_without_login(public: Public) -> None:
    link = public.link("nps", channel="sms")
    client = public.client
    client.cookies.clear()
    ru = client.get(f"/s/{link.token}", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert ru.status_code == 200 and "text/html" in ru.headers["content-type"]
    assert 'lang="ru" dir="ltr"' in ru.text and "порекомендуете" in ru.text
    assert ru.text.count('name="score"') == 11 and 'name="comment"' in ru.text
    assert "set-cookie" not in ru.headers and "<script" not in ru.text
    assert ru.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in ru.headers["content-security-policy"]
    en = client.get(f"/s/{link.token}?lang=en")
    assert "recommend us" in en.text
    ar = client.get(f"/s/{link.token}", headers={"Accept-Language": "ar-EG"})
    assert 'lang="ar" dir="rtl"' in ar.text and "توصي" in ar.text
    data = client.get(f"/s/{link.token}?lang=en", headers={"Accept": "application/json"}).json()
    assert data["survey"]["scale"] == {"name": "nps", "low": 0, "high": 10}
    assert data["mechanic"] == "link" and data["channel"] == "sms"
    exit_page = client.get(f"/s/{public.link('exit').token}?lang=en")
    assert 'name="reasons"' in exit_page.text and 'name="other"' in exit_page.text
    assert 'name="score"' not in exit_page.text


def test_a_form_answer_is_stored_once(public: Public) -> None:
    link = public.link("csat", channel="email")
    before = _count(public)
    posted = public.client.post(
        f"/s/{link.token}", data={"score": "4", "comment": "быстро", "mode": "link"}
    )
    assert posted.status_code == 201 and "Спасибо" in posted.text
    assert _count(public) == before + 1
    item = answers(public.engine)[-1]
    assert (item["kind"], item["scale"], item["score"], item["text"]) == (
        "survey",
        "csat5",
        4.0,
        "быстро",
    )
    again = public.client.post(f"/s/{link.token}", data={"score": "1"})
    assert again.status_code == 409 and _count(public) == before + 1
    assert public.client.get(f"/s/{link.token}").status_code == 409
    json_again = public.client.post(f"/s/{link.token}", json={"score": 1})
    assert json_again.status_code == 409
    assert json_again.json() == {
        "error": {"code": "answered", "message": "this survey has already been answered"}
    }


def test_the_widget_json_answer_and_cors(public: Public) -> None:
    link = public.link("nps", channel="app", mechanic="bottom-sheet")
    origin = {"Origin": "https://shop.example"}
    preflight = public.client.options(
        f"/s/{link.token}",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    posted = public.client.post(
        f"/s/{link.token}",
        json={"score": 10, "comment": "", "mode": "bottom-sheet", "dwell_ms": 2500, "lang": "en"},
        headers={**origin, "Accept": "application/json"},
    )
    assert posted.status_code == 201 and posted.json()["status"] == "recorded"
    assert posted.headers["access-control-allow-origin"] == "*"
    attributes = answers(public.engine)[-1]["attributes"]
    assert (attributes["mode"], attributes["dwell_ms"], attributes["language"]) == (
        "bottom-sheet",
        2500,
        "en",
    )
    row = invitation(public.engine, link.id)
    assert row["answer_mode"] == "bottom-sheet" and row["answered_at"] is not None


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("nps", {"score": "11"}, "score 11 is outside the nps scale (0–10)"),
        ("csat", {"score": "9"}, "score 9 is outside the csat5 scale (1–5)"),
        ("ces", {"comment": "забыл оценку"}, "score is required"),
        ("exit", {"reasons": "unicorns"}, "unknown reason 'unicorns'"),
    ],
)
def test_a_bad_answer_is_422_with_a_clear_message(
    public: Public, kind: str, fields: dict[str, str], message: str
) -> None:
    link = public.link(kind)
    before = _count(public)
    page = public.client.post(f"/s/{link.token}", data=fields)
    assert page.status_code == 422 and message in html.unescape(page.text)
    assert 'name="comment"' in page.text  # the form again, with the message
    as_json = {k: int(v) if k == "score" else v for k, v in fields.items()}  # JSON: numbers
    api = public.client.post(
        f"/s/{link.token}", json=as_json, headers={"Accept": "application/json"}
    )
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "invalid_answer"
    assert message in api.json()["error"]["message"]
    assert _count(public) == before
    assert public.client.get(f"/s/{link.token}").status_code == 200  # still answerable


def test_forged_unknown_and_expired_links(public: Public) -> None:
    link = public.link("nps")
    token = link.token
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2)
    expired = public.link("nps", expires_days=1, now=past)
    before = _count(public)
    for bad, status, code in (
        (forged, 403, "forged"),
        ("not-a-token", 404, "unknown"),
        ("A" * 52, 404, "unknown"),
        (expired.token, 410, "expired"),
    ):
        page = public.client.post(f"/s/{bad}", data={"score": "9"})
        assert page.status_code == status, bad
        assert "Traceback" not in page.text
        api = public.client.get(f"/s/{bad}", headers={"Accept": "application/json"})
        assert api.status_code == status and api.json()["error"]["code"] == code
    assert public.client.get(f"/s/{expired.token}?lang=en").text.count("expired") >= 1
    assert public.client.get("/s/a/b").status_code == 404
    assert public.client.put(f"/s/{token}").status_code == 405
    assert _count(public) == before


def test_sizes_and_types_are_limited(public: Public) -> None:
    link = public.link("nps")
    big = public.client.post(f"/s/{link.token}", data={"score": "9", "comment": "x" * 40_000})
    assert big.status_code == 413
    odd = public.client.post(
        f"/s/{link.token}", content=b"<xml/>", headers={"Content-Type": "application/xml"}
    )
    assert odd.status_code == 415
    broken = public.client.post(
        f"/s/{link.token}",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_request"
    multipart = public.client.post(f"/s/{link.token}", files={"score": (None, "9")})
    assert multipart.status_code == 201


def test_the_widget_is_served_by_otklik(public: Public) -> None:
    script = public.client.get("/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    code = script.text.split("*/", 1)[1]  # past the header comment's example
    assert "window.Otklik" in code and not re.search(r"https?://", code)
    assert "innerHTML" not in script.text
    styles = public.client.get("/widget.css")
    assert styles.status_code == 200 and ".otk-bottom-sheet" in styles.text


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[TestClient, Inviter, Engine]]:
    url = f"sqlite:///{tmp_path / 'limited.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = survey_settings(url, survey_ip_per_minute=8, survey_token_per_minute=3)
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, Inviter.from_settings(engine, settings), engine
    engine.dispose()


def test_rate_limits_per_link_and_per_address(
    limited: tuple[TestClient, Inviter, Engine],
) -> None:
    client, inviter, engine = limited
    survey = create_survey(engine, name="limited", type="nps")
    first = inviter.invite(survey_id=survey.id, customer_id="a")
    second = inviter.invite(survey_id=survey.id, customer_id="b")
    statuses = [client.get(f"/s/{first.token}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.post(
        f"/s/{first.token}", json={"score": 9}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert answers(engine) == []
    # Four more requests from the same address on another link use up the address's eight.
    statuses = [client.get(f"/s/{second.token}").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert client.get(f"/s/{second.token}").status_code == 429


def test_without_a_real_secret_links_are_unavailable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nosecret.db'}"
    app = create_app(survey_settings(url, secret_key="changethis"))
    with TestClient(app) as client:
        response = client.get("/s/" + "A" * 52, headers={"Accept": "application/json"})
        assert response.status_code == 503
        assert "not configured" in response.json()["error"]["message"]
        assert client.get("/login").status_code == 200  # the rest of the app works


def test_an_unexpected_error_shows_no_trace(
    public: Public, monkeypatch: pytest.MonkeyPatch
) -> None:
    import otklik.web.public as public_module

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(public_module, "parse_answer", boom)
    link = public.link("nps")
    response = public.client.post(f"/s/{link.token}", data={"score": "9"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal error (see the server log)"}
    }
    assert "passwd" not in response.text and "Traceback" not in response.text


def test_the_old_session_app_is_untouched(public: Public) -> None:
    public.client.cookies.clear()
    home = public.client.get("/", follow_redirects=False)
    assert home.status_code == 303 and "set-cookie" in home.headers
    assert public.client.get("/login").status_code == 200
    assert public.client.get("/api/v1/items").status_code == 401


def test_the_backend_creates_invitations_through_the_api(public: Public) -> None:
    email = f"backend-{public.counter}@example.org"
    add_user(public.engine, email=email, role="analyst", password="long enough password")
    headers = {"Authorization": f"Bearer {create_token(public.engine, email=email)}"}
    listed = public.client.get("/api/v1/surveys", headers=headers).json()["surveys"]
    nps = next(s for s in listed if s["type"] == "nps")
    body = {"customer_id": "api-1", "channel": "app", "mechanic": "success-screen"}
    created = public.client.post(
        f"/api/v1/surveys/{nps['id']}/invitations", json=body, headers=headers
    )
    assert created.status_code == 201
    link = created.json()
    assert link["url"].endswith(f"/s/{link['token']}") and link["mechanic"] == "success-screen"
    refused = public.client.post(
        f"/api/v1/surveys/{nps['id']}/invitations", json=body, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "policy_refused"
    assert "one-nps-a-quarter" in refused.json()["error"]["message"]
    forced = public.client.post(
        f"/api/v1/surveys/{nps['id']}/invitations", json={**body, "force": True}, headers=headers
    )
    assert forced.status_code == 201 and forced.json()["forced"] is True
    assert (
        public.client.post(f"/api/v1/surveys/{nps['id']}/invitations", json=body).status_code == 401
    )
    bad = public.client.post(
        f"/api/v1/surveys/{nps['id']}/invitations",
        json={**body, "channel": "fax"},
        headers=headers,
    )
    assert bad.status_code == 400 and "unknown channel" in bad.json()["error"]["message"]
    missing = public.client.post("/api/v1/surveys/999/invitations", json=body, headers=headers)
    assert missing.status_code == 404


def test_a_closed_survey_stops_taking_answers(public: Public) -> None:
    survey = create_survey(public.engine, name="short-lived", type="ces")
    link = public.inviter.invite(survey_id=survey.id, customer_id="closing")
    close_survey(public.engine, survey.id)
    assert public.client.get(f"/s/{link.token}").status_code == 410
    assert public.client.post(f"/s/{link.token}", data={"score": "7"}).status_code == 410
    assert all(a["touchpoint"] != "short-lived" for a in answers(public.engine))


def test_cors_for_listed_origins_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cors.db'}"
    settings = survey_settings(url, survey_allowed_origins=("https://shop.example",))
    with TestClient(create_app(settings)) as client:
        ask = {"Access-Control-Request-Method": "POST"}
        allowed = client.options("/s/x", headers={"Origin": "https://shop.example", **ask})
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        assert "Origin" in allowed.headers["vary"]
        other = client.options("/s/x", headers={"Origin": "https://evil.example", **ask})
        assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
        page = client.get("/s/x", headers={"Origin": "https://evil.example"})
        assert page.status_code == 404 and "access-control-allow-origin" not in page.headers
        mine = client.get("/s/x", headers={"Origin": "https://shop.example"})
        assert mine.headers["access-control-allow-origin"] == "https://shop.example"
