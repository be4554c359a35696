"""Sessions end on the server, and failed sign-ins are throttled without a lockout.

Each test uses its own accounts and source addresses, so the counters (kept in the store)
of one test never reach another.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from otklik.auth import (
    LoginThrottle,
    LoginThrottled,
    add_user,
    open_session,
    session_principal,
    update_user,
)
from otklik.cli import main
from otklik.ledger import LoginFailure, UserSession, make_engine, upgrade
from otklik.web import create_app
from tests.web.conftest import csrf_of, settings_for

PASSWORD = "owner's long passphrase"
BASE = "https://testserver"


@dataclass
class Env:
    engine: Engine
    app: FastAPI

    def client(self, address: str) -> TestClient:
        """A browser at ``address`` (the app is already running: no second lifespan)."""
        return TestClient(self.app, base_url=BASE, client=(address, 40000))

    def user(self, email: str) -> int:
        return add_user(self.engine, email=email, role="analyst", password=PASSWORD).id


@pytest.fixture(scope="module")
def env(web_url: str) -> Iterator[Env]:
    engine = make_engine(web_url)
    upgrade(engine)
    app = create_app(settings_for(web_url, login_attempts=5, login_window_s=300))
    with TestClient(app, base_url=BASE):
        yield Env(engine, app)
    engine.dispose()


def _try(client: TestClient, email: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code


def _signed_in(env: Env, email: str, address: str, password: str = PASSWORD) -> TestClient:
    client = env.client(address)
    assert _try(client, email, password) == 303
    return client


def _cookie_of(client: TestClient) -> str:
    value = client.cookies.get("otklik_session")
    assert value
    return value


def _as(env: Env, cookie: str, address: str = "198.51.100.99") -> TestClient:
    client = env.client(address)
    client.cookies.set("otklik_session", cookie)
    return client


def test_an_old_cookie_stops_working_after_logout(env: Env) -> None:
    env.user("leaver@example.org")
    browser = _signed_in(env, "leaver@example.org", "192.0.2.1")
    copied = _cookie_of(browser)
    assert _as(env, copied).get("/api/v1/me").status_code == 200
    token = csrf_of(browser.get("/settings").text)
    assert (
        browser.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    replay = _as(env, copied)
    assert replay.get("/api/v1/me").status_code == 401
    page = replay.get("/settings", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_password_change_ends_the_other_sessions(env: Env) -> None:
    user_id = env.user("changer@example.org")
    laptop = _signed_in(env, "changer@example.org", "192.0.2.2")
    phone = _signed_in(env, "changer@example.org", "192.0.2.3")
    phone_cookie = _cookie_of(phone)
    token = csrf_of(laptop.get("/account/password").text)
    wrong = laptop.post(
        "/account/password",
        data={"current": "not the password", "new": "a new passphrase", "csrf_token": token},
    )
    assert wrong.status_code == 422
    assert _as(env, phone_cookie).get("/api/v1/me").status_code == 200  # nothing changed yet
    short = laptop.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "csrf_token": token}
    )
    assert short.status_code == 422
    done = laptop.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a new passphrase", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _as(env, phone_cookie).get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").json()["id"] == user_id  # the browser that changed it stays
    assert _try(env.client("192.0.2.4"), "changer@example.org", PASSWORD) == 401
    assert _try(env.client("192.0.2.4"), "changer@example.org", "a new passphrase") == 303
    with env.engine.connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        ).scalar_one()
    assert left == 2  # the laptop's and the last sign-in's


def test_an_admin_reset_or_deactivation_ends_every_session(env: Env) -> None:
    user_id = env.user("reset@example.org")
    browser = _signed_in(env, "reset@example.org", "192.0.2.5")
    update_user(env.engine, user_id, password="reset by the admin")
    assert browser.get("/api/v1/me").status_code == 401
    browser = _signed_in(env, "reset@example.org", "192.0.2.5", "reset by the admin")
    update_user(env.engine, user_id, active=False)
    update_user(env.engine, user_id, active=True)  # coming back does not revive a session
    assert browser.get("/api/v1/me").status_code == 401


def test_a_session_expires_on_the_server(env: Env) -> None:
    user_id = env.user("expiry@example.org")
    now = datetime(2026, 1, 1, 12, 0)
    token = open_session(env.engine, user_id, max_age_s=3600, now=now)
    assert session_principal(env.engine, token, now=now + timedelta(minutes=59)) is not None
    assert session_principal(env.engine, token, now=now + timedelta(minutes=60)) is None
    assert session_principal(env.engine, token + "x", now=now) is None


def test_failures_from_one_address_do_not_lock_the_owner_out(env: Env) -> None:
    env.user("target@example.org")
    attacker = env.client("203.0.113.66")
    codes = [_try(attacker, "target@example.org", f"guess {n}") for n in range(20)]
    # 5 tries are verified; then each must wait, and a refused try is not even verified.
    assert codes == [401] * 5 + [429] * 15
    token = csrf_of(attacker.get("/login").text)
    refused = attacker.post(
        "/login",
        data={"email": "target@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    # The owner, from their own address, signs in at once.
    assert _try(env.client("198.51.100.10"), "target@example.org", PASSWORD) == 303


def test_one_address_guessing_many_accounts_is_throttled(env: Env) -> None:
    sprayer = env.client("203.0.113.77")
    codes = [
        _try(sprayer, f"nobody{account}@example.org", f"guess {n}")
        for account in range(5)
        for n in range(4)
    ]
    assert codes == [401] * 20  # 4 per account stays under the pair's 5
    assert _try(sprayer, "someone-else@example.org", "guess") == 429  # the address's 21st
    assert _try(env.client("203.0.113.78"), "someone-else@example.org", "guess") == 401


def test_delays_grow_and_are_forgotten(env: Env) -> None:
    throttle = LoginThrottle(env.engine, attempts=3, window_s=60, base_delay_s=5)
    email, source = "clock@example.org", "192.0.2.200"
    t0 = datetime(2026, 1, 1, 12, 0)
    for _ in range(3):
        throttle.check(email, source, now=t0)
        throttle.failed(email, source, now=t0)
    with pytest.raises(LoginThrottled) as caught:
        throttle.check(email, source, now=t0 + timedelta(seconds=1))
    assert caught.value.retry_after_s == 4  # 5 s after the last failure
    throttle.check(email, source, now=t0 + timedelta(seconds=5))
    throttle.failed(email, source, now=t0 + timedelta(seconds=5))  # the 4th: 10 s
    with pytest.raises(LoginThrottled):
        throttle.check(email, source, now=t0 + timedelta(seconds=14))
    throttle.check(email, source, now=t0 + timedelta(seconds=15))
    for second in (15, 16, 17, 18):  # 5th..8th: 20, 40, then 60 (the cap, not 80)
        throttle.failed(email, source, now=t0 + timedelta(seconds=second))
    with pytest.raises(LoginThrottled) as caught:
        throttle.check(email, source, now=t0 + timedelta(seconds=18))
    assert caught.value.retry_after_s == 60
    # Another worker process sees the same counts: they live in the store.
    other = LoginThrottle(env.engine, attempts=3, window_s=60, base_delay_s=5)
    with pytest.raises(LoginThrottled):
        other.check(email, source, now=t0 + timedelta(seconds=30))
    other.check(email, source, now=t0 + timedelta(seconds=78))  # quiet for the window
    throttle.failed("later@example.org", "192.0.2.201", now=t0 + timedelta(seconds=200))
    with env.engine.connect() as conn:
        kept = conn.execute(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.last_at <= t0 + timedelta(seconds=100))
        ).scalar_one()
    assert kept == 0  # stale counters are deleted, not kept forever
    throttle.succeeded("later@example.org", "192.0.2.201")
    throttle.check("later@example.org", "192.0.2.201", now=t0 + timedelta(seconds=200))


def test_the_cli_password_reset_ends_every_session(
    env: Env, web_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.user("cli-reset@example.org")
    browser = _signed_in(env, "cli-reset@example.org", "192.0.2.30")
    monkeypatch.setattr("sys.stdin", io.StringIO("set by the cli\n"))
    command = ["user", "password", "--email", "CLI-Reset@example.org", "--password-stdin"]
    assert main([*command, "--db", web_url]) == 0
    assert "1 session(s) ended" in capsys.readouterr().out
    assert browser.get("/api/v1/me").status_code == 401
    assert _try(env.client("192.0.2.31"), "cli-reset@example.org", "set by the cli") == 303
    monkeypatch.setattr("sys.stdin", io.StringIO("another password\n"))
    assert (
        main(
            [
                "user",
                "password",
                "--email",
                "nobody@example.org",
                "--password-stdin",
                "--db",
                web_url,
            ]
        )
        == 2
    )


def test_signing_in_again_ends_the_browsers_previous_session(env: Env) -> None:
    env.user("twice@example.org")
    browser = _signed_in(env, "twice@example.org", "192.0.2.40")
    first = _cookie_of(browser)
    token = csrf_of(browser.get("/account/password").text)  # /login would redirect home
    again = browser.post(
        "/login",
        data={"email": "twice@example.org", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert _cookie_of(browser) != first
    assert _as(env, first).get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 200
    forged = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    assert _as(env, forged).get("/api/v1/me").status_code == 401
