"""Every hostile-corpus entry through every entry point, on SQLite and PostgreSQL (issue 11).

One parametrised test: entry (``tests/data/hostile/manifest.yaml``) × entry point (``cli``:
``otklik import`` in-process; ``upload``: the imports page's POST; ``api``:
``POST /api/v1/items`` with the file's records) × store (the module-scoped ``web`` store of
``tests/web/conftest.py``, seeded with two teams' items). Each entry is imported under its own
source, so the shared store needs no reset. Checks, in order:

1. no traceback, no 500; a refusal is one line and a non-zero exit (CLI) or a 4xx (with the
   JSON error shape in the API);
2. the outcome is the manifest's (``refused`` or the counts), ``read = imported + updated +
   duplicates + quarantined``, every quarantined row has a line and a reason (and the field the
   manifest names), and the named items' stored values are the expected ones;
3. the item pages, the items list, the overview (page and PDF) and the run's page answer 200
   with no live markup from the data; the items and quarantine exports (CSV, XLSX) carry no
   formulas;
4. a team user's items and NPS (API) contain nothing outside their zone, and metric answers
   are valid JSON (no NaN/Infinity).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import text

from otklik.cli import main
from otklik.ledger import list_quarantine
from tests.conftest import DATA
from tests.web.conftest import MARKERS, WebEnv, csrf_of

# About 600 imports plus their page checks: minutes, not seconds (CI runs slow tests too).
pytestmark = pytest.mark.slow

CORPUS = DATA / "hostile"
ENTRIES: list[dict[str, Any]] = yaml.safe_load(
    (CORPUS / "manifest.yaml").read_text(encoding="utf-8")
)["entries"]
POINTS = {"file": ("cli", "upload"), "records": ("api",)}
CASES = [
    pytest.param(entry, point, id=f"{entry['file'][:60]}-{point}")
    for entry in ENTRIES
    for feed in entry["feeds"]
    for point in POINTS[feed]
]
HUGE = 1_000_000
#: Patterns that only appear when markup planted in the data reaches a page live: in the HTML
#: itself, or inside a JSON blob (chart data) where Plotly would still interpret it.
LIVE_MARKUP = re.compile(
    r'<a href=\\?"https://evil\.example|\\u003ca href=\\"https://evil'
    r"|<script>alert\(|\\u003cscript\\u003ealert|<b>HOSTILE-B|\\u003cb\\u003eHOSTILE-B"
    r"|<img src=x onerror|\\u003cimg src=x onerror",
    re.IGNORECASE,
)
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass
class Outcome:
    """What one entry point did with one entry."""

    refused: bool
    counts: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    source: str | None = None


# --------------------------------------------------------------------------- materialising


def _generated(recipe: str, folder: Path, name: str) -> Path:
    """The files too big to commit, written at test time (deterministic)."""
    if recipe == "huge_comment_csv":
        path = folder / name
        path.write_text(
            "id,occurred_at,score,scale,text\n"
            "h1,2025-03-01T10:00:00,9,nps,ok\n"
            f"h2,2025-03-01T10:00:00,8,nps,{'я' * HUGE}\n",
            encoding="utf-8",
        )
        return path
    if recipe == "huge_comment_xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["id", "occurred_at", "score", "scale", "text"])
        sheet.append(["h1", "2025-03-01T10:00:00", 9, "nps", "ok"])
        sheet.append(["h2", "2025-03-01T10:00:00", 8, "nps", "я" * HUGE])
        path = folder / name
        book.save(path)
        return path
    if recipe == "huge_comment_jsonl":
        path = folder / name
        path.write_text(
            json.dumps({"id": "h1", "occurred_at": "2025-03-01T10:00:00", "score": 9})
            + "\n"
            + json.dumps({"id": "h2", "occurred_at": "2025-03-01T10:00:00", "text": "я" * HUGE})
            + "\n",
            encoding="utf-8",
        )
        return path
    if recipe == "rows_over_limit":
        path = folder / name
        path.write_text(
            "".join(
                json.dumps({"id": f"r{i}", "occurred_at": "2025-03-01", "score": i % 11}) + "\n"
                for i in range(10_001)
            ),
            encoding="utf-8",
        )
        return path
    if recipe == "markup_file_name":
        path = folder / f"{name.rsplit('.', 1)[0]}<b>HOSTILE-B<b><img src=x onerror=alert(1)>.csv"
        shutil.copyfile(CORPUS / name, path)
        return path
    raise AssertionError(f"unknown recipe {recipe!r}")


def _materialise(entry: dict[str, Any], point: str, folder: Path) -> Path:
    """The entry's file under a name unique to the entry point (so each import is new)."""
    work = folder / point
    work.mkdir()
    if "generate" in entry:
        made = _generated(entry["generate"], work, entry["file"])
        renamed = made.with_name(f"{point}-{made.name}")
        made.rename(renamed)
        return renamed
    path = work / f"{point}-{entry['file']}"
    shutil.copyfile(CORPUS / entry["file"], path)
    return path


