"""The policy's decisions, worked out by hand: opt-outs, priorities, suppression, quiet hours in
the customer's zone, yields and caps with the moment each would let the message through."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from otklik.contact import (
    ContactPolicy,
    Facts,
    Message,
    decide,
    load_contact_policy,
    parse_contact_policy,
)
from otklik.errors import ConfigError

POLICY = load_contact_policy()  # the shipped one: Moscow, quiet 21–09, caps 3/week, 1 mkt/day
NOON = datetime(2026, 11, 30, 9, 0)  # 12:00 in Moscow


def _d(type_: str, channel: str = "sms", at: datetime = NOON, **facts: object) -> dict[str, object]:
    return decide(POLICY, type_=type_, channel=channel, now=at, facts=Facts(**facts)).to_dict()  # type: ignore[arg-type]


def test_a_first_message_passes() -> None:
    assert _d("marketing", zone="Europe/Moscow") == {
        "allowed": True,
        "reason": "ok: within the contact policy",
        "next_allowed_at": None,
    }


def test_opt_out_beats_everything_even_an_incident_update() -> None:
    got = _d("incident_update", opt_outs=[("sms", None)], zone="UTC")
    assert got["allowed"] is False and got["reason"].startswith("opt_out:")
    assert got["next_allowed_at"] is None
    assert _d("incident_update", "email", opt_outs=[("sms", None)])["allowed"] is True
    assert _d("marketing", "email", opt_outs=[(None, "marketing")])["allowed"] is False
    assert _d("service", "email", opt_outs=[(None, "marketing")])["allowed"] is True


def test_incident_updates_and_replies_always_pass() -> None:
    busy = [Message("marketing", "sms", NOON - timedelta(hours=h)) for h in (1, 2, 3, 4)]
    midnight = datetime(2026, 11, 30, 21, 0)  # 00:00 in Moscow
    for kind in ("incident_update", "reply"):
        got = _d(kind, at=midnight, history=busy, open_complaint=True, zone="Europe/Moscow")
        assert got == {
            "allowed": True,
            "reason": f"priority: {kind} always passes",
            "next_allowed_at": None,
        }


def test_marketing_is_suppressed_by_an_open_complaint_or_incident() -> None:
    got = _d("marketing", open_complaint=True)
    assert got["allowed"] is False and "open complaint" in got["reason"]
    got = _d("marketing", open_incident="region=Moscow")
    assert got["allowed"] is False and "region=Moscow" in got["reason"]
    assert _d("service", open_complaint=True, open_incident="region=Moscow")["allowed"] is True


def test_quiet_hours_are_the_customers_own() -> None:
    # 19:00 UTC is 22:00 in Moscow (quiet until 09:00 Moscow = 06:00 UTC next day) but 02:00
    # next day in Jakarta (quiet until 09:00 Jakarta = 02:00 UTC).
    at = datetime(2026, 11, 30, 19, 0)
    moscow = _d("marketing", at=at, zone="Europe/Moscow")
    assert moscow["allowed"] is False and moscow["reason"].startswith("quiet_hours:")
    assert moscow["next_allowed_at"] == "2026-12-01T06:00:00Z"
    jakarta = _d("marketing", at=at, zone="Asia/Jakarta")
    assert jakarta["next_allowed_at"] == "2026-12-01T02:00:00Z"
    assert _d("marketing", "email", at=at, zone="Europe/Moscow")["allowed"] is True
    assert _d("survey_invitation", at=at, zone="Europe/Moscow")["allowed"] is True


def test_marketing_yields_to_service_for_a_day() -> None:
    service = [Message("service", "email", NOON - timedelta(hours=5))]
    got = _d("marketing", "email", history=service, zone="Europe/Moscow")
    assert got["allowed"] is False and got["reason"].startswith("yield:")
    assert got["next_allowed_at"] == "2026-12-01T04:00:00Z"  # 09:00 + 24 h − 5 h


def test_caps_and_when_they_free_up() -> None:
    # Three non-urgent messages in the week: the oldest (6 days ago) leaves the window first.
    history = [
        Message("service", "email", NOON - timedelta(days=6)),
        Message("survey_invitation", "push", NOON - timedelta(days=4)),
        Message("service", "email", NOON - timedelta(days=2)),
    ]
    got = _d("survey_invitation", "email", history=history, zone="Europe/Moscow")
    assert got["allowed"] is False and "three-messages-a-week" in got["reason"]
    assert got["next_allowed_at"] == "2026-12-01T09:00:00Z"
    # Per-channel cap: two marketing SMS in 30 days block a third SMS, not an e-mail.
    mkt = [Message("marketing", "sms", NOON - timedelta(days=d)) for d in (10, 20)]
    sms = _d("marketing", "sms", history=mkt, zone="Europe/Moscow")
    assert "two-marketing-a-month-per-channel" in sms["reason"]
    assert sms["next_allowed_at"] == "2026-12-10T09:00:00Z"  # 20 days ago + 30 days
    assert _d("marketing", "email", history=mkt, zone="Europe/Moscow")["allowed"] is True


def test_next_allowed_at_clears_every_rule_not_just_the_first() -> None:
    # The daily marketing cap frees at 20:00 UTC = 23:00 Moscow: inside quiet hours, so the
    # first moment both allow is 09:00 Moscow the next morning (06:00 UTC).
    history = [Message("marketing", "sms", datetime(2026, 11, 30, 20, 0) - timedelta(days=1))]
    got = _d(
        "marketing", "sms", at=datetime(2026, 11, 30, 10, 0), history=history, zone="Europe/Moscow"
    )
    assert got["reason"].startswith("cap one-marketing-a-day")
    assert got["next_allowed_at"] == "2026-12-01T06:00:00Z"


def test_a_wrong_policy_names_its_lines(tmp_path: Path) -> None:
    text = (
        "version: 1\n"
        "caps:\n"
        "  - name: a\n"
        "    types: [marketing]\n"
        "    max: 1\n"
        "    window_days: 1\n"
        "  - name: a\n"
        "    types: [markting]\n"
        "    max: 0\n"
        "    window_days: 1\n"
    )
    policy, issues = parse_contact_policy(text, "p.yaml")
    assert policy is None
    shown = [str(issue) for issue in issues]
    assert any(s.startswith("p.yaml:8:") and "did you mean 'marketing'" in s for s in shown)
    assert any(s.startswith("p.yaml:9:") for s in shown)
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nquiet_hours:\n  - start: 25:99\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_contact_policy(path)
    assert isinstance(POLICY, ContactPolicy)


@pytest.mark.parametrize("text", ["", "\n", "# nothing but a comment\n"])
def test_an_empty_policy_file_is_refused(text: str) -> None:
    """The file replaces the shipped policy as a whole: an empty one would drop every cap and
    quiet hour without a word (the web editor saved blank, a truncated copy)."""
    policy, issues = parse_contact_policy(text, "p.yaml")
    assert policy is None
    assert [str(issue) for issue in issues] == [
        "p.yaml:1: (top): the policy is empty (no caps, no quiet hours): write its rules "
        "(docs/contact-policy.md) or unset OTKLIK_CONTACT_POLICY"
    ]
    # a file that says anything at all is read as written (here: the defaults, on purpose)
    policy, issues = parse_contact_policy("version: 1\n", "p.yaml")
    assert policy is not None and issues == []
