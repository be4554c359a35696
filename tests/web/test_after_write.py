"""After a write the heavy page figures are recomputed in the background, and a page never
shows figures that ignore the write without saying so: ``/scorecards`` shows the previous
report with "figures as of HH:MM, refreshing…" while the new one is computed, then the new one;
everything else (the API, downloads, other pages) waits for the new figures or computes them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from otklik.auth import add_user
from otklik.ledger import make_engine, upgrade, write_items
from otklik.web import create_app
from otklik.web.state import Marked, TTLCache
from tests.web.conftest import PASSWORD, csrf_of, settings_for


def test_a_kept_figure_is_recomputed_after_a_write() -> None:
    cache = TTLCache(60.0, refresh_after_write=True, settle_s=0.0)
    data = [1]
    made: list[int] = []

    def make() -> int:
        made.append(data[0])
        return data[0]

    assert cache.get("k", make, keep=True) == 1
    data[0] = 2
    cache.clear()  # a write
    cache.join_refresh()
    assert made == [1, 2]  # recomputed once, in the background
    assert cache.get("k", make, keep=True) == 2
    assert cache.get_marked("k", make) == Marked(2)  # current: no "as of"
    assert made == [1, 2]  # neither request computed it


class _Held:
    """A kept figure (1, then 2 after the write) whose recomputation is held at a gate."""

    def __init__(self) -> None:
        self.cache = TTLCache(60.0, refresh_after_write=True, settle_s=0.0)
        self.data = [1]
        self.gate, self.started = threading.Event(), threading.Event()
        self.gate.set()

    def make(self) -> int:
        self.started.set()
        self.gate.wait()
        return self.data[0]

    def write_and_hold(self) -> None:
        """The write; returns once the background recomputation has begun (and is held)."""
        self.gate.clear()
        self.started.clear()
        self.data[0] = 2
        self.cache.clear()
        assert self.started.wait(60)


def test_during_the_recomputation_only_the_marked_read_shows_the_old_value() -> None:
    held = _Held()
    cache, make, gate = held.cache, held.make, held.gate
    before = datetime.now(UTC)
    assert cache.get("k", make, keep=True) == 1
    held.write_and_hold()
    marked = cache.get_marked("k", make, wait_s=0.0)
    assert marked.value == 1  # the previous figures …
    assert marked.as_of is not None and before <= marked.as_of <= datetime.now(UTC)  # … dated
    plain: list[int] = []
    reader = threading.Thread(target=lambda: plain.append(cache.get("k", make, keep=True)))
    reader.start()  # a plain read waits for the recomputation: never the old value
    gate.set()
    reader.join()
    cache.join_refresh()
    assert plain == [2]
    assert cache.get_marked("k", make) == Marked(2)


def test_a_marked_read_waits_for_a_recomputation_that_ends_in_time() -> None:
    held = _Held()
    cache, make, gate = held.cache, held.make, held.gate
    cache.get("k", make, keep=True)
    held.write_and_hold()
    found: list[Marked[int]] = []
    reader = threading.Thread(target=lambda: found.append(cache.get_marked("k", make, wait_s=60)))
    reader.start()
    gate.set()  # the recomputation ends within the wait
    reader.join()
    assert found == [Marked(2)]


def test_without_background_refresh_nothing_old_is_kept() -> None:
    """With the start-up precomputation off (``OTKLIK_WEB_PREWARM=false``) nothing would
    recompute a figure: after a write it is computed on request, as before."""
    cache = TTLCache(60.0)
    data = [1]
    assert cache.get("k", lambda: data[0], keep=True) == 1
    data[0] = 2
    cache.clear()
    assert cache.get_marked("k", lambda: data[0]) == Marked(2)


def test_a_failed_recomputation_is_left_to_the_next_request() -> None:
    cache = TTLCache(60.0, refresh_after_write=True, settle_s=0.0)
    data: list[int | None] = [1]

    def make() -> int:
        if data[0] is None:
            raise ValueError("the store is gone")
        return data[0]

    cache.get("k", make, keep=True)
    data[0] = None
    cache.clear()
    cache.join_refresh()
    with pytest.raises(ValueError, match="the store is gone"):
        cache.get_marked("k", make)  # not the old figures: the error, as the page shows it


KPIS = """\
kpis:
  - name: fcr
    metric: fcr
    period: month
    target: 80
    owner: contact_center
    min_n: 5