def _records_body(entry: dict[str, Any], path: Path, source: str) -> bytes:
    """The API body, built from the file's bytes so NaN, 10**23 and deep nesting reach the
    server exactly as written."""
    raw = path.read_bytes()
    if path.suffix == ".jsonl":
        lines = [line for line in raw.splitlines() if line.strip()]
        raw = b"[" + b",".join(lines) + b"]"
    head: dict[str, Any] = {"kind": entry["import_kind"], "source": source}
    if entry.get("scale"):
        head["scale"] = entry["scale"]
    return json.dumps(head).encode()[:-1] + b', "items": ' + raw + b"}"


# --------------------------------------------------------------------------- entry points


_SIGNED_IN: set[str] = set()


def _admin(web: WebEnv) -> Any:
    """The module's client with the admin's session (signed in once per store: argon2 is slow)."""
    if web.url not in _SIGNED_IN:
        web.login("admin")
        _SIGNED_IN.add(web.url)
    return web.client


def _last_run_id(web: WebEnv) -> int:
    with web.engine.connect() as conn:
        return int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM import_runs")).scalar_one())


def _new_run(web: WebEnv, before: int) -> dict[str, Any] | None:
    with web.engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT id, source, status, read, imported, updated, duplicates, quarantined"
                    " FROM import_runs WHERE id > :before ORDER BY id"
                ),
                {"before": before},
            )
            .mappings()
            .all()
        )
    assert len(rows) <= 1, f"one import made {len(rows)} runs"
    return dict(rows[0]) if rows else None


def _run_counts(run: dict[str, Any]) -> dict[str, int]:
    return {
        name: int(run[name])
        for name in ("read", "imported", "updated", "duplicates", "quarantined")
    }


def via_cli(
    entry: dict[str, Any], path: Path, source: str | None, web: WebEnv, tmp: Path, capsys: Any
) -> Outcome:
    args = ["import", str(path), "--kind", entry["import_kind"], "--format", "json"]
    args += ["--db", web.url]
    if source is not None:
        args += ["--source", source]
    if entry.get("scale"):
        mapping = tmp / "mapping.yaml"
        mapping.write_text(f"scale: {entry['scale']}\n", encoding="utf-8")
        args += ["--mapping", str(mapping)]
    before = _last_run_id(web)
    try:
        code = main(args)
    except BaseException as exc:  # the CLI must never let one escape
        pytest.fail(f"cli: {type(exc).__name__} escaped: {str(exc)[:200]}")
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "Traceback" not in both, f"cli printed a traceback: {both[-500:]}"
    if code != 0:
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert len(lines) == 1, f"cli error is not one line (exit {code}): {captured.err[:500]!r}"
        return Outcome(refused=True, run_id=(_new_run(web, before) or {}).get("id"))
    try:
        report = json.loads(captured.out, parse_constant=_no_constant)
    except ValueError as exc:
        pytest.fail(f"cli --format json printed invalid JSON ({exc}): {captured.out[:300]!r}")
    run = _new_run(web, before)
    assert run is not None, "exit 0 but no import run"
    assert report["run_id"] == run["id"]
    shown = {name: report.get(name, 0) for name in _run_counts(run)}
    assert shown == _run_counts(run), "the printed report differs from the stored run"
    return Outcome(refused=False, counts=_run_counts(run), run_id=run["id"], source=run["source"])


def via_upload(entry: dict[str, Any], path: Path, source: str | None, web: WebEnv) -> Outcome:
    client = _admin(web)
    token = csrf_of(client.get("/imports").text)
    data = {"kind": entry["import_kind"], "csrf_token": token}
    if source is not None:
        data["source"] = source
    if entry.get("scale"):
        data["scale"] = entry["scale"]
    before = _last_run_id(web)
    try:
        response = client.post(
            "/imports", data=data, files={"file": (path.name, path.read_bytes())}
        )
    except Exception as exc:
        pytest.fail(f"upload: 500 ({type(exc).__name__}: {str(exc)[:200]})")
    assert response.status_code < 500, f"upload answered {response.status_code}"
    run = _new_run(web, before)
    if response.status_code >= 400:
        return Outcome(refused=True, run_id=(run or {}).get("id"))
    assert response.status_code == 200, response.status_code
    assert run is not None, "the upload answered 200 but made no import run"
    return Outcome(refused=False, counts=_run_counts(run), run_id=run["id"], source=run["source"])


