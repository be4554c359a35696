"""Correcting the machine and importing with a mapping, in real Chromium (Debian's).

Journeys: a team user relabels an item in place; an analyst retrains and activates; an admin
uploads a file, changes the date mapping, sees the preview and the quarantine, confirms and
reads the report. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import text

from otklik.classify import HumanLabel, current_labels, write_human_labels
from otklik.ledger import make_engine, upgrade
from otklik.web import create_app
from tests.web.conftest import _seed, settings_for
from tests.web.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _login,
    _need_chromium,
    _shot,
)

pytestmark = pytest.mark.browser

FILE = (
    "id;date;nps;comment\n"
    "b1;03/04/2025 10:00;9;fine\n"
    "b2;04/05/2025 11:00;x;broken score\n"
    "b3;05/06/2025 12:00;10;great\n"
    "b4;;8;no date\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object, Path]]:
    _need_chromium()
    folder = tmp_path_factory.mktemp("browser-correct")
    url = f"sqlite:///{folder / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, text FROM feedback_items WHERE owner_team IS NOT NULL")
        )
        labels = [
            HumanLabel(item_id=i, type="complaint" if "тормозит" in (t or "") else "praise")
            for i, t in rows
        ]
    write_human_labels(engine, labels)
    models = folder / "models"
    app = create_app(settings_for(url, model_dir=models))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine, models
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser(served: tuple[str, object, Path]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_team_user_relabels_an_item(browser: object, served: tuple[str, object, Path]) -> None:
    base, engine, _ = served
    with engine.connect() as conn:  # type: ignore[attr-defined]
        item_id = conn.execute(
            text("SELECT id FROM feedback_items WHERE external_id = 'payments-app-1-4'")
        ).scalar_one()
    page = _login(browser, base, "payments", locale="ru-RU")
    page.goto(f"{base}/items/{item_id}")  # type: ignore[attr-defined]
    page.click("details.relabel summary")  # type: ignore[attr-defined]
    page.select_option("#relabel-type", "question")  # type: ignore[attr-defined]
    page.select_option("#relabel-topics", ["payments.fees", "cards.blocked"])  # type: ignore[attr-defined]
    page.select_option("#relabel-sentiment", "negative")  # type: ignore[attr-defined]
    _shot(page, "relabel-ru")
    page.click("#relabel-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#relabel-saved")  # type: ignore[attr-defined]
    assert page.inner_text("#current-type") == "Вопрос"  # type: ignore[attr-defined]
    assert "Комиссии" in page.inner_text("#current-topics")  # type: ignore[attr-defined]
    assert "pay@example.org" in page.inner_text("#labelled-by")  # type: ignore[attr-defined]
    label = current_labels(engine, [item_id])[item_id]  # type: ignore[arg-type]
    assert (label["type"], label["topics"], label["sentiment"], label["method"]) == (
        "question",
        ["payments.fees", "cards.blocked"],
        "negative",
        "human",
    )


def test_analyst_retrains_and_activates(browser: object, served: tuple[str, object, Path]) -> None:
    base, _, models = served
    page = _login(browser, base, "analyst")
    page.goto(f"{base}/model")  # type: ignore[attr-defined]
    page.click("#retrain-button")  # type: ignore[attr-defined]
    # the page refreshes itself while the run goes on, then shows the comparison
    page.wait_for_selector("#comparison-table", timeout=120_000)  # type: ignore[attr-defined]
    row = page.locator('#comparison-table tr[data-target="type"]')  # type: ignore[attr-defined]
    assert "%" in row.locator(".before-accuracy").inner_text()
    assert "%" in row.locator(".after-accuracy").inner_text()
    _shot(page, "model-retrain")
    page.click("#activate-button")  # type: ignore[attr-defined]
    page.wait_for_selector("#model-activated")  # type: ignore[attr-defined]
    assert (models / "type.model").exists()


def test_admin_imports_with_a_mapping(
    browser: object, served: tuple[str, object, Path], tmp_path: Path
) -> None:
    base, engine, _ = served
    path = tmp_path / "answers.csv"
    path.write_text(FILE, encoding="utf-8")
    page = _login(browser, base, "admin", locale="ru-RU")
    page.goto(f"{base}/imports")  # type: ignore[attr-defined]
    page.set_input_files("input[name=file]", str(path))  # type: ignore[attr-defined]
    page.fill("input[name=source]", "browser-feed")  # type: ignore[attr-defined]
    page.click("#upload-submit")  # type: ignore[attr-defined]
    page.wait_for_selector("#preview-counts")  # type: ignore[attr-defined]
    with engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(
            text("SELECT count(*) FROM feedback_items WHERE source = 'browser-feed'")
        ).scalar_one()
    assert stored == 0  # nothing written yet
    # the dates are ambiguous (no day over 12): month first, read in Moscow time
    page.fill("#map-date-format", "%m/%d/%Y %H:%M")  # type: ignore[attr-defined]
    page.fill("#map-timezone", "Europe/Moscow")  # type: ignore[attr-defined]
    page.click("#preview-again")  # type: ignore[attr-defined]
    page.wait_for_selector("#preview-rows")  # type: ignore[attr-defined]
    rows = page.inner_text("#preview-rows")  # type: ignore[attr-defined]
    assert "04.03.2025" in rows  # 03/04 month first is 4 March; 10:00 Moscow is 07:00 UTC
    assert "07:00" in rows
    quarantine = page.inner_text("#preview-quarantine")  # type: ignore[attr-defined]
    assert "score" in quarantine and "occurred_at" in quarantine
    assert page.inner_text("#count-quarantined").strip() == "2"  # type: ignore[attr-defined]
    _shot(page, "import-mapping-ru")
    page.click("#confirm-import")  # type: ignore[attr-defined]
    page.wait_for_selector("#report")  # type: ignore[attr-defined]
    _shot(page, "import-report-ru")
    with engine.connect() as conn:  # type: ignore[attr-defined]
        run = conn.execute(
            text(
                "SELECT read, imported, duplicates, quarantined FROM import_runs "
                "WHERE source = 'browser-feed'"
            )
        ).one()
        first = conn.execute(
            text("SELECT occurred_at FROM feedback_items WHERE external_id = 'b1'")
        ).scalar_one()
    assert tuple(run) == (4, 2, 0, 2)
    assert str(first).startswith("2025-03-04 07:00")
