"""Fixtures for survey tests: settings with a real secret, an inviter on a fresh store (SQLite
and PostgreSQL), and a running app with its public endpoints, once per module and backend."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from otklik.config import Settings
from otklik.ledger import make_engine, normalize_url, upgrade
from otklik.surveys import Inviter, SurveyDef, create_survey
from otklik.web import create_app

SECRET = "test-secret-key-that-is-long-enough-0123456789"
PUBLIC_URL = "https://feedback.example.com"


def survey_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": SECRET,
        "public_url": PUBLIC_URL,
        "environment": "development",
        "metrics_check_every_s": 0.0,
        **overrides,
    }
    return Settings(**values)


def answers(engine: Engine) -> list[dict[str, Any]]:
    """The ledger items written by survey answers, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, external_id, kind, channel, customer_id, score, scale, text, "
                "touchpoint, attributes FROM feedback_items WHERE source = 'surveys' ORDER BY id"
            )
        ).mappings()
        found = [dict(row) for row in rows]
    for row in found:
        if isinstance(row["attributes"], str):
            row["attributes"] = json.loads(row["attributes"])
    return found


def invitation(engine: Engine, invitation_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM invitations WHERE id = :id"), {"id": invitation_id}
        ).mappings()
        return dict(row.one())


@pytest.fixture
def settings(store_url: str) -> Settings:
    return survey_settings(store_url)


@pytest.fixture
def inviter(engine: Engine, settings: Settings) -> Inviter:
    return Inviter.from_settings(engine, settings)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A store URL for a whole module: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('surveys') / 'otklik.db'}"
        return
    url = os.environ.get("OTKLIK_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but OTKLIK_TEST_DATABASE_URL is not set")
        pytest.skip("OTKLIK_TEST_DATABASE_URL is not set")
    admin_url = normalize_url(url)
    schema = f"s_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable under CI=true: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    separator = "&" if "?" in admin_url else "?"
    yield f"{admin_url}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@dataclass
class Public:
    """A running app and what tests need to invite customers and read the store."""

    client: TestClient
    engine: Engine
    inviter: Inviter
    surveys: dict[str, SurveyDef]
    counter: int = 0

    def link(self, survey: str = "nps", **options: Any) -> Any:
        """A fresh invitation (a new customer each time, so the policy never interferes)."""
        self.counter += 1
        customer = options.pop("customer_id", f"cust-{survey}-{self.counter}")
        return self.inviter.invite(
            survey_id=self.surveys[survey].id, customer_id=customer, **options
        )


@pytest.fixture(scope="module")
def public(module_url: str) -> Iterator[Public]:
    engine = make_engine(module_url)
    upgrade(engine)
    surveys = {
        kind: create_survey(engine, name=f"{kind}-survey", type=kind)
        for kind in ("nps", "csat", "ces", "enps", "exit")
    }
    settings = survey_settings(module_url)
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        yield Public(client, engine, Inviter.from_settings(engine, settings), surveys)
    engine.dispose()