def via_api(entry: dict[str, Any], path: Path, source: str, web: WebEnv) -> Outcome:
    before = _last_run_id(web)
    try:
        response = web.client.post(
            "/api/v1/items",
            content=_records_body(entry, path, source),
            headers={**web.bearer("admin"), "Content-Type": "application/json"},
        )
    except Exception as exc:
        pytest.fail(f"api: 500 ({type(exc).__name__}: {str(exc)[:200]})")
    assert response.status_code < 500, f"api answered {response.status_code}"
    run = _new_run(web, before)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
        return Outcome(refused=True, run_id=(run or {}).get("id"))
    assert response.status_code == 200
    answer = json.loads(response.text, parse_constant=_no_constant)
    assert run is not None and answer["run_id"] == run["id"]
    counts = _run_counts(run)
    assert {name: answer[name] for name in counts if name != "updated"} == {
        name: value for name, value in counts.items() if name != "updated"
    }
    assert len(answer["errors"]) == counts["quarantined"], "every bad record is answered"
    return Outcome(refused=False, counts=counts, run_id=run["id"], source=run["source"])


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --------------------------------------------------------------------------- expectations


def _matches(outcome: Outcome, expected: Any) -> str | None:
    """None when ``outcome`` is ``expected``; otherwise why not (one line)."""
    if expected == "refused":
        return None if outcome.refused else f"expected refused, got {outcome.counts}"
    if outcome.refused:
        return f"refused, expected {_short(expected)}"
    got = {name: outcome.counts[name] for name in ("read", "imported", "duplicates", "quarantined")}
    want = {name: expected[name] for name in got}
    return None if got == want else f"counts {got}, expected {want}"


def _short(expected: dict[str, Any]) -> dict[str, Any]:
    return {name: expected[name] for name in ("read", "imported", "duplicates", "quarantined")}


def _check_quarantine(web: WebEnv, outcome: Outcome, expected: dict[str, Any]) -> None:
    assert outcome.run_id is not None
    rows = list_quarantine(web.engine, run_id=outcome.run_id)
    assert len(rows) == outcome.counts["quarantined"], "quarantine rows ≠ quarantined count"
    for row in rows:
        assert isinstance(row["line"], int) and row["line"] >= 1, row
        assert row["reason"] and row["reason"].strip(), row
    for line, name in expected.get("quarantine", []):
        found = [
            row
            for row in rows
            if (line is None or row["line"] == line) and (name is None or row["field"] == name)
        ]
        shown = [(row["line"], row["field"], row["reason"][:60]) for row in rows]
        assert found, f"no quarantined row at line {line} field {name}: {shown}"


def _check_values(web: WebEnv, outcome: Outcome, expected: dict[str, Any]) -> None:
    for external_id, fields in expected.get("values", {}).items():
        with web.engine.connect() as conn:
            item = (
                conn.execute(
                    text("SELECT * FROM feedback_items WHERE source = :s AND external_id = :e"),
                    {"s": outcome.source, "e": external_id},
                )
                .mappings()
                .one_or_none()
            )
        assert item is not None, f"item {external_id!r} was not stored"
        for name, value in fields.items():
            if name == "contains":
                attributes = item["attributes"]
                if isinstance(attributes, str):
                    attributes = json.loads(attributes)
                where = f"{item['text']} {json.dumps(attributes, ensure_ascii=False)}"
                assert value in where, f"{value!r} lost from item {external_id!r}: {where[:200]}"
            else:
                assert item[name] == value, f"{external_id}.{name} = {item[name]!r} ≠ {value!r}"


# --------------------------------------------------------------------------- responses


def _no_live_markup(what: str, body: str) -> None:
    """No markup planted in the corpus appears live (pages that show only this entry)."""
    found = LIVE_MARKUP.search(body)
    if found is not None:
        context = body[max(0, found.start() - 80) : found.end() + 40]
        pytest.fail(f"{what}: live markup {context!r}")


def _strings(value: Any) -> list[str]:
    """Every string in a stored value: keys and values of nested attributes (depth-safe)."""
    found: list[str] = []
    stack = [value]
    while stack and len(found) < 10_000:
        current = stack.pop()
        if isinstance(current, str):
            found.append(current)
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _live_forms(rows: list[dict[str, Any]]) -> set[str]:
    """This entry's stored strings with markup, as they would appear if shown unescaped: raw
    in HTML, or inside a JSON blob (chart data) that Plotly renders."""
    forms: set[str] = set()
    for row in rows:
        for value in _strings(list(row.values())):
            if "<" not in value or len(value) > 5_000:
                continue
            inner = json.dumps(value, ensure_ascii=False)[1:-1]
            escaped = inner.replace("<", "\\u003c").replace(">", "\\u003e")
            forms |= {value, inner, escaped, escaped.replace("&", "\\u0026")}
    return forms


