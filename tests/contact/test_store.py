"""The policy against a real store (SQLite and PostgreSQL): atomic slots under real threads,
imports with row errors, fatigue against an independent count, survey invitations."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scipy.stats import binomtest
from sqlalchemy import Engine, func, insert, select

from otklik.config import Settings
from otklik.contact import (
    check_contact,
    fatigue,
    import_communications,
    load_contact_policy,
    opt_out,
    parse_contact_policy,
    record_communication,
)
from otklik.errors import PolicyRefused
from otklik.ledger import Case, Communication, Customer, FeedbackItem, make_engine
from otklik.surveys import Inviter, create_survey

NOON = datetime(2026, 11, 30, 9, 0)  # 12:00 in Moscow
TWO_A_DAY = parse_contact_policy(
    "version: 1\ntimezone: UTC\ncaps:\n  - name: two-a-day\n    types: [marketing]\n"
    "    max: 2\n    window_hours: 24\n"
)[0]


def test_two_senders_at_once_cannot_both_take_one_slot(engine: Engine) -> None:
    assert TWO_A_DAY is not None
    senders = 8
    gate = threading.Barrier(senders)
    answers: list[bool] = []
    lock = threading.Lock()

    def send() -> None:
        gate.wait()
        decision = check_contact(
            engine,
            TWO_A_DAY,
            customer_id="c-race",
            type_="marketing",
            channel="sms",
            now=NOON,
            record=True,
        )
        with lock:
            answers.append(decision.allowed)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [False] * (senders - 2) + [True] * 2
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(Communication)).scalar()
    assert stored == 2


def _send_from_a_process(url: str, gate: object, answers: object) -> None:
    engine = make_engine(url)
    assert TWO_A_DAY is not None
    gate.wait()  # type: ignore[attr-defined]
    decision = check_contact(
        engine,
        TWO_A_DAY,
        customer_id="c-proc",
        type_="marketing",
        channel="push",
        now=NOON,
        record=True,
    )
    answers.put(decision.allowed)  # type: ignore[attr-defined]
    engine.dispose()


@pytest.mark.slow  # spawning processes that import otklik: ~30 s per store on 2 cores
def test_senders_in_separate_processes_share_the_slots(store_url: str, engine: Engine) -> None:
    context = multiprocessing.get_context("spawn")
    senders = 4
    gate, answers = context.Barrier(senders), context.Queue()
    workers = [
        context.Process(target=_send_from_a_process, args=(store_url, gate, answers))
        for _ in range(senders)
    ]
    for worker in workers:
        worker.start()
    got = sorted(answers.get(timeout=120) for _ in range(senders))
    for worker in workers:
        worker.join(timeout=30)
    assert got == [False, False, True, True]


def test_suppression_and_incident_source_and_opt_out(engine: Engine) -> None:
    policy = load_contact_policy()
    with engine.begin() as conn:
        conn.execute(
            insert(Customer).values(
                customer_id="c-msk",
                source="t",
                content_hash="x",
                region="Moscow",
                attributes={"tz": "Asia/Jakarta"},
            )
        )
    outage = {"count": 0}

    def moscow_outage(_engine: Engine, at: datetime) -> list[tuple[str, str]]:
        outage["count"] += 1
        return [("region", "Moscow")]

    got = check_contact(
        engine,
        policy,
        customer_id="c-msk",
        type_="marketing",
        channel="email",
        now=NOON,
        incidents=moscow_outage,
    )
    assert got.allowed is False and "region=Moscow" in got.reason and outage["count"] == 1
    # Quiet hours in the customer's own zone: 16:00 UTC is 23:00 in Jakarta.
    late = check_contact(
        engine,
        policy,
        customer_id="c-msk",
        type_="service",
        channel="sms",
        now=datetime(2026, 11, 30, 16, 0),
    )
    assert late.allowed is False and "Asia/Jakarta" in late.reason
    opt_out(engine, customer_id="c-msk", channel="email", at=NOON - timedelta(hours=1))
    assert not check_contact(
        engine, policy, customer_id="c-msk", type_="reply", channel="email", now=NOON
    ).allowed
    # An open complaint case suppresses marketing to that customer.
    with engine.begin() as conn:
        item = conn.execute(
            insert(FeedbackItem).values(
                source="t",
                kind="contact",
                external_id="i1",
                occurred_at=NOON - timedelta(days=1),
                customer_id="c-open",
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(Case).values(
                item_id=item,
                team="cx",
                status="open",
                reason="complaint",
                due_at=NOON,
                created_at=NOON - timedelta(days=1),
                updated_at=NOON - timedelta(days=1),
            )
        )
    refused = check_contact(
        engine, policy, customer_id="c-open", type_="marketing", channel="push", now=NOON
    )
    assert refused.allowed is False and "open complaint" in refused.reason


def test_import_reports_bad_rows_and_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "sent.csv"
    path.write_text(
        "customer_id;channel;type;sent_at;outcome\n"
        "c1;sms;marketing;2026-11-01 10:00;delivered\n"
        "c1;email;marketing;2026-11-02 10:00;unsubscribed\n"
        "c2;fax;service;2026-11-02 10:00;\n"
        "c3;sms;promo;2026-11-02 10:00;\n"
        "c4;sms;service;yesterday-ish;\n"
        "c5;sms;service;2026-11-02 10:00;lost\n"
        ";sms;service;2026-11-02 10:00;\n",
        encoding="cp1251",
    )
    result = import_communications(engine, path)
    assert (result.rows, result.imported, result.duplicates, result.opt_outs) == (7, 2, 0, 1)
    where = [(e.line, e.field) for e in result.errors]
    assert where == [
        (4, "channel"),
        (5, "type"),
        (6, "sent_at"),
        (7, "outcome"),
        (8, "customer_id"),
    ]
    again = import_communications(engine, path)
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 2)
    later = tmp_path / "later.csv"
    later.write_text(
        "customer_id,channel,type,sent_at,outcome\nc1,sms,marketing,2026-11-01 10:00,answered\n",
        encoding="utf-8",
    )
    assert import_communications(engine, later).updated == 1
    with engine.connect() as conn:
        outcomes = sorted(conn.execute(select(Communication.outcome)).scalars())
    assert outcomes == ["answered", "unsubscribed"]
    policy = load_contact_policy()
    refused = check_contact(
        engine, policy, customer_id="c1", type_="marketing", channel="email", now=NOON
    )
    assert refused.reason.startswith("opt_out:")


def test_fatigue_matches_an_independent_count(engine: Engine) -> None:
    # Customer a: 4 marketing SMS a week apart; b: one. Earlier messages in 30 days before
    # each of a's: 0, 1, 2, 3 → bins 0, 1, 2, 3-4; b's single one is bin 0.
    start = datetime(2026, 10, 1, 10, 0)
    for week, outcome in enumerate(["answered", "answered", None, "unsubscribed"]):
        record_communication(
            engine,
            customer_id="a",
            type_="marketing",
            channel="sms",
            sent_at=start + timedelta(days=7 * week),
            outcome=outcome,
        )
    record_communication(
        engine,
        customer_id="b",
        type_="marketing",
        channel="sms",
        sent_at=start,
        outcome="answered",
    )
    rows = {
        (r.channel, r.bin): r.to_dict()
        for r in fatigue(engine, since=start, until=start + timedelta(days=60))
    }
    assert rows[("sms", "0")]["n"] == 2 and rows[("sms", "0")]["answered"] == 2
    assert rows[("sms", "3-4")]["opted_out"] == 1 and rows[("sms", "3-4")]["n"] == 1
    assert rows[("all", "1")]["n"] == 1 and rows[("all", "2")]["answered"] == 0
    ci = binomtest(2, 2).proportion_ci(method="wilson")
    got = rows[("sms", "0")]["response"]
    assert got["rate"] == 1.0
    assert got["ci_low"] == pytest.approx(ci.low) and got["ci_high"] == pytest.approx(ci.high)


def test_survey_invitations_go_through_the_same_policy(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", secret_key="s" * 48)
    inviter = Inviter.from_settings(engine, settings)
    survey = create_survey(engine, name="after-payment", type="csat")
    # Opted out the day before: the check at NOON must not depend on the wall clock.
    opt_out(
        engine, customer_id="c-out", type_="survey_invitation", at=NOON - timedelta(days=1)
    )
    with pytest.raises(PolicyRefused, match="opt_out") as refused:
        inviter.invite(survey_id=survey.id, customer_id="c-out", channel="sms", now=NOON)
    assert refused.value.rule == "opt_out"
    # Three non-urgent messages this week (service notices) fill the cross-type cap.
    for days in (1, 2, 3):
        record_communication(
            engine,
            customer_id="c-busy",
            type_="service",
            channel="email",
            sent_at=NOON - timedelta(days=days),
        )
    with pytest.raises(PolicyRefused, match="three-messages-a-week"):
        inviter.invite(survey_id=survey.id, customer_id="c-busy", channel="sms", now=NOON)
    forced = inviter.invite(
        survey_id=survey.id, customer_id="c-busy", channel="sms", now=NOON, force=True
    )
    assert forced.forced and forced.broken_rules == ("three-messages-a-week",)
    # The invitation counts against the caps of every other sender.
    policy = load_contact_policy()
    for days in (1, 2):
        record_communication(
            engine,
            customer_id="c-new",
            type_="service",
            channel="email",
            sent_at=NOON - timedelta(days=days),
        )
    inviter.invite(survey_id=survey.id, customer_id="c-new", channel="sms", now=NOON)
    later = check_contact(
        engine,
        policy,
        customer_id="c-new",
        type_="service",
        channel="email",
        now=NOON + timedelta(hours=1),
    )
    assert later.allowed is False and "three-messages-a-week" in later.reason
