"""Analysis end to end on real invitations and answers (SQLite and PostgreSQL): the figures
against an independent computation, the guardrail that stops a harmful variant, the staged
rollout, and the halt notification delivered to a real local HTTP receiver."""

from __future__ import annotations

import http.server
import json
import math
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np
import pytest
from scipy import stats as st
from sqlalchemy import Engine

from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.experiments import (
    analyze,
    build,
    create_experiment,
    events,
    get_experiment,
    guard,
    invite_in_experiment,
    rollout,
)
from otklik.replies import SIGNATURE_HEADER, sign_body
from otklik.surveys import (
    Inviter,
    Policy,
    SurveyCache,
    create_survey,
    record_answer,
    signer_from_settings,
)

SECRET = "test-secret-key-that-is-long-enough-0123456789"
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # links must not be expired


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers[SIGNATURE_HEADER]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _settings(url: str, hook: str | None = None) -> Settings:
    return Settings(
        database_url=url,
        secret_key=SECRET,
        public_url="https://feedback.example.com",
        environment="development",
        reply_webhook_url=hook,
        reply_webhook_secret="hook-secret" if hook else None,
    )


def _run(engine: Engine, settings: Settings) -> dict[str, list[tuple[bool, float | None]]]:
    """240 customers invited in the experiment; control answers 30% with mostly top scores,
    treatment answers 60% with mostly bottom scores. Returns, per variant, each customer's
    (answered, CSAT top box) as this test planned them."""
    create_experiment(
        engine,
        build(
            {
                "key": "t",
                "kind": "mechanic",
                "variants": [
                    {"name": "control", "mechanic": "bottom-sheet"},
                    {"name": "treat", "mechanic": "popup"},
                ],
                "metric": "response_rate",
                "guardrails": ["csat"],
                "mde": 10,
                "baseline": 30,
            }
        ),
        now=NOW,
    )
    survey = create_survey(engine, name="csat", type="csat")
    signer = signer_from_settings(settings)
    inviter = Inviter(engine, signer=signer, policy=Policy(), public_url="https://x")
    cache = SurveyCache(engine)
    planned: dict[str, list[tuple[bool, float | None]]] = {"control": [], "treat": []}
    for i in range(240):
        variant, link = invite_in_experiment(
            engine, inviter, "t", survey_id=survey.id, customer_id=f"c{i:03d}", now=NOW
        )
        assert link.mechanic == ("popup" if variant == "treat" else "bottom-sheet")
        answers = i % 10 < (6 if variant == "treat" else 3)
        top = None
        if answers:
            score = (1 if i % 4 else 5) if variant == "treat" else (5 if i % 4 else 2)
            record_answer(engine, signer, link.token, {"score": str(score)}, cache=cache)
            top = 100.0 if score >= 4 else 0.0
        planned[variant].append((answers, top))
    return planned


def test_analysis_against_an_independent_computation(
    engine: Engine, store_url: str, receiver: str
) -> None:
    settings = _settings(store_url, receiver)
    planned = _run(engine, settings)
    result = analyze(engine, "t", now=NOW)
    control = np.array([100.0 * a for a, _ in planned["control"]])
    treat = np.array([100.0 * a for a, _ in planned["treat"]])
    assert result.exposed == {"control": control.size, "treat": treat.size}
    assert result.srm_p == pytest.approx(st.chisquare([control.size, treat.size]).pvalue)
    figures = {f.variant: f for f in result.variants}
    assert figures["control"].value == pytest.approx(control.mean())
    assert figures["treat"].value == pytest.approx(treat.mean())
    [c] = result.comparisons
    d = treat.mean() - control.mean()
    v = control.var(ddof=1) / control.size + treat.var(ddof=1) / treat.size
    assert c.difference == pytest.approx(d)
    assert c.ci_low == pytest.approx(d - st.norm.ppf(0.975) * math.sqrt(v))
    assert c.ci_high == pytest.approx(d + st.norm.ppf(0.975) * math.sqrt(v))
    assert c.p_value == pytest.approx(2 * st.norm.sf(abs(d) / math.sqrt(v)))
    # one look (everything happened on one day): the always-valid p is 1/Λ, Λ = N(d; 0, V+τ²)
    # over N(d; 0, V) with τ = the MDE (10 points)
    ratio = st.norm.pdf(d, 0, math.sqrt(v + 100)) / st.norm.pdf(d, 0, math.sqrt(v))
    assert c.p_always_valid == pytest.approx(min(1.0, 1 / ratio))
    assert c.better is True and c.significant
    # CSAT guardrail: treatment's answers are mostly 1s, the control's mostly 5s
    [g] = result.guardrails
    top_c = np.array([t for _, t in planned["control"] if t is not None])
    top_t = np.array([t for _, t in planned["treat"] if t is not None])
    assert g.metric == "csat" and g.difference == pytest.approx(top_t.mean() - top_c.mean())
    assert g.significant and g.better is False
    assert result.decision == "stop_guardrail" and result.harmful == ["treat"]

    # a rollout of the harmful variant halts at once and notifies
    halted = rollout(engine, "t", 20, winner="treat", settings=settings, now=NOW)
    assert halted.halted and halted.status == "halted" and "csat" in (halted.reason or "")
    assert get_experiment(engine, "t").status == "halted"
    [(body, signature)] = _Receiver.received
    assert signature == sign_body("hook-secret", body)
    assert json.loads(body)["event"] == "experiment.halted"
    assert [e["kind"] for e in events(engine, "t")][-2:] == ["halted", "notified"]


