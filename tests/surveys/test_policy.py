"""The contact policy: caps per survey type, refusals with one-line reasons, --force, YAML."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from otklik.config import Settings
from otklik.errors import ConfigError, PolicyRefused
from otklik.surveys import DEFAULT_POLICY, Inviter, create_survey, load_policy

T0 = datetime(2026, 1, 5, 10, 0)


def test_the_default_policy_is_valid_and_documented() -> None:
    policy = load_policy()
    names = [rule.name for rule in policy.rules]
    assert names[:1] == ["one-survey-a-week"] and "one-nps-a-quarter" in names
    assert policy.horizon_days == 182
    assert DEFAULT_POLICY.name == "policy.yaml"


def test_a_weekly_csat_never_blocks_the_quarterly_nps(engine: Engine, inviter: Inviter) -> None:
    csat = create_survey(engine, name="after-payment", type="csat")
    nps = create_survey(engine, name="relationship", type="nps")
    nps_sent: list[datetime] = []
    refused_csat = 0
    for week in range(53):
        moment = T0 + timedelta(days=7 * week)
        if week % 13 == 1:  # the quarterly NPS, a day after that week's CSAT
            nps_sent.append(moment + timedelta(days=1))
            inviter.invite(survey_id=nps.id, customer_id="c-1", now=nps_sent[-1])
        try:
            inviter.invite(
                survey_id=csat.id,
                customer_id="c-1",
                transaction_id=f"payment-{week}",
                now=moment + timedelta(days=7),
            )
        except PolicyRefused as exc:
            # Only the week right after an NPS: the weekly cap counts every survey sent.
            assert exc.rule == "one-survey-a-week"
            assert any(
                timedelta(0) < moment + timedelta(days=7) - sent < timedelta(days=7)
                for sent in nps_sent
            )
            refused_csat += 1
    assert len(nps_sent) == 4 and refused_csat == 4
    with pytest.raises(PolicyRefused) as caught:  # but two NPS a quarter: no
        inviter.invite(survey_id=nps.id, customer_id="c-1", now=nps_sent[-1] + timedelta(days=30))
    message = str(caught.value)
    assert caught.value.rule == "one-nps-a-quarter" and "\n" not in message
    assert "customer c-1" in message and "allowed again from" in message and "--force" in message


def test_one_csat_per_transaction(engine: Engine, inviter: Inviter) -> None:
    csat = create_survey(engine, name="per-op", type="csat")
    inviter.invite(survey_id=csat.id, customer_id="c-2", transaction_id="op-1", now=T0)
    later = T0 + timedelta(days=8)
    with pytest.raises(PolicyRefused, match="for this transaction") as caught:
        inviter.invite(survey_id=csat.id, customer_id="c-2", transaction_id="op-1", now=later)
    assert caught.value.rule == "one-csat-per-transaction"
    inviter.invite(survey_id=csat.id, customer_id="c-2", transaction_id="op-2", now=later)
    # Another customer's transaction with the same id is theirs.
    inviter.invite(survey_id=csat.id, customer_id="c-3", transaction_id="op-1", now=later)


def test_refusals_and_forced_invitations_are_logged(engine: Engine, inviter: Inviter) -> None:
    nps = create_survey(engine, name="nps-log", type="nps")
    first = inviter.invite(survey_id=nps.id, customer_id="c-4", now=T0)
    assert not first.forced and first.broken_rules == ()
    with pytest.raises(PolicyRefused):
        inviter.invite(survey_id=nps.id, customer_id="c-4", now=T0 + timedelta(days=10))
    forced = inviter.invite(
        survey_id=nps.id, customer_id="c-4", now=T0 + timedelta(days=11), force=True
    )
    assert forced.forced and forced.broken_rules == ("one-nps-a-quarter",)
    with engine.connect() as conn:
        events = conn.execute(
            text("SELECT decision, rule, invitation_id FROM policy_events ORDER BY id")
        ).all()
        invitations = conn.execute(text("SELECT count(*) FROM invitations")).scalar_one()
    assert [tuple(e) for e in events] == [
        ("refused", "one-nps-a-quarter", None),
        ("forced", "one-nps-a-quarter", forced.id),
    ]
    assert invitations == 2


def test_bulk_reports_every_row(engine: Engine, inviter: Inviter) -> None:
    nps = create_survey(engine, name="bulk", type="nps")
    rows = [
        (2, {"customer_id": "a", "channel": "sms"}),
        (3, {"customer_id": "b", "channel": "E-mail"}),
        (4, {"customer_id": "a", "channel": "push"}),
        (5, {}),
        (6, {"customer_id": "c", "channel": "fax"}),
        (7, {"customer_id": "d", "expires_days": "400"}),
    ]
    results = inviter.invite_many(survey_id=nps.id, rows=rows, now=T0)
    assert [(r.row, r.status) for r in results] == [
        (2, "invited"),
        (3, "invited"),
        (4, "refused"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
    ]
    assert results[1].invitation is not None and results[1].invitation.channel == "email"
    assert results[2].rule == "one-nps-a-quarter"
    assert "customer id is required" in (results[3].reason or "")
    assert "unknown channel 'fax'" in (results[4].reason or "")
    assert "1–366" in (results[5].reason or "")


@pytest.mark.parametrize(
    ("text_", "message"),
    [
        (
            "rules:\n  - {name: a, applies_to: [sms], counts: [nps], max: 1, window_days: 7}\n",
            "unknown survey type 'sms'",
        ),
        (
            "rules:\n  - {name: a, applies_to: [nps], counts: [nps], max: 1}\n",
            "either window_days or per",
        ),
        (
            "rules:\n  - {name: a, applies_to: [nps], counts: [nps], max: 1, window_days: 7,"
            " per: transaction}\n",
            "either window_days or per",
        ),
        (
            "rules:\n  - {name: a, applies_to: [nps], counts: [nps], max: 0, window_days: 7}\n",
            "rules.0.max",
        ),
        (
            "rules:\n  - {name: a, applies_to: [nps], counts: [nps], max: 1, window_days: 7}\n"
            "  - {name: a, applies_to: [csat], counts: [csat], max: 1, window_days: 7}\n",
            "given twice",
        ),
        (
            "rules:\n  - {name: a, applies_to: [nps], counts: [nps], max: 1, window_days: 7,"
            " colour: red}\n",
            "colour",
        ),
        ("rules: [unclosed\n", "not valid YAML"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_bad_policy_is_refused_with_its_file(tmp_path: Path, text_: str, message: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text_, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


def test_a_policy_from_the_settings_replaces_the_default(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "strict.yaml"
    path.write_text(
        "version: 1\nrules:\n  - name: one-a-month\n    applies_to: [nps, csat]\n"
        "    counts: [nps, csat]\n    max: 1\n    window_days: 30\n",
        encoding="utf-8",
    )
    strict = Inviter.from_settings(engine, settings.model_copy(update={"survey_policy": path}))
    nps = create_survey(engine, name="strict-nps", type="nps")
    strict.invite(survey_id=nps.id, customer_id="c-5", now=T0)
    with pytest.raises(PolicyRefused, match="one-a-month"):
        strict.invite(survey_id=nps.id, customer_id="c-5", now=T0 + timedelta(days=29))
    strict.invite(survey_id=nps.id, customer_id="c-5", now=T0 + timedelta(days=31))