def _no_entry_markup(what: str, body: str, forms: set[str]) -> None:
    """None of this entry's markup is live on a page that shows the whole store."""
    for form in forms:
        at = body.find(form)
        if at >= 0:
            pytest.fail(f"{what}: live markup from this entry {body[at : at + 120]!r}")


def _formula_cell(value: str) -> bool:
    if not value:
        return False
    if value[0] in "=+@\t\r":
        return True
    return value[0] == "-" and NUMBER.fullmatch(value) is None


def _no_formulas_csv(what: str, body: bytes, ids: set[str] | None = None) -> None:
    """No live formula in the CSV; with ``ids``, only rows whose first cell is one of them."""
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    for line, row in enumerate(reader, start=1):
        if ids is not None and (not row or row[0] not in ids):
            continue
        bad = [cell for cell in row if _formula_cell(cell)]
        assert not bad, f"{what} line {line}: live formula cells {bad[:3]!r}"


def _no_formulas_xlsx(what: str, body: bytes, ids: set[str] | None = None) -> None:
    """No formula cell in the workbook; with ``ids``, only rows whose first cell is one."""
    book = load_workbook(io.BytesIO(body))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if ids is not None and (not row or str(row[0].value) not in ids):
                continue
            for cell in row:
                assert cell.data_type != "f", f"{what} {cell.coordinate}: formula {cell.value!r}"


def _get(web: WebEnv, url: str, **kwargs: Any) -> Any:
    try:
        response = web.client.get(url, **kwargs)
    except Exception as exc:
        pytest.fail(f"GET {url}: 500 ({type(exc).__name__}: {str(exc)[:200]})")
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return response


#: Store-wide pages found broken, per store: (store URL, page URL) → the entry that broke them.
_BROKEN: dict[tuple[str, str], str] = {}


def _get_store_wide(web: WebEnv, url: str, entry: str) -> Any:
    """A page that shows the whole store; None while it stays broken by an earlier entry.

    The first entry after which the page fails is blamed (entries store their data in order,
    and every entry that stores something risky fetches these pages); the entries after it are
    not, until the page works again."""
    key = (web.url, url)
    try:
        response = web.client.get(url)
        failure = None if response.status_code == 200 else f"answered {response.status_code}"
    except Exception as exc:
        response, failure = None, f"500 ({type(exc).__name__}: {str(exc)[:200]})"
    if failure is None:
        _BROKEN.pop(key, None)
        return response
    if key in _BROKEN:
        return None
    _BROKEN[key] = entry
    pytest.fail(f"GET {url}: {failure}")


def _risky(values: list[str]) -> bool:
    """Whether stored strings could break or attack a page or an export: markup, a control
    character, or a formula-like start."""
    return any(
        "<" in value or value[:1] in ("=", "+", "-", "@") or any(ord(ch) < 32 for ch in value)
        for value in values
    )


