"""The web import's mapping step: upload, see the mapping and the preview (nothing written),
change the mapping, confirm, and get the counts the preview promised."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from otklik.ledger import FeedbackItem, ImportRun, QuarantineRow
from tests.conftest import DATA
from tests.web.conftest import WebEnv, csrf_of

FILE = (
    b"id;date;nps;comment;other\n"
    b"m1;03/04/2025 10:00;9;fine;alt-1\n"
    b"m2;13/04/2025 10:00;x;broken score;alt-2\n"
    b"m3;05/04/2025 09:30;10;great;alt-3\n"
    b"m4;;8;no date;alt-4\n"
    b"m3;05/04/2025 09:30;10;again;alt-5\n"
)


def _stored(web: WebEnv) -> tuple[int, int, int]:
    with web.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (FeedbackItem, ImportRun, QuarantineRow)
        )


def _count(page: str, name: str) -> int:
    found = re.search(rf'id="count-{name}">([^<]*)<', page)
    assert found, f"no count {name}"
    return int(re.sub(r"\D", "", found.group(1)))


def _upload(web: WebEnv, data: bytes, name: str = "m.csv", **form: str) -> tuple[str, str, str]:
    client = web.login("admin")
    token = csrf_of(client.get("/imports").text)
    page = client.post(
        "/imports/preview",
        data={"kind": "survey", "csrf_token": token, **form},
        files={"file": (name, data)},
    )
    assert page.status_code == 200, page.text[:500]
    upload_id = re.search(r'formaction="/imports/confirm/([^"]+)"', page.text)
    assert upload_id
    return page.text, upload_id.group(1), token


def test_preview_then_confirm_gives_the_previewed_counts(web: WebEnv) -> None:
    before = _stored(web)
    page, upload_id, token = _upload(web, FILE, source="mapping-feed")
    assert _stored(web) == before  # the upload and its preview wrote nothing
    # prefilled with what the CLI detects
    assert re.search(r'name="col_score"[^>]*>.*?<option value="nps" selected>', page)
    assert re.search(r'name="col_text"[^>]*>.*?<option value="comment" selected>', page)
    # by hand: 5 rows; m2 (score 'x') and m4 (no date) quarantined; m3 repeated once
    counts = {name: _count(page, name) for name in ("read", "import", "duplicates", "quarantined")}
    assert counts == {"read": 5, "import": 2, "duplicates": 1, "quarantined": 2}
    quarantine = html.unescape(page.split('id="preview-quarantine"')[1])
    assert "<td>3</td><td>score</td>" in quarantine and "'x' is not a number" in quarantine
    assert "<td>5</td><td>occurred_at</td>" in quarantine
    kept = web.client.app.state.web.uploads  # type: ignore[attr-defined]
    upload = kept.get(token, upload_id)  # the form's token is the session's CSRF secret
    assert upload.path.exists()
    done = web.client.post(
        f"/imports/confirm/{upload_id}",
        data={
            "csrf_token": token,
            "kind": "survey",
            "source": "mapping-feed",
            "timezone": "Europe/Moscow",
            "date_format": "%d/%m/%Y %H:%M",
        },
    )
    assert done.status_code == 200, done.text[:500]
    run_id = int(re.search(r"#(\d+)", done.text).group(1))  # type: ignore[union-attr]
    with web.engine.connect() as conn:
        run = conn.execute(select(ImportRun.__table__).where(ImportRun.id == run_id)).one()
        first = conn.execute(
            select(FeedbackItem.occurred_at).where(
                FeedbackItem.source == "mapping-feed", FeedbackItem.external_id == "m1"
            )
        ).scalar_one()
    assert (run.read, run.imported, run.duplicates, run.quarantined) == (5, 2, 1, 2)
    assert run.read == run.imported + run.duplicates + run.quarantined
    assert first.replace(tzinfo=None).isoformat() == "2025-04-03T07:00:00"  # 10:00 Moscow
    assert not upload.path.exists()  # the kept file is removed once imported
    again = web.client.post(f"/imports/confirm/{upload_id}", data={"csrf_token": token})
    assert again.status_code == 404


def test_a_mapping_change_changes_the_preview(web: WebEnv) -> None:
    page, upload_id, token = _upload(web, FILE)
    # the profile reads 13/04 as day first: 03/04/2025 10:00 UTC is 3 April
    assert "03.04.2025" in page or "4/3/25" in page or "03/04/2025" in page
    month_first = web.client.post(
        f"/imports/preview/{upload_id}",
        data={
            "csrf_token": token,
            "kind": "survey",
            "date_format": "%m/%d/%Y %H:%M",
            "timezone": "UTC",
            "col_text": "other",
        },
        headers={"Accept-Language": "ru"},
    )
    assert month_first.status_code == 200
    rows = month_first.text.split('id="preview-rows"')[1].split("</table>")[0]
    assert "04.03.2025" in rows  # month first: 4 March
    assert "alt-1" in rows and ">fine<" not in rows  # the comment now comes from "other"
    # by hand: 13/04 has no 13th month, but m2 is quarantined already (its score); m4 has no
    # date: still 2 rows, now m2 for its date too
    assert _count(month_first.text, "quarantined") == 2
    assert "13/04/2025" in html.unescape(month_first.text.split('id="preview-quarantine"')[1])
    assert 'value="%m/%d/%Y %H:%M"' in month_first.text  # the form keeps the user's choice


def test_bad_mappings_and_hostile_requests_never_500(web: WebEnv) -> None:
    before = _stored(web)
    _page, upload_id, token = _upload(web, FILE)
    missing = web.client.post(
        f"/imports/preview/{upload_id}", data={"csrf_token": token, "col_score": "no such column"}
    )
    assert missing.status_code == 400
    assert "no such column" in html.unescape(missing.text)
    for form in (
        {"col_score": "no such column"},
        {"timezone": "Mars/Olympus"},
        {"decimal": ";"},
        {"scale": "stars99"},
        {"kind": "nonsense"},
        {"date_format": "%Q %%"},  # last: usable, so its confirm imports (all quarantined)
    ):
        response = web.client.post(
            f"/imports/preview/{upload_id}", data={"csrf_token": token, **form}
        )
        assert 400 <= response.status_code < 500 or response.status_code == 200, form
        confirm = web.client.post(
            f"/imports/confirm/{upload_id}", data={"csrf_token": token, **form}
        )
        assert confirm.status_code < 500, form
    no_csrf = web.client.post(f"/imports/preview/{upload_id}", data={"kind": "survey"})
    assert no_csrf.status_code == 403
    unknown = web.client.post(
        "/imports/preview/AAAAAAAAAAAAAAAAAAAAAAAA", data={"csrf_token": token}
    )
    assert unknown.status_code == 404
    traversal = web.client.post("/imports/preview/..%2F..%2Fetc", data={"csrf_token": token})
    assert traversal.status_code == 404
    # another session cannot use this session's upload
    other = web.login("analyst")
    other_token = csrf_of(other.get("/imports").text)
    stolen = other.post(f"/imports/confirm/{upload_id}", data={"csrf_token": other_token})
    assert stolen.status_code == 404
    # a team user may not import at all
    team = web.login("payments")
    refused = team.post(
        "/imports/preview",
        data={"kind": "survey", "csrf_token": csrf_of(team.get("/").text)},
        files={"file": ("m.csv", FILE)},
    )
    assert refused.status_code == 403
    # only the last confirm wrote: one run, every row in quarantine ("%Q" matches no date)
    assert _stored(web) == (before[0], before[1] + 1, before[2] + 5)


HOSTILE = sorted((DATA / "hostile").iterdir())


@pytest.mark.parametrize("path", HOSTILE[::6], ids=lambda path: Path(path).name[:40])
def test_hostile_files_preview_without_500(web: WebEnv, path: Path) -> None:
    before = _stored(web)
    client = web.login("admin")
    token = csrf_of(client.get("/imports").text)
    response = client.post(
        "/imports/preview",
        data={"kind": "survey", "csrf_token": token},
        files={"file": (path.name, path.read_bytes())},
    )
    assert response.status_code < 500
    assert _stored(web) == before
    assert "otklik-uploads" not in response.text and "/tmp/" not in response.text
