"""A brand-new store (no items, no cases, one admin) serves every page and API list: no 500.

Found on PostgreSQL: the overview's metric cube asked ``max(id)`` of an empty table, which
Arrow refused to cast to the non-null id column.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from otklik.auth import add_user, create_token
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.conftest import postgres_schema
from tests.web.conftest import PASSWORD, csrf_of, settings_for

PAGES = ["/", "/explore", "/items", "/inbox", "/imports", "/scorecards", "/settings"]
API = ["/api/v1/items", "/api/v1/cases", "/api/v1/kpis", "/api/v1/kpis/report"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, str]]:
    def serve(url: str) -> Iterator[tuple[TestClient, str]]:
        engine = make_engine(url)
        upgrade(engine)
        add_user(engine, email="admin@empty.test", role="admin", password=PASSWORD, team=None)
        token = create_token(engine, email="admin@empty.test")
        with TestClient(create_app(settings_for(url)), base_url="https://testserver") as client:
            yield client, token
        engine.dispose()

    if request.param == "sqlite":
        yield from serve(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'otklik.db'}")
    else:
        with postgres_schema("e") as url:
            yield from serve(url)


def test_every_page_and_list_answers_on_an_empty_store(empty: tuple[TestClient, str]) -> None:
    client, token = empty
    login = client.get("/login")
    signed = client.post(
        "/login",
        data={
            "email": "admin@empty.test",
            "password": PASSWORD,
            "csrf_token": csrf_of(login.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    client.cookies.clear()
    for path in API:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.text[:300])