def _check_pages(web: WebEnv, outcome: Outcome, entry: str) -> None:
    """Pages, exports and metric answers after the import. Pages showing only this entry (its
    items, its run) are always checked; store-wide pages and exports are fetched when the entry
    stored something risky, and checked only for this entry's own markup and rows, so one
    entry's fault is not blamed on the entries after it."""
    if outcome.run_id is None:
        return
    _admin(web)
    with web.engine.connect() as conn:
        rows = [
            dict(row)
            for row in conn.execute(
                text("SELECT * FROM feedback_items WHERE import_run_id = :r ORDER BY id"),
                {"r": outcome.run_id},
            ).mappings()
        ]
        run = dict(
            conn.execute(
                text("SELECT source, path FROM import_runs WHERE id = :r"), {"r": outcome.run_id}
            )
            .mappings()
            .one()
        )
    run_page = f"/imports/{outcome.run_id}"
    _no_live_markup("run page", _get(web, run_page).text)
    if outcome.refused or outcome.counts["quarantined"]:
        _no_formulas_csv("quarantine CSV", _get(web, f"{run_page}?format=csv").content)
        _no_formulas_xlsx("quarantine XLSX", _get(web, f"{run_page}?format=xlsx").content)
    forms = _live_forms([*rows, run])
    if forms and (page := _get_store_wide(web, "/imports", entry)) is not None:
        _no_entry_markup("/imports", page.text, forms)
    if not rows:
        return
    risky = [row for row in rows if _risky(_strings(list(row.values())))]
    for row in (risky or rows)[:3]:
        _no_live_markup(f"/items/{row['id']}", _get(web, f"/items/{row['id']}").text)
    if risky:
        if (page := _get_store_wide(web, "/items", entry)) is not None:
            _no_entry_markup("/items", page.text, forms)
        if (page := _get_store_wide(web, "/", entry)) is not None:
            _no_entry_markup("overview", page.text, forms)
        if (page := _get_store_wide(web, "/?format=pdf", entry)) is not None:
            assert page.content.startswith(b"%PDF"), "the overview PDF is not a PDF"
        ids = {str(row["id"]) for row in risky}
        if (page := _get_store_wide(web, "/items?format=csv", entry)) is not None:
            _no_formulas_csv("items CSV", page.content, ids)
        if (page := _get_store_wide(web, "/items?format=xlsx", entry)) is not None:
            _no_formulas_xlsx("items XLSX", page.content, ids)
    metric = "aht" if any(row["kind"] == "contact" for row in rows) else "nps"
    response = _get(
        web,
        f"/api/v1/metrics/{metric}",
        params={"where": f"source={outcome.source}"},
        headers=web.bearer("admin"),
    )
    try:
        json.loads(response.text, parse_constant=_no_constant)
    except ValueError as exc:
        pytest.fail(f"/api/v1/metrics/{metric}: invalid JSON ({exc})")


def _check_zone(web: WebEnv, outcome: Outcome) -> None:
    """The payments user's items (and, when the entry set owner teams, NPS) hold nothing of
    another team's. The bearer token wins over the admin's session cookie."""
    headers = web.bearer("payments")
    answer = _get(web, "/api/v1/items?limit=1000", headers=headers).json()
    strangers = [
        (item["external_id"], item["owner_team"])
        for item in answer["items"]
        if item["owner_team"] != "payments"
        or any(marker in (item["text"] or "") for marker in (MARKERS["cards"], MARKERS[None]))
    ]
    assert not strangers, f"the payments user sees other zones' items: {strangers[:5]}"
    with web.engine.connect() as conn:
        owned = conn.execute(
            text(
                "SELECT COUNT(*) FROM feedback_items"
                " WHERE import_run_id = :r AND owner_team IS NOT NULL"
            ),
            {"r": outcome.run_id or -1},
        ).scalar_one()
        own = conn.execute(
            text(
                "SELECT COUNT(*) FROM feedback_items WHERE owner_team = 'payments'"
                " AND kind = 'survey' AND scale = 'nps' AND score IS NOT NULL"
            )
        ).scalar_one()
    if not owned:
        return
    response = _get(web, "/api/v1/metrics/nps", headers=headers)
    rows = json.loads(response.text, parse_constant=_no_constant)
    assert sum(row["n"] for row in rows) <= own, "the payments NPS counts other zones' answers"


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize(("entry", "point"), CASES)
def test_hostile_entry(
    entry: dict[str, Any],
    point: str,
    web: WebEnv,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _materialise(entry, point, tmp_path)
    source = None if entry.get("source") == "default" else f"hostile-{point}-{entry['file']}"[:190]
    if point == "cli":
        outcome = via_cli(entry, path, source, web, tmp_path, capsys)
    elif point == "upload":
        outcome = via_upload(entry, path, source, web)
    else:
        outcome = via_api(entry, path, source or "api", web)

    expected = entry.get("expect_records", entry["expect"]) if point == "api" else entry["expect"]
    alternatives = (
        expected["any_of"] if isinstance(expected, dict) and "any_of" in expected else [expected]
    )
    reasons = [_matches(outcome, alternative) for alternative in alternatives]
    matched = [alt for alt, reason in zip(alternatives, reasons, strict=True) if reason is None]
    assert matched, f"{entry['file']} via {point}: " + " | ".join(r for r in reasons if r)
    if outcome.refused:
        with web.engine.connect() as conn:
            stored = conn.execute(
                text("SELECT COUNT(*) FROM feedback_items WHERE import_run_id = :r"),
                {"r": outcome.run_id or -1},
            ).scalar_one()
        assert stored == 0, "a refused file imported items"
    else:
        counts = outcome.counts
        assert counts["read"] == (
            counts["imported"] + counts["updated"] + counts["duplicates"] + counts["quarantined"]
        ), f"rows unaccounted for: {counts}"
        _check_quarantine(web, outcome, matched[0])
        _check_values(web, outcome, matched[0])
    _check_pages(web, outcome, entry["file"])
    _check_zone(web, outcome)
