"""Two real uvicorn worker processes behind one PostgreSQL store behave like one.

``otklik serve --workers 2`` runs as a user starts it; parallel clients then race for one
one-time link, one policy window and one rate limit. With the state in each process's memory
the first two would let two requests through (one per worker) and the limit would admit up
to twice its rate; through the store each admits exactly what one process would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from otklik.auth import add_user, create_token
from otklik.ledger import make_engine, upgrade
from otklik.surveys import create_survey

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "w" * 48
LINK_LIMIT = 10  # requests per link a minute


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """(base URL, API token, survey id) of `otklik serve --workers 2` on a fresh store."""
    engine = make_engine(pg_url)
    upgrade(engine)
    add_user(engine, email="admin@example.com", role="admin", password="a-long-password-1")
    token = create_token(engine, email="admin@example.com")
    survey = create_survey(engine, name="after-payment", type="nps")
    engine.dispose()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "OTKLIK_SECRET_KEY": SECRET,
        "OTKLIK_SURVEY_TOKEN_PER_MINUTE": str(LINK_LIMIT),
        "OTKLIK_SURVEY_IP_PER_MINUTE": "100000",
        "OTKLIK_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "otklik.cli",
                "serve",
                "--workers",
                "2",
                "--healthcheck-timeout",
                "30",
                "--port",
                str(port),
                "--db",
                pg_url,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 90
        while log.read_text(errors="replace").count("Application startup complete") < 2:
            assert server.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", token, survey.id
    finally:
        server.terminate()
        server.wait(30)


def _parallel(calls: int, send: object) -> list[httpx.Response]:
    def one(_: int) -> httpx.Response:
        # a new connection each time: the kernel hands connections to either worker
        with httpx.Client(timeout=30) as client:
            return send(client)  # type: ignore[operator, no-any-return]

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(one, range(calls)))


def test_two_workers_one_invitation_one_answer_one_limit(served: tuple[str, str, int]) -> None:
    base, token, survey_id = served
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{base}/api/v1/surveys/{survey_id}/invitations"

    # one invitation per policy window (one-survey-a-week) for the same customer
    invited = _parallel(16, lambda c: c.post(url, json={"customer_id": "c-1"}, headers=auth))
    assert Counter(r.status_code for r in invited) == {201: 1, 409: 15}
    refused = [r.json() for r in invited if r.status_code == 409]
    assert all(body["error"]["code"] == "policy_refused" for body in refused)

    # one answer per one-time link; the link's rate limit counted across both workers
    link = next(r.json() for r in invited if r.status_code == 201)["token"]
    answers = _parallel(16, lambda c: c.post(f"{base}/s/{link}", json={"score": 9}))
    statuses = Counter(r.status_code for r in answers)
    assert statuses[201] == 1
    assert statuses[429] == 16 - LINK_LIMIT
    assert statuses[409] == LINK_LIMIT - 1
    assert set(statuses) == {201, 409, 429}

    # another link: 30 parallel page views, exactly LINK_LIMIT let through
    other = httpx.post(url, json={"customer_id": "c-2"}, headers=auth, timeout=30).json()["token"]
    views = _parallel(
        30, lambda c: c.get(f"{base}/s/{other}", headers={"Accept": "application/json"})
    )
    assert Counter(r.status_code for r in views) == {200: LINK_LIMIT, 429: 30 - LINK_LIMIT}


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--port", "70000"], "--port"),  # was an OverflowError traceback from bind()
        (["--workers", "10000"], "--workers"),  # was 10,000 processes forked
        (["--workers", "0"], "--workers"),
        (["--healthcheck-timeout", "0"], "--healthcheck-timeout"),
        (["--healthcheck-timeout", "100000"], "--healthcheck-timeout"),
    ],
)
def test_serve_refuses_out_of_range_port_and_workers(
    capsys: pytest.CaptureFixture[str], args: list[str], shown: str
) -> None:
    from tests.jobs.helpers import run

    code, _, err = run(capsys, "serve", *args, "--db", "sqlite:///unused.db")
    assert code == 2 and shown in err and "Traceback" not in err
    assert not Path("unused.db").exists()
