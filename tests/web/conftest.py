"""A small, fully known store behind a running app, once per test module and backend.

Two teams own items (payments, cards), some items have no owner; each team's items carry a
marker word so tests can prove a team user never sees the other team's data. Figures are
known in advance: tests compute them from the seed rows, not from otklik.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text

from otklik.auth import add_user, create_token
from otklik.config import Settings
from otklik.ledger import Case, CaseEvent, make_engine, upgrade, write_items
from otklik.web import create_app
from tests.conftest import postgres_schema

PASSWORD = "correct horse battery"
USERS = {
    "admin": ("admin@example.org", "admin", None),
    "analyst": ("analyst@example.org", "analyst", None),
    "payments": ("pay@example.org", "team", "payments"),
    "cards": ("cards@example.org", "team", "cards"),
}
MARKERS = {"payments": "PAYMARK", "cards": "CARDMARK", None: "NOBODYMARK"}
XSS = "<script>alert('x')</script> & <b>bold</b>"


def nps_scores(count: int, offset: int) -> list[int]:
    """A fixed, varied pattern of 0–10 answers."""
    return [(i * 7 + offset) % 11 for i in range(count)]


def seed_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    plan = [
        ("payments", "app", 40, 0),
        ("payments", "web", 20, 3),
        ("cards", "app", 30, 5),
        (None, "call", 10, 8),
    ]
    for team, channel, count, offset in plan:
        for month in (1, 2, 3):
            for i, score in enumerate(nps_scores(count, offset + month)):
                rows.append(
                    {
                        "external_id": f"{team}-{channel}-{month}-{i}",
                        "kind": "survey",
                        "channel": channel,
                        "occurred_at": datetime(2025, month, 1 + i % 27, 10, 0),
                        "score": float(score),
                        "scale": "nps",
                        "text": f"{MARKERS[team]} приложение отзыв {i}"
                        if i % 2 == 0
                        else f"{MARKERS[team]} Приложение тормозит {i}",
                        "owner_team": team,
                        "product": "card" if team == "cards" else "transfer",
                        # Agents and desks carry the zone's marker: a leak of another zone's
                        # agents (a KPI report by agent, a segment) shows in the role walk.
                        "agent": f"{MARKERS[team]}-agent-{i % 3}",
                        "team": f"{MARKERS[team]}-desk",
                    }
                )
    rows.append(
        {
            "external_id": "xss",
            "kind": "review",
            "channel": "store",
            "occurred_at": datetime(2025, 3, 15, 12, 0),
            "text": f"CARDMARK {XSS}",
            "owner_team": "cards",
        }
    )
    return rows


# KPIs the two teams own (company scope: a team user's report must still be its zone only).
KPIS_YAML = """\
kpis:
  - name: pay_nps
    metric: nps
    period: quarter
    target: 0
    owner: payments
    min_n: 5
    guardrails:
      - {check: sample_size, min: 10}
      - {metric: response_rate, tolerance: 5}
  - name: cards_nps
    metric: nps
    period: quarter
    target: 0
    owner: cards
    min_n: 5
"""


def hand_nps(rows: list[dict[str, Any]], **where: Any) -> tuple[float, int]:
    scores = [
        r["score"]
        for r in rows
        if r.get("scale") == "nps" and all(r.get(k) == v for k, v in where.items())
    ]
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100 * (promoters - detractors) / len(scores), len(scores)


@dataclass
class WebEnv:
    url: str
    engine: Engine
    client: TestClient
    tokens: dict[str, str]
    rows: list[dict[str, Any]]
    item_ids: dict[str, int]
    case_ids: dict[str, int]

    def login(self, role: str) -> TestClient:
        """The module's client signed in as ``role`` (cookies replaced)."""
        client = self.client
        client.cookies.clear()
        page = client.get("/login")
        token = csrf_of(page.text)
        response = client.post(
            "/login",
            data={"email": USERS[role][0], "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def _seed(engine: Engine) -> tuple[list[dict[str, Any]], dict[str, int], dict[str, int]]:
    rows = seed_rows()
    write_items(engine, run_id=None, source="seed", items=rows)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    now = datetime.now().replace(microsecond=0)
    cases = {}
    with engine.begin() as conn:
        for team, external_id, due in (
            ("payments", "payments-app-1-0", now - timedelta(days=2)),
            ("payments", "payments-web-1-1", now + timedelta(days=2)),
            ("cards", "cards-app-1-0", now - timedelta(days=1)),
        ):
            result = conn.execute(
                insert(Case).values(
                    item_id=ids[external_id],
                    team=team,
                    status="open",
                    reason="detractor",
                    due_at=due,
                    created_at=now - timedelta(days=3),
                    updated_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            case_id = int(result.inserted_primary_key[0])
            conn.execute(
                insert(CaseEvent).values(
                    case_id=case_id, at=now, actor="otklik", action="opened", to_status="open"
                )
            )
            cases[external_id] = case_id
    for email, role, team in USERS.values():
        add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    return rows, ids, cases


_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=_BACKENDS)
def web_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'otklik.db'}"
        return
    with postgres_schema("w") as url:
        yield url


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=url,
        environment="development",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        metrics_check_every_s=0.0,
        **{"web_prewarm": False, **overrides},
    )


@pytest.fixture(scope="module")
def web(web_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    engine = make_engine(web_url)
    upgrade(engine)
    rows, ids, cases = _seed(engine)
    tokens = {role: create_token(engine, email=email) for role, (email, _, _) in USERS.items()}
    kpis = tmp_path_factory.mktemp("kpis") / "kpis.yaml"
    kpis.write_text(KPIS_YAML, encoding="utf-8")
    app = create_app(settings_for(web_url, kpis=kpis))
    with TestClient(app, base_url="https://testserver") as client:
        yield WebEnv(web_url, engine, client, tokens, rows, ids, cases)
    engine.dispose()