"""
ADMIN = "admin@example.org"


def _contacts(pairs: int, single: int, tag: str) -> list[dict[str, object]]:
    """March 2025: ``pairs`` customers with two contacts three days apart (the first one
    repeated within 7 days) and ``single`` customers with one contact."""
    rows: list[dict[str, object]] = []
    for i in range(pairs):
        for day in (2, 5):
            rows.append(
                {
                    "external_id": f"{tag}p{i}-{day}",
                    "kind": "contact",
                    "channel": "call",
                    "customer_id": f"{tag}p{i}",
                    "occurred_at": datetime(2025, 3, day + i % 10, 10),
                }
            )
    for i in range(single):
        rows.append(
            {
                "external_id": f"{tag}s{i}",
                "kind": "contact",
                "channel": "call",
                "customer_id": f"{tag}s{i}",
                "occurred_at": datetime(2025, 3, 10 + i % 10, 12),
            }
        )
    return rows


@pytest.fixture
def app_client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    write_items(engine, run_id=None, source="s", items=_contacts(10, 0, "a"))
    add_user(engine, email=ADMIN, role="admin", password=PASSWORD)
    engine.dispose()
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(KPIS, encoding="utf-8")
    app = create_app(settings_for(sqlite_url, kpis=kpis, web_prewarm=True, timezone="UTC"))
    with TestClient(app, base_url="https://testserver") as client:
        app.state.prewarm.join()
        app.state.web.cache.settle_s = 0.0
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"email": ADMIN, "password": PASSWORD, "csrf_token": token, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        client.cookies.set("otklik_lang", "en")
        yield client


def _fcr_row(page: str) -> tuple[str, str]:
    """The FCR card's value and n cells."""
    card = page[page.index('data-kpi="fcr"') :]
    cells = re.findall(r'<td class="num">([^<]*)</td>', card)
    return cells[0].strip(), cells[2].strip()


def test_a_write_then_the_scorecards_never_show_old_figures_unmarked(
    app_client: TestClient,
) -> None:
    """20 contacts, 10 repeated: FCR 50 % of 20. Ten new single contacts: 20 unrepeated of
    30, FCR 66.7 %. While the new report is computed the page shows 50 % with the line; then
    66.7 % without it; a download and the API never show 50 %."""
    client = app_client
    state = client.app.state.web  # type: ignore[attr-defined]
    page = client.get("/scorecards").text
    assert _fcr_row(page) == ("50.0%", "20")  # 10 of 20 unrepeated
    assert 'id="figures-as-of"' not in page
    token = csrf_of(client.get("/settings").text)
    with state.cache._refresh_slot:  # the background recomputation waits meanwhile
        response = client.post(
            "/api/v1/items",
            json={
                "kind": "contact",
                "items": [
                    {**row, "id": row.pop("external_id"), "occurred_at": str(row["occurred_at"])}
                    for row in _contacts(0, 10, "b")
                ],
            },
            headers={"x-csrf-token": token},
        )
        assert response.status_code == 200, response.text
        page = client.get("/scorecards").text
        assert 'id="figures-as-of"' in page  # the old figures, said to be old
        assert "Figures as of" in page and "refreshing" in page
        assert _fcr_row(page) == ("50.0%", "20")
        client.cookies.set("otklik_lang", "ru")
        assert "Данные на" in client.get("/scorecards").text
        client.cookies.set("otklik_lang", "en")
        download = client.get("/scorecards?format=csv").text  # a file is always current
        fcr_line = next(line for line in download.splitlines() if line.startswith("fcr,"))
        assert ",66.7," in fcr_line and ",30," in fcr_line  # 20 of 30 unrepeated
    state.cache.join_refresh()
    page = client.get("/scorecards").text
    assert 'id="figures-as-of"' not in page
    assert _fcr_row(page) == ("66.7%", "30")
