"""Experiments on the web: the assignment API's contract, the analysis API, the pages in
Russian and English, the form, roles, and the survey hooks (an invitation sent in an
experiment carries the variant's mechanic; a widget load is logged as an exposure)."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from otklik.demo.experiments import MECHANIC_KEY, ROLLOUT_KEY, load_experiments_demo
from otklik.experiments import build, choose_variant, create_experiment, get_experiment
from otklik.ledger import Exposure
from otklik.surveys import create_survey
from otklik.web.rendering import LANG_COOKIE
from tests.web.conftest import WebEnv, csrf_of

END = __import__("datetime").datetime(2026, 1, 1)


@pytest.fixture(scope="module")
def env(web: WebEnv) -> Iterator[WebEnv]:
    load_experiments_demo(web.engine, end=END)
    create_experiment(
        web.engine,
        build(
            {
                "key": "inv",
                "kind": "mechanic",
                "survey_type": "csat",
                "variants": [
                    {"name": "sheet", "mechanic": "bottom-sheet"},
                    {"name": "pop", "mechanic": "popup"},
                ],
                "metric": "response_rate",
            }
        ),
    )
    yield web


def test_assignment_api_contract(env: WebEnv) -> None:
    client = env.client
    client.cookies.clear()
    url = "/api/v1/experiments/inv/assignment?customer=c-42"
    first = client.get(url, headers=env.bearer("analyst"))
    assert first.status_code == 200, first.text
    body = first.json()
    expected = choose_variant(get_experiment(env.engine, "inv"), "c-42")
    assert {k: body[k] for k in ("experiment", "customer", "variant")} == {
        "experiment": "inv",
        "customer": "c-42",
        "variant": expected,
    }
    assert client.get(url, headers=env.bearer("analyst")).json()["variant"] == expected
    assert client.get(url, headers=env.bearer("payments")).status_code == 403
    missing = client.get(
        "/api/v1/experiments/nope/assignment?customer=c", headers=env.bearer("admin")
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get("/api/v1/experiments/inv/assignment", headers=env.bearer("admin"))
    assert bad.status_code == 422 and "error" in bad.json()


def test_analysis_api(env: WebEnv) -> None:
    listed = env.client.get("/api/v1/experiments", headers=env.bearer("admin")).json()
    keys = [e["key"] for e in listed["experiments"]]
    assert MECHANIC_KEY in keys and ROLLOUT_KEY in keys
    one = env.client.get(f"/api/v1/experiments/{ROLLOUT_KEY}", headers=env.bearer("admin")).json()
    assert one["status"] == "rollout" and one["rollout_stage"] == 50
    assert one["analysis"]["metric"] == "store_rating"
    assert {v["variant"] for v in one["analysis"]["variants"]} == {
        "no-prompt",
        "after-third-payment",
    }
    prompt = env.client.get(
        f"/api/v1/experiments/{ROLLOUT_KEY}/store-prompt?customer=zz-1&payments=1",
        headers=env.bearer("admin"),
    ).json()
    assert prompt["ask"] is False


def test_pages_in_both_languages_and_roles(env: WebEnv) -> None:
    client = env.login("admin")
    client.cookies.set(LANG_COOKIE, "ru")
    ru = html.unescape(client.get("/experiments").text)
    assert "Эксперименты" in ru and MECHANIC_KEY in ru and "раскатывается" in ru
    detail_ru = html.unescape(client.get(f"/experiments/{MECHANIC_KEY}").text)
    assert "Какая механика даёт честные ответы" in detail_ru
    client.cookies.set(LANG_COOKIE, "en")
    en = html.unescape(client.get("/experiments").text)
    assert "rolling out" in en and "stop: a variant wins" in en
    page = html.unescape(client.get(f"/experiments/{MECHANIC_KEY}").text)
    assert "Which mechanic gives honest answers" in page
    assert 'data-mechanic="popup"' in page and 'data-mechanic="link"' in page
    assert 'id="experiment-path"' in page and "data-figure=" in page
    rollout = html.unescape(client.get(f"/experiments/{ROLLOUT_KEY}").text)
    assert "after-third-payment · 50%" in rollout and "forbid review gating" in rollout
    assert client.get("/experiments/no-such").status_code == 404
    team = env.login("payments")
    assert team.get("/experiments").status_code == 403


def test_form_creates_and_refuses_clearly(env: WebEnv) -> None:
    client = env.login("analyst")
    page = client.get("/experiments")
    token = csrf_of(page.text)
    made = client.post(
        "/experiments",
        data={
            "csrf_token": token,
            "key": "form-made",
            "variants": "a=1, b=2",
            "metric": "nps",
            "guardrails": "",
            "mde": "8",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/experiments/form-made"
    stored = get_experiment(env.engine, "form-made")
    assert [v.weight for v in stored.definition.variants] == [1, 2] and stored.definition.mde == 8
    bad = client.post(
        "/experiments",
        data={"csrf_token": token, "key": "x", "variants": "only", "metric": "nps"},
    )
    assert bad.status_code == 400 and 'id="experiment-error"' in bad.text


def test_invitation_in_an_experiment_and_the_widget_load(env: WebEnv) -> None:
    survey = create_survey(env.engine, name="exp-csat", type="csat")
    client = env.client
    client.cookies.clear()
    made = client.post(
        f"/api/v1/surveys/{survey.id}/invitations",
        json={"customer_id": "w-1", "experiment": "inv"},
        headers=env.bearer("analyst"),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    variant = choose_variant(get_experiment(env.engine, "inv"), "w-1")
    assert body["variant"] == variant
    assert body["mechanic"] == ("bottom-sheet" if variant == "sheet" else "popup")
    loaded = client.get(f"/s/{body['token']}", headers={"Accept": "application/json"})
    assert loaded.status_code == 200, loaded.text
    with env.engine.connect() as conn:
        rows = conn.execute(
            select(Exposure.source, Exposure.variant, Exposure.invitation_id).where(
                Exposure.customer_id == "w-1"
            )
        ).all()
    assert sorted(rows) == sorted(
        [("invitation", variant, body["id"]), ("widget", variant, body["id"])]
    )


def test_dynamic_keys_exist_in_both_languages() -> None:
    from otklik.experiments import DECISIONS, METRICS, STATUSES
    from otklik.web.i18n import catalogue

    keys = {f"experiments.decision.{d}" for d in DECISIONS}
    keys |= {f"experiments.status.{s}" for s in STATUSES}
    keys |= {f"experiments.event.{s}" for s in (*STATUSES, "created", "notified", "notify_failed")}
    keys |= {f"experiments.metric.{m}" for m in METRICS}
    keys |= {f"experiments.stopping.{s}" for s in ("sequential", "fixed")}
    for locale in ("ru", "en"):
        assert not sorted(keys - set(catalogue(locale)))
