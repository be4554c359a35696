"""Odd and hostile requests get a 4xx in the one error shape, never a 500: every parameter of
every route with NUL, huge, negative, non-finite and over-long values, ids past the store's
range (INTEGER: 32-bit on PostgreSQL), deep JSON, oversized bodies (refused before they are
read), NUL in bodies, too many records, and a deeply nested item stored before limits existed."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from otklik.ledger import write_items
from otklik.web import create_app
from otklik.web.api.items import MAX_POSTED_ITEMS
from otklik.web.api.schemas import DEEPER
from otklik.web.limits import RequestLimits, json_too_deep
from otklik.web.pages import PAGE_MODULES
from tests.web.conftest import WebEnv, csrf_of, settings_for

ODD = (
    "\x00",
    "a\x00b",
    "9" * 40,
    str(2**64),
    "-1",
    "nan",
    "-inf",
    "1e309",
    "x" * 3000,
    "%",
    "'\"<>;--",
    "2025-13-45",
    ",,,-,",
    "\ufeff\u202e",
)
IDS = (str(2**31), str(2**63), str(2**64 + 1), "-5", "0", "1.5", "abc", "9" * 40)


def _api_params(web: WebEnv) -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, query names, path names) of every API operation."""
    schema = web.client.get("/api/v1/openapi.json").json()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            query = [p["name"] for p in params if p["in"] == "query"]
            names = [p["name"] for p in params if p["in"] == "path"]
            found.append((method.upper(), path, query, names))
    return found


def _page_params() -> list[tuple[str, str, list[str], list[str]]]:
    found = []
    for module in PAGE_MODULES:
        for route in module.router.routes:
            if not isinstance(route, APIRoute):
                continue
            query = [field.alias for field in route.dependant.query_params]
            names = [field.alias for field in route.dependant.path_params]
            for method in sorted(route.methods):
                found.append((method, route.path, query, names))
    return found


def _fill(path: str, names: list[str], value: str = "1") -> str:
    for name in names:
        path = path.replace("{" + name + "}", value)
    return path


def _shape(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        error = response.json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), where


def test_every_parameter_of_every_route_takes_odd_values(web: WebEnv) -> None:
    client = web.login("admin")
    headers = web.bearer("admin")
    checked = 0
    for method, path, query, names in [*_api_params(web), *_page_params()]:
        extra = headers if path.startswith("/api/") else {}
        for name in query:
            for value in ODD:
                url = _fill(path, names)
                response = client.request(method, url, params={name: value}, headers=extra)
                _shape(response, f"{method} {url} {name}={value[:20]!r}")
                checked += 1
        for value in IDS:
            if names:
                url = _fill(path, names, value)
                _shape(client.request(method, url, headers=extra), f"{method} {url}")
                checked += 1
    assert checked > 500


def test_ids_past_the_store_range_are_422_and_the_largest_is_404(web: WebEnv) -> None:
    headers = web.bearer("admin")
    for path in ("/api/v1/items/{}", "/api/v1/cases/{}", "/api/v1/imports/{}"):
        for huge in (2**31, 2**63, 2**64 + 1):  # ids are INTEGER: 32-bit on PostgreSQL
            refused = web.client.get(path.format(huge), headers=headers)
            assert refused.status_code == 422, (path, huge)
            assert refused.json()["error"]["code"] == "invalid_request"
        largest = web.client.get(path.format(2**31 - 1), headers=headers)
        assert largest.status_code == 404, path
    page = web.login("admin").get(f"/items/{2**70}")
    assert page.status_code == 422 and "<html" in page.text


def test_nul_in_a_query_a_path_a_form_or_json_is_400(web: WebEnv) -> None:
    headers = web.bearer("admin")
    for url in ("/api/v1/items?channel=a%00b", "/api/v1/metrics/nps%00", "/api/v1/items?q=%00"):
        response = web.client.get(url, headers=headers)
        assert response.status_code == 400 and "NUL" in response.json()["error"]["message"]
    case = web.case_ids["payments-app-1-0"]
    note = web.client.post(
        f"/api/v1/cases/{case}/assign", json={"assignee": "a\u0000b"}, headers=headers
    )
    assert note.status_code == 400
    literal = web.client.post(
        f"/api/v1/cases/{case}/assign", json={"assignee": "a\\u0000b"}, headers=headers
    )
    assert literal.status_code == 200  # the six characters \u0000, not a NUL
    client = web.login("admin")
    form = client.post(
        f"/inbox/{case}/assign",
        data={"assignee": "x\x00y", "csrf_token": csrf_of(client.get("/inbox").text)},
    )
    assert form.status_code == 400


