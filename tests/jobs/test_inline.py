"""SQLite, the embedded default: the same steps run in the process that wrote the items."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import pytest

from otklik.jobs import StepContext, add_step, steps
from otklik.ledger import make_engine
from tests.jobs.helpers import import_json, outcome, run


@pytest.fixture
def inline(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OTKLIK_JOBS", "auto")
    monkeypatch.setenv("OTKLIK_JOBS_ATTEMPTS", "2")
    return sqlite_url


def test_an_import_is_classified_and_routed_right_away(
    inline: str, direct: dict[str, tuple[object, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    report = import_json(capsys, inline)
    assert report["jobs"] == {"mode": "inline", "items": 12}
    engine = make_engine(inline)
    try:
        assert outcome(engine) == direct
    finally:
        engine.dispose()
    code, out, _ = run(capsys, "classify", "--format", "json", "--db", inline)
    assert code == 0 and json.loads(out)["classified"] == 0  # nothing left to do
    code, _, err = run(capsys, "worker", "--db", inline)
    assert code == 2 and "a worker needs PostgreSQL" in err


@pytest.fixture
def flaky() -> Iterator[dict[str, object]]:
    state: dict[str, object] = {"broken": True, "calls": 0}

    def check(ctx: StepContext, item_ids: Sequence[int]) -> None:
        state["calls"] = int(str(state["calls"])) + 1
        if state["broken"]:
            raise ValueError(f"cannot check {len(item_ids)} items")

    add_step("check", check, after="classify")  # between classification and routing
    yield state
    steps.ARRIVAL_STEPS[:] = [s for s in steps.ARRIVAL_STEPS if s.name != "check"]


def test_a_failing_step_stops_the_chain_until_retried(
    inline: str,
    flaky: dict[str, object],
    direct: dict[str, tuple[object, ...]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_json(capsys, inline)
    assert flaky["calls"] == 2  # OTKLIK_JOBS_ATTEMPTS
    engine = make_engine(inline)
    try:
        held = outcome(engine)
        # classified, but not routed: no item has a case yet
        assert {k: v[:2] for k, v in held.items()} == {k: v[:2] for k, v in direct.items()}
        assert all(v[3] is None for v in held.values())
        code, out, _ = run(capsys, "jobs", "list", "--failed", "--format", "json", "--db", inline)
        failed = json.loads(out)
        assert [
            (j["task"], j["status"], j["attempts"], j["items"], j["error"]) for j in failed
        ] == [("otklik.check", "failed", 2, 12, "ValueError: cannot check 12 items")]
        flaky["broken"] = False
        code, out, err = run(capsys, "jobs", "retry", str(failed[0]["id"]), "--db", inline)
        assert code == 0, err
        assert out.strip() == f"job {failed[0]['id']} ran again: succeeded"
        assert outcome(engine) == direct  # routed now: the same cases as the direct path
        code, out, _ = run(capsys, "jobs", "list", "--failed", "--format", "json", "--db", inline)
        assert json.loads(out) == []
        code, out, _ = run(capsys, "jobs", "list", "--format", "json", "--db", inline)
        assert [j["status"] for j in json.loads(out)] == ["retried"]
        code, _, err = run(capsys, "jobs", "retry", str(failed[0]["id"]), "--db", inline)
        assert code != 0 and "already retried" in err
    finally:
        engine.dispose()


def test_a_large_arrival_runs_in_batches(
    inline: str,
    direct: dict[str, tuple[object, ...]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[int]] = []
    monkeypatch.setenv("OTKLIK_CLASSIFY_BATCH_SIZE", "5")

    def record(ctx: StepContext, item_ids: Sequence[int]) -> None:
        seen.append(list(item_ids))

    add_step("record", record)
    try:
        import_json(capsys, inline)
    finally:
        steps.ARRIVAL_STEPS[:] = [s for s in steps.ARRIVAL_STEPS if s.name != "record"]
    assert seen == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]
    engine = make_engine(inline)
    try:
        assert outcome(engine) == direct
    finally:
        engine.dispose()
