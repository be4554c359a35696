from __future__ import annotations

import re

import pytest

from otklik.cli import main
from otklik.demo import DEMO_USERS, MIN_ROWS, PATTERNS


def test_demo_command_loads_and_prints_the_summary(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--rows", "2000", "--no-serve", "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert "2,000 items" in out
    assert "Loaded / загружено" in out
    for heading in ("By kind", "By channel", "Headline figures", "Planted patterns"):
        assert heading in out
    for kind in ("survey", "contact", "review", "exit", "employee"):
        assert kind in out
    assert "2025-01-01 … 2025-12-31" in out
    assert "churned / ушли" in out
    for pattern in PATTERNS:
        assert pattern.title in out
    assert "web app" not in out
    # the demo classifies and routes like a real store and leaves one sign-in per role
    # every item, the 2,000 feed items plus the EX additions (otklik.demo.ex)
    classified = re.search(r"classified / классифицировано: ([\d,]+) of \1 items", out)
    assert classified and int(classified.group(1).replace(",", "")) > 2000
    for email, _role, _team in DEMO_USERS:
        assert email in out
    assert "Serve it with: otklik serve --db" in out
    # it ends with where to go, who to be and how to run the command
    assert "Open / откройте: http://127.0.0.1:8000/" in out
    assert f"{DEMO_USERS[0][0]} / otklik-demo" in out
    assert "source .venv/bin/activate" in out


def test_demo_command_twice_reports_duplicates(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    first = capsys.readouterr().out
    assert f"created {len(DEMO_USERS)} demo user(s)" in first
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    second = capsys.readouterr().out
    assert "already held this demo" in second and "duplicates" in second
    assert "created" not in second  # the demo users are there from the first run


def test_demo_command_errors_are_one_line(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--rows", "10", "--no-serve", "--db", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: the demo needs at least {MIN_ROWS} rows (got 10)"

    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    assert main(["demo", "--rows", "1000", "--seed", "9", "--no-serve", "--db", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the store already holds another demo") and err.count("\n") == 1


def test_demo_writes_a_secret_once_so_links_survive_restarts(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from otklik.config import PLACEHOLDER_SECRETS, load_settings

    env = tmp_path / "otklik.env"
    monkeypatch.setenv("OTKLIK_ENV_FILE", str(env))
    monkeypatch.delenv("OTKLIK_SECRET_KEY", raising=False)
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    assert f"wrote a random OTKLIK_SECRET_KEY to {env}" in capsys.readouterr().out
    first = load_settings().secret_key
    assert first not in PLACEHOLDER_SECRETS and len(first) >= 48
    assert env.read_text(encoding="utf-8").count("OTKLIK_SECRET_KEY=") == 1
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    assert "wrote a random" not in capsys.readouterr().out
    assert load_settings().secret_key == first  # the same key: links signed earlier stay valid
    monkeypatch.setenv("OTKLIK_SECRET_KEY", "x" * 40)  # the environment wins over the file
    assert load_settings().secret_key == "x" * 40


def test_demo_makes_taxonomy_and_teams_editable_in_the_browser(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from otklik.classify import DEFAULT_TAXONOMY
    from otklik.config import load_settings
    from otklik.routing import DEFAULT_TEAMS

    monkeypatch.setenv("OTKLIK_ENV_FILE", str(tmp_path / "otklik.env"))
    monkeypatch.delenv("OTKLIK_TAXONOMY", raising=False)
    monkeypatch.delenv("OTKLIK_TEAMS", raising=False)
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    settings = load_settings()
    assert settings.taxonomy == tmp_path / "taxonomy.yaml"
    assert settings.teams == tmp_path / "teams.yaml"
    assert settings.taxonomy.read_bytes() == DEFAULT_TAXONOMY.read_bytes()
    assert settings.teams.read_bytes() == DEFAULT_TEAMS.read_bytes()
    assert f"wrote {tmp_path / 'taxonomy.yaml'}" in out
    assert main(["demo", "--rows", "1000", "--no-serve", "--db", sqlite_url]) == 0
    assert "taxonomy.yaml" not in capsys.readouterr().out  # configured now: left alone
    env = (tmp_path / "otklik.env").read_text(encoding="utf-8")
    assert env.count("OTKLIK_TAXONOMY=") == 1 and env.count("OTKLIK_TEAMS=") == 1
