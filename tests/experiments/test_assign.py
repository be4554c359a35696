"""Assignment: deterministic, sticky, in proportion to the weights, nested across rollout
stages, within the contact policy; every exposure logged (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from scipy import stats as st
from sqlalchemy import Engine, func, insert, select

from otklik.errors import ConfigError, NotFoundError
from otklik.experiments import (
    assign,
    bucket,
    build,
    choose_variant,
    create_experiment,
    get_experiment,
    set_status,
)
from otklik.ledger import Exposure, Invitation
from otklik.surveys import create_survey, load_policy

NOW = datetime(2025, 6, 1, 12, 0)


def _define(engine: Engine, key: str = "exp", **extra: object) -> None:
    data = {
        "key": key,
        "variants": [{"name": "control", "weight": 7}, {"name": "treat", "weight": 3}],
        "metric": "response_rate",
        **extra,
    }
    create_experiment(engine, build(data), now=NOW)


def test_bucket_is_the_documented_hash() -> None:
    digest = hashlib.sha256(b"salt:exp:c-42").digest()
    assert bucket("salt", "exp", "c-42") == int.from_bytes(digest[:8], "big") / 2**64


def test_assignment_is_sticky_and_follows_the_weights(engine: Engine) -> None:
    _define(engine)
    stored = get_experiment(engine, "exp")
    first = [choose_variant(stored, f"c{i}") for i in range(20000)]
    again = [choose_variant(stored, f"c{i}") for i in range(20000)]
    assert first == again
    treated = first.count("treat")
    # 30% by weight: a two-sided binomial test does not reject
    assert st.binomtest(treated, 20000, 0.3).pvalue > 0.001
    result = assign(engine, "exp", "c1", now=NOW)
    assert result.to_dict() == {
        "experiment": "exp",
        "customer": "c1",
        "variant": first[1],
        "contact_allowed": True,
        "reason": None,
    }
    assign(engine, "exp", "c1", now=NOW)
    with engine.connect() as conn:
        logged = conn.execute(select(Exposure.variant)).scalars().all()
    assert logged == [first[1], first[1]]


def test_rollout_stages_are_nested(engine: Engine) -> None:
    _define(engine)
    customers = [f"c{i}" for i in range(5000)]
    inside: dict[int, set[str]] = {}
    for stage in (20, 50):
        stored = set_status(engine, "exp", "rollout", stage=stage, winner="treat", now=NOW)
        inside[stage] = {c for c in customers if choose_variant(stored, c) == "treat"}
    done = set_status(engine, "exp", "done", stage=100, winner="treat", now=NOW)
    assert inside[20] < inside[50]
    assert abs(len(inside[20]) / 5000 - 0.2) < 0.02
    assert abs(len(inside[50]) / 5000 - 0.5) < 0.02
    assert all(choose_variant(done, c) == "treat" for c in customers[:200])
    halted = set_status(engine, "exp", "halted", now=NOW)
    assert all(choose_variant(halted, c) == "control" for c in customers[:200])


def test_the_contact_policy_is_honoured(engine: Engine) -> None:
    _define(engine, survey_type="nps")
    survey = create_survey(engine, name="nps", type="nps")
    with engine.begin() as conn:  # an NPS invitation a week ago: the shipped policy caps NPS
        conn.execute(
            insert(Invitation).values(
                survey_id=survey.id,
                survey="nps",
                survey_type="nps",
                customer_id="busy",
                mechanic="link",
                sent_at=NOW - timedelta(days=7),
                expires_at=NOW + timedelta(days=7),
                forced=False,
            )
        )
    policy = load_policy()
    refused = assign(engine, "exp", "busy", policy=policy, now=NOW)
    free = assign(engine, "exp", "free", policy=policy, now=NOW)
    assert not refused.contact_allowed and "contact policy" in (refused.reason or "")
    assert refused.variant == choose_variant(get_experiment(engine, "exp"), "busy")
    assert free.contact_allowed and free.reason is None
    with engine.connect() as conn:
        who = conn.execute(select(Exposure.customer_id)).scalars().all()
    assert who == ["free"]


def test_bad_requests_are_one_clear_error(engine: Engine) -> None:
    _define(engine)
    with pytest.raises(NotFoundError, match="no experiment 'nope'"):
        assign(engine, "nope", "c1")
    with pytest.raises(ConfigError, match="customer id"):
        assign(engine, "exp", "   ")
    with pytest.raises(ConfigError, match="exists already"):
        _define(engine)
    create_experiment(
        engine,
        build({"key": "d", "variants": [{"name": "a"}, {"name": "b"}], "metric": "nps"}),
        start=False,
    )
    with pytest.raises(ConfigError, match="draft"):
        assign(engine, "d", "c1")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Exposure)).scalar_one() == 0


def test_a_change_identified_by_segment_or_date(engine: Engine) -> None:
    from otklik.ledger import write_customers

    write_customers(
        engine,
        run_id=None,
        source="t",
        customers=[
            {"customer_id": "vip-1", "segment": "vip", "content_hash": "a"},
            {"customer_id": "mass-1", "content_hash": "b"},
        ],
    )
    create_experiment(
        engine,
        build(
            {
                "key": "seg",
                "kind": "change",
                "variants": [{"name": "others"}, {"name": "vip-desk", "segment": "vip"}],
                "metric": "nps",
            }
        ),
        now=NOW,
    )
    create_experiment(
        engine,
        build(
            {
                "key": "date",
                "variants": [{"name": "before"}, {"name": "new-ivr", "from_date": "2025-06-10"}],
                "metric": "repeat_rate",
            }
        ),
        now=NOW,
    )
    assert assign(engine, "seg", "vip-1", now=NOW).variant == "vip-desk"
    assert assign(engine, "seg", "mass-1", now=NOW).variant == "others"
    assert assign(engine, "date", "x", now=NOW).variant == "before"
    assert assign(engine, "date", "x", now=NOW + timedelta(days=9)).variant == "new-ivr"
    assert not get_experiment(engine, "seg").definition.randomised
    with pytest.raises(ConfigError, match="control is everyone else"):
        build(
            {
                "key": "b",
                "variants": [{"name": "a", "segment": "s"}, {"name": "c"}],
                "metric": "nps",
            }
        )