@pytest.mark.parametrize("depth", [33, 900, 7_000])
def test_deep_json_is_refused_on_every_api_write(web: WebEnv, depth: int) -> None:
    body = '{"kind": "survey", "items": [' + "[" * depth + "]" * depth + "]}"
    posts = [(m, p, n) for m, p, _, n in _api_params(web) if m == "POST"]
    assert len(posts) >= 4
    for _, path, names in posts:
        response = web.client.post(
            _fill(path, names),
            content=body,
            headers={**web.bearer("admin"), "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (path, response.text[:200])
        assert "nests deeper than 32" in response.json()["error"]["message"]


def test_attributes_nested_within_the_limit_are_kept(web: WebEnv) -> None:
    # docs/import.md: attributes may nest 8 levels; {"leaf": 1} is one level, each wrap one more
    def nested(levels: int) -> dict[str, Any]:
        value: dict[str, Any] = {"leaf": 1}
        for _ in range(levels - 1):
            value = {"n": value}
        return value

    response = web.client.post(
        "/api/v1/items",
        json={
            "kind": "survey",
            "scale": "nps",
            "items": [
                {"id": "nested-8", "occurred_at": "2025-02-01", "score": 9, "x": nested(8)},
                {"id": "nested-9", "occurred_at": "2025-02-01", "score": 9, "x": nested(9)},
            ],
        },
        headers=web.bearer("admin"),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["imported"], body["quarantined"]) == (1, 1)
    [error] = body["errors"]
    assert error["index"] == 1 and error["field"] == "attributes"
    assert "nested more than 8" in error["reason"]


def test_too_many_records_in_one_request(web: WebEnv) -> None:
    items = [{"occurred_at": "2025-01-01", "score": 9}] * (MAX_POSTED_ITEMS + 1)
    response = web.client.post(
        "/api/v1/items",
        json={"kind": "survey", "scale": "nps", "items": items},
        headers=web.bearer("admin"),
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_an_item_stored_900_deep_still_reads(web: WebEnv) -> None:
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"d": deep}
    write_items(
        web.engine,
        run_id=None,
        source="legacy",
        items=[
            {
                "external_id": "deep-900",
                "kind": "review",
                "occurred_at": datetime(2025, 1, 20, 8, 0),
                "text": "DEEPMARK",
                "attributes": {"deep": deep},
            }
        ],
    )
    listed = web.client.get("/api/v1/items?q=DEEPMARK", headers=web.bearer("admin"))
    assert listed.status_code == 200, listed.text[:300]
    (item,) = listed.json()["items"]
    level, depth = item["attributes"], 0
    while isinstance(level, dict):
        level, depth = next(iter(level.values())), depth + 1
    assert level == DEEPER and depth == 32
    one = web.client.get(f"/api/v1/items/{item['id']}", headers=web.bearer("admin"))
    assert one.status_code == 200
    client = web.login("admin")
    assert client.get(f"/items/{item['id']}").status_code == 200
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/items?q=DEEPMARK&format={fmt}").status_code == 200


# --- Body sizes, refused before they are read ------------------------------------------------


@pytest.fixture(scope="module")
def small(web: WebEnv) -> Iterator[TestClient]:
    """The same store behind an app with small limits: 1 MB uploads and API bodies."""
    settings = settings_for(web.url, upload_max_mb=1, api_max_body_mb=1, form_max_kb=8)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def test_api_body_over_the_limit_is_413(web: WebEnv, small: TestClient) -> None:
    items = [{"occurred_at": "2025-01-01", "score": 9, "text": "x" * 1000}] * 1200
    response = small.post(
        "/api/v1/items",
        json={"kind": "survey", "scale": "nps", "items": items},
        headers=web.bearer("admin"),
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "the request body is larger than 1 MB",
    }
    lying = small.post(
        "/api/v1/items",
        content=b"{}",
        headers={**web.bearer("admin"), "Content-Length": "99999999999999999999"},
    )
    assert lying.status_code == 413
    # a digit that is no decimal digit ("²": str.isdigit() says yes, int() refuses it)
    for declared in (b"\xb2", b"1\xb9"):
        odd = small.post(
            "/api/v1/items",
            content=b"{}",
            headers={**web.bearer("admin"), "Content-Length": declared},
        )
        assert odd.status_code == 413, (declared, odd.status_code)


def test_upload_over_the_limit_is_413_and_nothing_is_imported(
    web: WebEnv, small: TestClient
) -> None:
    small.cookies.clear()
    page = small.get("/login")
    small.post(
        "/login",
        data={
            "email": "admin@example.org",
            "password": "correct horse battery",
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
    token = csrf_of(small.get("/imports").text)
    runs = len(small.get("/api/v1/imports", headers=web.bearer("admin")).json()["imports"])
    big = b"date,score,comment\n" + b"2025-01-01,9,hello\n" * 120_000  # 2.3 MB
    response = small.post(
        "/imports",
        data={"kind": "survey", "csrf_token": token},
        files={"file": ("big.csv", big, "text/csv")},
    )
    assert response.status_code == 413 and "larger than 2 MB" in response.text
    after = len(small.get("/api/v1/imports", headers=web.bearer("admin")).json()["imports"])
    assert after == runs
    form = small.post(
        f"/inbox/{web.case_ids['payments-app-1-0']}/assign",
        data={"assignee": "x", "note": "n" * 10_000, "csrf_token": token},
    )
    assert form.status_code == 413


def test_a_streamed_body_stops_being_read_at_the_limit(web: WebEnv) -> None:
    """No Content-Length: the limiter counts chunks and stops pulling once over the limit."""
    settings = settings_for(web.url, upload_max_mb=1)
    pulled: list[int] = []
    sent: list[dict[str, Any]] = []
    chunk = b"x" * 65_536

    async def receive() -> dict[str, Any]:
        pulled.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            while True:
                await receive()
        except Exception as exc:  # the refusal the app's error handlers answer
            sent.append({"error": exc})

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/imports", "headers": []}
    asyncio.run(RequestLimits(app, settings=settings)(scope, receive, send))
    limit = 2 * (1 << 20)
    assert sum(pulled) <= limit + len(chunk)
    assert getattr(sent[0]["error"], "status_code", None) == 413


def test_json_depth_counts_brackets_outside_strings() -> None:
    assert not json_too_deep(b'{"a": "' + b"[" * 500 + b'"}', 32)
    assert not json_too_deep(b'{"a": "\\"' + b"[" * 500 + b'"}', 32)
    assert json_too_deep(b'{"a": ' + b"[" * 33 + b"]" * 33 + b"}", 32)
    assert not json_too_deep(b"[" * 32 + b"]" * 32, 32)
    assert not json_too_deep(b"[]" * 10_000, 32)


def test_exports_of_odd_values_open(web: WebEnv) -> None:
    client = web.login("admin")
    book = load_workbook(io.BytesIO(client.get("/items?q=zzz%25&format=xlsx").content))
    assert re.match(r"otklik", book.sheetnames[0])


def _workbook(comment_mb: int) -> bytes:
    """A real XLSX (date, score, comment) whose one comment is ``comment_mb`` MB of text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "score", "comment"])
    sheet.append(["2025-03-01", 9, "PLACEHOLDER"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in source.infolist():
            data = source.read(part.filename)
            if b"PLACEHOLDER" not in data or not comment_mb:
                zf.writestr(part, data)
                continue
            head, tail = data.decode("utf-8").split("PLACEHOLDER")  # shared or inline string
            with zf.open(part.filename, "w") as sink:
                sink.write(head.encode("utf-8"))
                for _ in range(comment_mb):
                    sink.write(b"a" * (1 << 20))
                sink.write(tail.encode("utf-8"))
    return out.getvalue()


def test_a_small_workbook_holding_a_huge_comment_is_refused_unopened(web: WebEnv) -> None:
    client = web.login("admin")
    token = csrf_of(client.get("/imports").text)
    bomb = _workbook(200)
    assert len(bomb) < 400_000  # a 200 MB comment packed into a few hundred KB
    runs = len(web.client.get("/api/v1/imports", headers=web.bearer("admin")).json()["imports"])
    response = client.post(
        "/imports",
        data={"kind": "survey", "csrf_token": token},
        files={"file": ("comment.xlsx", bomb, "application/octet-stream")},
    )
    assert response.status_code == 413 and "zip bomb" in response.text
    after = len(web.client.get("/api/v1/imports", headers=web.bearer("admin")).json()["imports"])
    assert after == runs
    fine = client.post(
        "/imports",
        data={"kind": "survey", "scale": "nps", "csrf_token": token},
        files={"file": ("fine.xlsx", _workbook(0), "application/octet-stream")},
    )
    assert fine.status_code == 200, fine.text[:300]
