"""Warnings about a file as a whole reach the upload page and the API answer, not just the CLI.

A survey without any score column is the issue's example: every row imports (the comments are
kept), and the report says no score was found.
"""

from __future__ import annotations

import html

from tests.web.conftest import WebEnv, csrf_of

NO_SCORE = "date,comment\n2025-03-01,slow app\n2025-03-02,fine\n"


def test_the_upload_page_shows_the_warning(web: WebEnv) -> None:
    client = web.login("admin")
    token = csrf_of(client.get("/imports").text)
    page = client.post(
        "/imports",
        data={"kind": "survey", "csrf_token": token, "source": "warn-upload"},
        files={"file": ("no_score.csv", NO_SCORE.encode())},
    )
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "no score column" in text.lower()
    assert 'class="warning"' in page.text


def test_the_api_answer_carries_warnings(web: WebEnv) -> None:
    response = web.client.post(
        "/api/v1/items",
        json={
            "kind": "survey",
            "source": "warn-api",
            "items": [{"occurred_at": "2025-03-01", "text": "slow app"}],
        },
        headers=web.bearer("admin"),
    )
    assert response.status_code in (200, 201), response.text
    body = response.json()
    assert (body["read"], body["imported"]) == (1, 1)
    assert any("no score column" in warning.lower() for warning in body["warnings"])


def test_a_refused_upload_names_the_file_not_the_server_copy(web: WebEnv) -> None:
    client = web.login("admin")
    token = csrf_of(client.get("/imports").text)
    response = client.post(
        "/imports",
        data={"kind": "survey", "csrf_token": token},
        files={"file": ("deep.json", b"[" * 5000 + b"]" * 5000)},
        headers={"Accept": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert "deep.json" in response.text
    assert "otklik-upload-" not in response.text and "/tmp" not in response.text
