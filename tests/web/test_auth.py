"""Users, tokens and settings: argon2 hashes, token hashes, the CLI, the login limiter."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from otklik.cli import main
from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.ledger import make_engine
from otklik.web import create_app
from tests.web.conftest import csrf_of, settings_for


def test_cli_user_add_and_token_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-passphrase\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--email",
                "Lead@Example.org",
                "--role",
                "team",
                "--team",
                "cards",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["token", "create", "--email", "lead@example.org", "--db", url]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"otk_[\w-]{40,}", token)
    engine = make_engine(url)
    with engine.connect() as conn:
        password_hash = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
        token_hash = conn.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    engine.dispose()
    assert password_hash.startswith("$argon2id$") and "s3cret" not in password_hash
    assert token not in token_hash and len(token_hash) == 64
    with TestClient(create_app(settings_for(url)), base_url="https://testserver") as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"id": 1, "email": "lead@example.org", "role": "team", "team": "cards"}
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--email",
                "x@example.org",
                "--role",
                "admin",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 2
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--email",
                "y@example.org",
                "--role",
                "team",
                "--password-stdin",
                "--db",
                url,
            ]
        )
        == 2
    )
    assert "--team" in capsys.readouterr().err


def test_login_is_rate_limited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limit.db'}"
    app = create_app(settings_for(url, login_attempts=3, login_window_s=60))
    with TestClient(app, base_url="https://testserver") as client:
        token = csrf_of(client.get("/login").text)
        codes = [
            client.post(
                "/login", data={"email": "a@example.org", "password": "wrong", "csrf_token": token}
            ).status_code
            for _ in range(4)
        ]
    assert codes == [401, 401, 401, 429]


def test_placeholder_secret_is_refused_outside_development() -> None:
    with pytest.raises(ConfigError, match="OTKLIK_SECRET_KEY"):
        create_app(Settings(environment="production", secret_key="changethis"))
    with pytest.raises(ConfigError):
        create_app(Settings(environment="production", secret_key="short"))
    create_app(Settings(environment="production", secret_key="x" * 40))  # nothing raised
