"""The inbox's server time with many open cases (not a timed test).

Builds a store of N open cases (items with scores, revenue, incident links, labels), signs in
as an admin and as a team member, and requests the inbox (page 1, a deep page, filters) and a
case page repeatedly, reading the app's own ``Server-Timing`` header. Prints p50 and max.

    python benchmarks/bench_inbox.py [--cases 12000] [--db sqlite:///benchmarks/out/inbox.db]
                                     [--requests 20]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from otklik.auth import add_user
from otklik.config import Settings
from otklik.ledger import Case, Classification, FeedbackItem, make_engine, upgrade, write_items
from otklik.web import create_app

PASSWORD = "benchmark password"
TEAMS = ("cards", "payments", "digital", "contact_center")
TOPICS = ("cards.limits", "payments.fees", "app.login", "service")


def _build(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    now = datetime.now().replace(microsecond=0)
    rows = [
        {
            "external_id": f"b{i}",
            "kind": "survey",
            "channel": rng.choice(("app", "web", "call", "chat")),
            "occurred_at": now - timedelta(hours=rng.randint(1, 2000)),
            "customer_id": f"c{rng.randint(1, count // 3)}",
            "score": float(rng.randint(0, 10)),
            "scale": "nps",
            "revenue": round(rng.lognormvariate(9, 1.2), 2),
            "text": f"обращение {i}: не работает перевод, звоните +7 916 000-00-{i % 100:02d}",
            "owner_team": TEAMS[i % len(TEAMS)],
            "attributes": {"incident": "INC-1"} if i % 50 == 0 else None,
        }
        for i in range(count)
    ]
    write_items(engine, run_id=None, source="bench", items=rows)
    with engine.begin() as conn:
        ids = list(conn.execute(select(FeedbackItem.id, FeedbackItem.owner_team)).all())
        conn.execute(
            insert(Case),
            [
                {
                    "item_id": item_id,
                    "team": team,
                    "status": "open",
                    "reason": "detractor",
                    "due_at": now + timedelta(hours=rng.randint(-72, 72)),
                    "created_at": now,
                    "updated_at": now,
                }
                for item_id, team in ids
            ],
        )
        conn.execute(
            insert(Classification),
            [
                {
                    "item_id": item_id,
                    "origin": "machine",
                    "type": rng.choice(("complaint", "question", "suggestion")),
                    "topics": [rng.choice(TOPICS)],
                    "method": "rules",
                    "confidence": 0.8,
                    "created_at": now,
                }
                for item_id, _ in ids
            ],
        )
    add_user(engine, email="admin@bench", role="admin", password=PASSWORD)
    add_user(engine, email="cards@bench", role="team", password=PASSWORD, team="cards")
    engine.dispose()


def _login(client: TestClient, email: str) -> None:
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def _ms(client: TestClient, path: str, repeat: int) -> tuple[float, float, int]:
    times = []
    for _ in range(repeat):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:200])
        found = re.search(r"dur=([\d.]+)", response.headers["server-timing"])
        assert found
        times.append(float(found.group(1)))
    return statistics.median(times), max(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=12_000)
    parser.add_argument("--db", default="sqlite:///benchmarks/out/inbox.db")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if args.db.startswith("sqlite:///"):
        path = Path(args.db.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    _build(args.db, args.cases)
    settings = Settings(
        database_url=args.db, secret_key="bench-secret-key-long-enough-0123456789abcd"
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        for who in ("admin@bench", "cards@bench"):
            _login(client, who)
            case_id = re.search(r'data-case="(\d+)"', client.get("/inbox").text)
            assert case_id
            for path in (
                "/inbox",
                "/inbox?page=100",
                "/inbox?sla=overdue&topic=payments&channel=app",
                "/inbox?type=complaint&order=due",
                f"/inbox/{case_id.group(1)}",
                "/api/v1/cases?limit=50",
            ):
                p50, worst, size = _ms(client, path, args.requests)
                print(f"{who:12} {path:48} p50 {p50:7.1f} ms  max {worst:7.1f} ms  {size:,} B")


if __name__ == "__main__":
    main()
