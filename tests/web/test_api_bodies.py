"""JSON bodies under /api/: a key repeated inside one object is refused, never last-wins; a
bad ``timezone``/``scale`` in POST /api/v1/items is answered with the validator's message."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from otklik.web.limits import repeated_json_key
from tests.web.conftest import WebEnv

REPEATED = (
    # (raw body, the repeated key), written by hand.
    (
        b'{"kind":"survey","source":"dup","scale":"nps","items":'
        b'[{"occurred_at":"2025-03-01","score":9,"score":3}]}',
        "score",
    ),
    (
        b'{"kind":"survey","kind":"exit","source":"dup","scale":"nps","items":'
        b'[{"occurred_at":"2025-03-01","score":9}]}',
        "kind",
    ),
    (
        b'{"kind":"survey","source":"dup","scale":"nps","items":'
        b'[{"occurred_at":"2025-03-01","score":9,"meta":{"a":1,"a":1}}]}',
        "a",  # the same value twice is still a repeated key
    ),
    (b'{"items":[],"":1,"":2}', ""),
)


@pytest.mark.parametrize(("body", "key"), REPEATED)
def test_repeated_key_is_named(body: bytes, key: str) -> None:
    assert repeated_json_key(body) == key


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":{"x":1},"b":{"x":2}}',  # the same key in two objects
        b'[{"a":1},{"a":2}]',
        b"",
        b"not json",
        b'{"a":"\\u0000"}',
    ],
)
def test_no_repeated_key(body: bytes) -> None:
    assert repeated_json_key(body) is None


def _stored(web: WebEnv) -> int:
    with web.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM feedback_items")).scalar_one())


@pytest.mark.parametrize(("body", "key"), REPEATED)
def test_api_refuses_a_repeated_key(web: WebEnv, body: bytes, key: str) -> None:
    before = _stored(web)
    response = web.client.post(
        "/api/v1/items",
        content=body,
        headers={**web.bearer("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) >= {"code", "message"}
    assert f"repeated inside one JSON object: {key!r}" in error["message"]
    assert _stored(web) == before


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("timezone", "Mars/Base", "unknown timezone 'Mars/Base'"),
        ("scale", "nope", "unknown scale 'nope'"),
    ],
)
def test_bad_mapping_field_gives_the_real_message(
    web: WebEnv, field: str, value: str, says: str
) -> None:
    body = {
        "kind": "survey",
        "source": "bad-field",
        "scale": "nps",
        "items": [{"occurred_at": "2025-03-01", "score": 9}],
        field: value,
    }
    response = web.client.post("/api/v1/items", json=body, headers=web.bearer("admin"))
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert says in message and "errors.pydantic.dev" not in message
