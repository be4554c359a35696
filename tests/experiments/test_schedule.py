"""The worker's daily guard: every running experiment is checked, a harmful one halted."""

from __future__ import annotations

from sqlalchemy import Engine

from otklik.experiments import events, get_experiment
from otklik.experiments.schedule import GUARD_CRON, guard_all
from otklik.jobs import PERIODIC, StepContext, load_step_modules
from tests.experiments.test_analysis import _run, _settings


def test_the_daily_guard_is_scheduled_and_halts_the_harmful_experiment(
    engine: Engine, store_url: str
) -> None:
    load_step_modules()
    assert ("guard_experiments", GUARD_CRON) in [(job.name, job.cron) for job in PERIODIC]
    settings = _settings(store_url)
    _run(engine, settings)  # treatment's CSAT guardrail is far worse than control's
    assert get_experiment(engine, "t").status == "running"
    assert guard_all(StepContext(engine, settings)) == ["t"]
    assert get_experiment(engine, "t").status == "halted"
    assert "halted" in [event["kind"] for event in events(engine, "t")]
    assert guard_all(StepContext(engine, settings)) == []  # a halted one is left alone
