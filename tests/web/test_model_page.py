"""The model page: retrain on the stored human labels in the background, see before/after on
the same held-out labels (figures recomputed here), activate; roles, CSRF, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from otklik.classify import HumanLabel, write_human_labels
from otklik.web import create_app
from tests.web.conftest import WebEnv, csrf_of, settings_for


@pytest.fixture(scope="module")
def model_web(web: WebEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The module's store behind an app whose model folder is a temporary one."""
    folder = tmp_path_factory.mktemp("models")
    labels = []
    for row in web.rows:
        if row["external_id"] == "xss" or row["owner_team"] is None:
            continue
        # the seed's two texts: "… приложение отзыв N" (praise) and "… тормозит N" (complaint)
        kind = "complaint" if "тормозит" in str(row["text"]) else "praise"
        labels.append(HumanLabel(item_id=web.item_ids[str(row["external_id"])], type=kind))
    write_human_labels(web.engine, labels)
    app = create_app(settings_for(web.url, model_dir=folder))
    with TestClient(app, base_url="https://testserver") as client:
        yield WebEnv(web.url, web.engine, client, web.tokens, web.rows, web.item_ids, web.case_ids)


def _shown(row: str, name: str) -> float:
    """The percent in the cell of class ``name``, as a share (the Russian page: ``48,2 %``)."""
    found = re.search(rf'class="num {name}[^"]*">([0-9,]+)', row)
    assert found, name
    return float(found.group(1).replace(",", ".")) / 100


def test_retrain_shows_before_and_after_then_activates(model_web: WebEnv) -> None:
    client = model_web.login("analyst")
    page = client.get("/model", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    token = csrf_of(page.text)
    assert client.post("/model/retrain", data={}).status_code == 403  # no CSRF token
    started = client.post("/model/retrain", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    job = client.app.state.web.retrain  # type: ignore[attr-defined]
    assert job.wait(120).state == "done"
    report = job.report
    result = next(target for target in report.targets if target.target == "type")
    truth, before, after = result.truth, result.before_predicted, result.after_predicted
    assert len(truth) == result.n_holdout == len(before) == len(after) > 0
    accuracy_before = sum(t == p for t, p in zip(truth, before, strict=True)) / len(truth)
    accuracy_after = sum(t == p for t, p in zip(truth, after, strict=True)) / len(truth)
    assert result.before["accuracy"] == pytest.approx(accuracy_before, abs=1e-4)
    assert result.after["accuracy"] == pytest.approx(accuracy_after, abs=1e-4)
    shown = client.get("/model", headers={"Accept-Language": "ru"}).text
    row = shown.split('data-target="type"')[1].split("</tr>")[0]
    # shown rounded to a tenth of a percent
    assert _shown(row, "before-accuracy") == pytest.approx(accuracy_before, abs=0.0006)
    assert _shown(row, "after-accuracy") == pytest.approx(accuracy_after, abs=0.0006)
    assert _shown(row, "after-f1") == pytest.approx(result.after["macro_f1"], abs=0.0006)
    folder = Path(report.model_dir)
    assert not (folder / "type.model").exists()  # nothing in force before activation
    done = client.post("/model/activate", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert (folder / "type.model").exists()
    assert 'id="comparison"' not in client.get("/model").text
    again = client.post("/model/activate", data={"csrf_token": token})
    assert again.status_code == 404  # nothing waiting: said, not a 500


def test_team_users_may_not_retrain(model_web: WebEnv) -> None:
    client = model_web.login("payments")
    assert client.get("/model").status_code == 403
    token = csrf_of(client.get("/").text)
    assert client.post("/model/retrain", data={"csrf_token": token}).status_code == 403


def test_a_failing_run_is_shown_not_a_500(model_web: WebEnv, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    app = create_app(settings_for(model_web.url, model_dir=blocker))
    with TestClient(app, base_url="https://testserver") as client:
        env = WebEnv(
            model_web.url, model_web.engine, client, model_web.tokens, model_web.rows, {}, {}
        )
        signed = env.login("admin")
        token = csrf_of(signed.get("/model").text)
        signed.post("/model/retrain", data={"csrf_token": token})
        assert app.state.web.retrain.wait(120).state == "failed"
        page = signed.get("/model")
        assert page.status_code == 200
        assert re.search(r'id="retrain-failed"', page.text)
