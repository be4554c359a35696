"""Arrivals through the web app go to the jobs: items posted to the API and survey answers are
classified by themselves (SQLite: on the app's background thread; PostgreSQL: by a worker
from the queue), and the answer is acknowledged before that."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from otklik.auth import add_user, create_token
from otklik.config import load_settings
from otklik.jobs.queue import Queue
from otklik.ledger import make_engine, upgrade
from otklik.routing import classify_and_route
from otklik.surveys import create_survey
from otklik.web import create_app
from tests.web.conftest import settings_for

COMMENTS = [
    ("p1", 1, "Не могу войти в приложение, код из СМС не приходит"),
    ("p2", 10, "Спасибо оператору, всё решила за пять минут"),
    ("p3", 3, "Courier was late again, the parcel arrived damaged."),
]


@pytest.fixture
def app_env(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Engine]]:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    engine = make_engine(store_url)
    upgrade(engine)
    add_user(engine, email="admin@example.org", role="admin", password="a-long-password-1")
    token = create_token(engine, email="admin@example.org")
    app = create_app(settings_for(store_url))
    with TestClient(app, base_url="https://testserver") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, engine
    engine.dispose()


def _labels(engine: Engine) -> dict[str, str | None]:
    """Per item (external id): its machine type, None where it has none yet."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.external_id, c.type FROM feedback_items i LEFT JOIN classifications c "
                "ON c.item_id = i.id AND c.origin = 'machine'"
            )
        ).all()
    return {row[0]: row[1] for row in rows}


def test_posted_items_and_answers_are_classified_by_themselves(
    app_env: tuple[TestClient, Engine],
) -> None:
    client, engine = app_env
    posted = client.post(
        "/api/v1/items",
        json={
            "kind": "survey",
            "scale": "nps",
            "source": "api",
            "items": [
                {"id": key, "occurred_at": "2025-04-02T10:00:00Z", "score": score, "text": body}
                for key, score, body in COMMENTS
            ],
        },
    )
    assert posted.status_code == 200 and posted.json()["imported"] == 3
    survey = create_survey(engine, name="after-payment", type="nps")
    invited = client.post(
        f"/api/v1/surveys/{survey.id}/invitations", json={"customer_id": "c-1"}
    ).json()
    answered = client.post(
        f"/s/{invited['token']}", json={"score": 2, "comment": "Приложение не работает"}
    )
    assert answered.status_code == 201

    expected = {key for key, _, _ in COMMENTS} | {f"invitation-{invited['id']}"}
    state = client.app.state.web  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            waiting = (
                conn.execute(
                    text(
                        "SELECT jsonb_array_length(args->'item_ids') FROM procrastinate_jobs "
                        "WHERE task_name = 'otklik.classify' AND status = 'todo'"
                    )
                )
                .scalars()
                .all()
            )
        assert sorted(waiting) == [1, 3]  # the API's batch, then the answer's
        assert all(label is None for label in _labels(engine).values())
        Queue.for_store(engine, load_settings()).run_worker(
            wait=False, install_signal_handlers=False, poll_s=0.2
        )
    else:
        state.arrivals.drain()
    labels = _labels(engine)
    assert set(labels) == expected
    assert all(label is not None for label in labels.values()), labels
    with engine.connect() as conn:
        cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    assert cases >= 2  # the two low scores with complaints are actionable
    # the direct path (`otklik classify`) finds nothing left to classify or to open
    left = classify_and_route(engine)
    assert (left.classify.classified, left.cases_opened) == (0, 0)
