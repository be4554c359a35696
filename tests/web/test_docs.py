"""docs/web.md keeps up: every setting the web app reads, every API route, every command."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from otklik.config import Settings
from otklik.web import create_app
from tests.web.conftest import settings_for

DOC = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
WEB_SETTINGS = (
    "database_url",
    "environment",
    "secret_key",
    "cookie_secure",
    "session_cookie",
    "session_max_age_s",
    "login_attempts",
    "login_window_s",
    "default_locale",
    "metrics_check_every_s",
    "rollup_dimensions",
    "pdf_font",
    "timezone",
    "upload_max_mb",
    "api_max_body_mb",
    "form_max_kb",
    "json_max_depth",
    "kpis",
    "kpis_local",
)


def test_every_setting_is_documented() -> None:
    for name in WEB_SETTINGS:
        assert name in Settings.model_fields, name
        assert f"OTKLIK_{name.upper()}" in DOC, name


def test_every_api_route_and_command_is_documented(tmp_path: Path) -> None:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'docs.db'}"))
    with TestClient(app, base_url="https://testserver") as client:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in paths:
        pattern = re.sub(r"\\\{[a-z_]+\\\}", r"\\{[a-z_]+\\}", re.escape(path))
        assert re.search(pattern + r"(?![\w/])", DOC), path
    for command in ("otklik serve", "otklik user add", "otklik user list", "otklik token create"):
        assert command in DOC, command