def test_guard_halts_a_running_experiment_and_says_why_it_could_not_notify(
    engine: Engine, store_url: str
) -> None:
    settings = _settings(store_url)
    _run(engine, settings)
    result = guard(engine, "t", settings=settings, now=NOW)
    assert result.halted
    last = events(engine, "t")[-1]
    assert last["kind"] == "notify_failed" and "not configured" in last["detail"]["reason"]


def test_stages_go_20_50_100(engine: Engine) -> None:
    create_experiment(
        engine,
        build({"key": "r", "variants": [{"name": "a"}, {"name": "b"}], "metric": "nps"}),
        now=NOW,
    )
    with pytest.raises(ConfigError, match="no winner yet"):
        rollout(engine, "r", 20, now=NOW)
    with pytest.raises(ConfigError, match="next stage is 20%"):
        rollout(engine, "r", 50, winner="b", now=NOW)
    assert rollout(engine, "r", 20, winner="b", now=NOW).stage == 20
    with pytest.raises(ConfigError, match="next stage is 50%"):
        rollout(engine, "r", 100, now=NOW)
    assert rollout(engine, "r", 50, now=NOW).status == "rollout"
    done = rollout(engine, "r", 100, now=NOW)
    assert (done.status, done.stage, done.winner) == ("done", 100, "b")
    with pytest.raises(ConfigError, match="must be one of 20, 50, 100"):
        rollout(engine, "r", 30, now=NOW)


def test_sample_ratio_mismatch_and_the_fixed_horizon(engine: Engine) -> None:
    from otklik.experiments import log_exposure

    for key, stopping in (("srm", "sequential"), ("fixed", "fixed")):
        create_experiment(
            engine,
            build(
                {
                    "key": key,
                    "variants": [{"name": "a"}, {"name": "b"}],
                    "metric": "response_rate",
                    "stopping": stopping,
                }
            ),
            now=NOW,
        )
    for i in range(300):
        log_exposure(engine, "srm", f"c{i}", "a" if i < 200 else "b", source="api", now=NOW)
        log_exposure(engine, "fixed", f"c{i}", "a" if i % 2 else "b", source="api", now=NOW)
    srm = analyze(engine, "srm", now=NOW)
    assert srm.srm_p == pytest.approx(st.chisquare([200, 100]).pvalue)
    assert srm.decision == "check_srm"
    fixed = analyze(engine, "fixed", now=NOW)
    assert fixed.srm_p == pytest.approx(1.0) and fixed.decision == "continue"


def test_a_stopped_experiment_counts_its_days_to_the_stop(engine: Engine) -> None:
    """Started NOW, stopped 9 days later, read 100 days later: day 10 (day 1 is the start),
    not day 101."""
    from datetime import timedelta

    from otklik.experiments import log_exposure, set_status

    create_experiment(
        engine,
        build({"key": "s", "variants": [{"name": "a"}, {"name": "b"}], "metric": "nps"}),
        now=NOW,
    )
    log_exposure(engine, "s", "c1", "a", source="api", now=NOW)
    assert analyze(engine, "s", now=NOW + timedelta(days=4)).days == 5
    set_status(engine, "s", "stopped", now=NOW + timedelta(days=9))
    assert analyze(engine, "s", now=NOW + timedelta(days=100)).days == 10


def test_exposures_after_the_stop_do_not_count(engine: Engine) -> None:
    """After a stop every new customer gets the control and is still logged; the analysis
    reads the test as it stopped: 100 + 100 exposed, sample ratio p = 1 (χ² of 100 vs 100),
    not 400 vs 100 (p ≈ 0, 'check_srm')."""
    from datetime import timedelta

    from otklik.experiments import assign, log_exposure, set_status

    create_experiment(
        engine,
        build({"key": "st", "variants": [{"name": "a"}, {"name": "b"}], "metric": "nps"}),
        now=NOW,
    )
    for i in range(200):
        log_exposure(engine, "st", f"c{i}", "a" if i % 2 else "b", source="api", now=NOW)
    set_status(engine, "st", "stopped", now=NOW + timedelta(days=1))
    for i in range(200, 500):
        got = assign(engine, "st", f"c{i}", now=NOW + timedelta(days=2))
        assert got.variant == "a"  # the control for everyone after the stop, still logged
    result = analyze(engine, "st", now=NOW + timedelta(days=3))
    assert result.exposed == {"a": 100, "b": 100}
    assert result.srm_p == pytest.approx(1.0)
    assert result.decision != "check_srm"
