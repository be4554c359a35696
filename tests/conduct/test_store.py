"""The conduct ledger in a real store (SQLite and PostgreSQL): scanning, steps with skips and
expiring blocks, reversal, appeal as a case, automatic and manual risk flags, and the figures
for both sides checked against independent computations."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sqlalchemy import Engine, select

from otklik.conduct import (
    active_risks,
    appeal,
    apply_step,
    clear_risk,
    customer_status,
    list_flags,
    load_policy,
    review,
    review_queue,
    scan_items,
    set_risk,
)
from otklik.conduct.figures import agent_flag_rates, protection_figures
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, CaseEvent, FeedbackItem, write_items

NOW = datetime(2026, 3, 1, 12, 0)
POLICY = load_policy()


def _item(ext: str, text: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "external_id": ext,
        "kind": "contact",
        "occurred_at": datetime(2026, 2, 10),
        "text": text,
        "channel": "chat",
        "customer_id": "c1",
        "agent": "anna",
        "team": "t1",
        "owner_team": "cx",
    }
    row.update(extra)
    return row


def _ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())


@pytest.fixture
def loaded(engine: Engine) -> dict[str, int]:
    items = [
        _item(
            "abuse",
            "Вы там совсем охуели? Третий раз пишу",
            attributes={"recording_url": "https://rec.example/1", "address": "Москва, Ленина 1"},
        ),
        _item("threat", "Я тебя убью, если не вернёшь деньги", customer_id="c2"),
        _item("calm", "Ужасный сервис, верните деньги!"),
        _item("other-team", "Пиздец, а не сервис", owner_team="payments", customer_id="c3"),
    ]
    write_items(engine, run_id=None, source="t", items=items)
    return _ids(engine)


def test_scan_flags_and_json_shape(engine: Engine, loaded: dict[str, int]) -> None:
    report = scan_items(engine, now=NOW)
    assert (report.scanned, report.flagged_items) == (4, 3)
    flags = list_flags(engine)
    assert {f["external_id"] for f in flags} == {"abuse", "threat", "other-team"}
    first = next(f for f in flags if f["external_id"] == "abuse")
    assert set(first) == {"item_id", "external_id", "category", "confidence", "evidence"}
    assert first == {
        "item_id": loaded["abuse"],
        "external_id": "abuse",
        "category": "obscenity",
        "confidence": 0.97,
        "evidence": "о*****",
    }
    assert {f["external_id"] for f in list_flags(engine, zone="payments")} == {"other-team"}
    assert list_flags(engine, since=datetime(2026, 2, 11)) == []
    # Only new items the second time; --all looks at everything again.
    assert scan_items(engine, now=NOW).scanned == 0
    write_items(engine, run_id=None, source="t", items=[_item("new", "сука")])
    assert scan_items(engine, now=NOW).scanned == 1
    assert scan_items(engine, rescan=True, now=NOW).scanned == 5
    assert len(list_flags(engine)) == 4


def test_steps_skip_block_expiry_and_reversal(engine: Engine, loaded: dict[str, int]) -> None:
    scan_items(engine, now=NOW)
    events = apply_step(engine, POLICY, loaded["abuse"], "warning", by="anna", now=NOW)
    assert [e["step"] for e in events] == ["warning"]
    assert events[0]["recording_url"] == "https://rec.example/1"
    status = customer_status(engine, POLICY, "c1", now=NOW)
    assert (status.last_step, status.next_step, status.blocked_until) == ("warning", "end", None)

    # A threat skips to block and review (policy.skip.threat).
    events = apply_step(engine, POLICY, loaded["threat"], "warning", by="boris", now=NOW)
    assert [e["step"] for e in events] == ["warning", "block", "review"]
    until = NOW + timedelta(days=POLICY.block_days)
    assert events[1]["expires_at"] == until
    assert customer_status(engine, POLICY, "c2", now=NOW).blocked_until == until
    # The block ends by itself: nothing runs, the clock passes its expiry.
    later = until + timedelta(seconds=1)
    assert customer_status(engine, POLICY, "c2", now=later).blocked_until is None

    reversal = review(
        engine, POLICY, loaded["threat"], "reverse", by="sv", note="misheard", now=NOW
    )
    assert reversal["reverses"] == events[1]["id"] and reversal["step"] == "reverse"
    status = customer_status(engine, POLICY, "c2", now=NOW)
    assert status.blocked_until is None
    assert [s["step"] for s in status.steps] == ["warning", "block", "review", "reverse"]

    with pytest.raises(ConfigError, match="not in the conduct policy"):
        apply_step(engine, POLICY, loaded["abuse"], "banish", by="anna", now=NOW)
    with pytest.raises(NotFoundError):
        apply_step(engine, POLICY, 999_999, "warning", by="anna", now=NOW)
    with pytest.raises(NotFoundError):
        customer_status(engine, POLICY, "nobody")


def test_appeal_is_a_case_for_the_review_team(engine: Engine, loaded: dict[str, int]) -> None:
    scan_items(engine, now=NOW)
    apply_step(engine, POLICY, loaded["abuse"], "end", by="anna", now=NOW)
    case_id = appeal(engine, POLICY, loaded["abuse"], by="cc", note="я не ругался", now=NOW)
    with engine.connect() as conn:
        case = conn.execute(select(*Case.__table__.columns).where(Case.id == case_id)).one()
        actions = list(
            conn.execute(select(CaseEvent.action).where(CaseEvent.case_id == case_id)).scalars()
        )
    assert (case.item_id, case.team, case.status, case.reason) == (
        loaded["abuse"],
        POLICY.review_team,
        "open",
        "conduct_appeal",
    )
    assert actions == ["appeal"]
    # A second appeal on the same item reuses its case.
    assert appeal(engine, POLICY, loaded["abuse"], by="cc", now=NOW) == case_id
    assert [s["step"] for s in customer_status(engine, POLICY, "c1", now=NOW).steps] == [
        "end",
        "appeal",
        "appeal",
    ]


def test_risk_flags_automatic_and_by_hand(engine: Engine) -> None:
    address = {"address": "Тверь, Мира 5"}
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            _item(f"a{i}", "сука, где заказ", customer_id="bad", attributes=address)
            for i in range(3)
        ],
    )
    scan_items(engine, now=NOW)
    ids = sorted(_ids(engine).values())
    review(engine, POLICY, ids[0], "confirm", by="sv", now=NOW)
    assert active_risks(engine, now=NOW) == []
    review(engine, POLICY, ids[1], "confirm", by="sv", now=NOW)  # address_after: 2
    risks = active_risks(engine, now=NOW)
    assert [(r["kind"], r["value"]) for r in risks] == [("address", "тверь мира 5")]
    review(engine, POLICY, ids[2], "confirm", by="sv", now=NOW)  # customer_after: 3
    kinds = {(r["kind"], r["value"]) for r in active_risks(engine, now=NOW)}
    assert kinds == {("address", "тверь мира 5"), ("customer", "bad")}
    status = customer_status(engine, POLICY, "bad", now=NOW)
    assert status.confirmed == 3 and len(status.risks) == 1
    # Expiry and queue.
    expiry = NOW + timedelta(days=POLICY.risk.days)
    assert active_risks(engine, now=expiry + timedelta(seconds=1)) == []
    assert review_queue(engine, POLICY, now=NOW) == []  # all decided
    manual = set_risk(engine, "address", "Тверь,  Мира 7", reason="dog", by="sv", days=3, now=NOW)
    assert ("address", "тверь мира 7") in {
        (r["kind"], r["value"]) for r in active_risks(engine, now=NOW)
    }
    clear_risk(engine, manual, now=NOW)
    with pytest.raises(NotFoundError):
        clear_risk(engine, manual, now=NOW)
    with pytest.raises(ConfigError):
        set_risk(engine, "planet", "x", reason="", by="sv", days=None)


def test_over_flagging_operator_against_peers(engine: Engine) -> None:
    agents = ["a1", "a2", "a3", "a4", "a5", "over"]
    items = [
        _item(f"{a}-{i}", "Добрый день, где мой заказ?", agent=a, customer_id=f"{a}{i}")
        for a in agents
        for i in range(40)
    ]
    write_items(engine, run_id=None, source="t", items=items)
    ids = _ids(engine)
    reported = {"a1": 1, "a2": 2, "a3": 1, "a4": 2, "a5": 1, "over": 12}
    for agent, k in reported.items():
        for i in range(k):
            item = ids[f"{agent}-{i}"]
            apply_step(engine, POLICY, item, "end", by=agent, now=NOW)
            # Supervisors uphold the peers' flags, and reverse most of the over-flagger's.
            decision = "reverse" if agent == "over" and i >= 2 else "confirm"
            review(engine, POLICY, item, decision, by="sv", now=NOW)
    rows = {r.agent: r for r in agent_flag_rates(engine)}
    rates = np.array([reported[a] / 40 for a in agents])
    median = float(np.median(rates))
    mad = float(np.median(np.abs(rates - median)))
    pooled = sum(reported.values()) / (40 * len(agents))
    floor = math.sqrt(pooled * (1 - pooled) / 40)  # every agent has 40 contacts
    scale = max(1.4826 * mad, floor)
    assert rows["over"].rate == pytest.approx(12 / 40)
    assert rows["over"].rate_z == pytest.approx((12 / 40 - median) / scale)
    assert rows["over"].confirmed == 2 and rows["over"].reviewed == 12
    wilson = _wilson(2, 12)
    assert (rows["over"].confirmed_ci_low, rows["over"].confirmed_ci_high) == pytest.approx(wilson)
    assert [a for a, r in rows.items() if r.over_flagging] == ["over"]


def test_peer_z_is_finite_when_peers_flag_nobody(engine: Engine) -> None:
    """Four agents of five flagged nobody: the floor is the pooled rate's binomial error
    (4 flags / 200 contacts), not an agent's own error of ~0 (which gave z ≈ 600,000)."""
    agents = ["p1", "p2", "p3", "p4", "over"]
    items = [
        _item(f"{a}-{i}", "Добрый день, где мой заказ?", agent=a, customer_id=f"{a}{i}")
        for a in agents
        for i in range(40)
    ]
    write_items(engine, run_id=None, source="t", items=items)
    ids = _ids(engine)
    for i in range(4):
        apply_step(engine, POLICY, ids[f"over-{i}"], "end", by="over", now=NOW)
    rows = {r.agent: r for r in agent_flag_rates(engine)}
    # median 0, MAD 0; floor sqrt(0.02 * 0.98 / 40) = 0.0221359...; z = 0.1 / 0.0221359 = 4.5175
    assert rows["over"].rate_z == pytest.approx(0.1 / math.sqrt(0.02 * 0.98 / 40))
    assert rows["over"].rate_z == pytest.approx(4.5175, abs=1e-4)
    assert rows["p1"].rate_z == 0.0


def test_customer_status_confirmed_counts_only_the_zone(
    engine: Engine, loaded: dict[str, int]
) -> None:
    """A team user's view of a customer counts confirmed incidents in their zone only."""
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[_item("c3-cx", "Вы там совсем охуели?", customer_id="c3")],
    )
    ids = _ids(engine)
    scan_items(engine, now=NOW)
    for ext in ("other-team", "c3-cx"):
        apply_step(engine, POLICY, ids[ext], "warning", by="anna", now=NOW)
        review(engine, POLICY, ids[ext], "confirm", by="sv", now=NOW)
    assert customer_status(engine, POLICY, "c3", now=NOW).confirmed == 2
    payments = customer_status(engine, POLICY, "c3", zone="payments", now=NOW)
    assert (payments.incidents, payments.confirmed) == (1, 1)


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_protection_figures(engine: Engine) -> None:
    items = [
        _item(f"m{i}", "сука" if i < 3 else "спасибо", channel="chat", customer_id=f"x{i}")
        for i in range(50)
    ] + [
        _item(
            f"p{i}", "Я тебя убью" if i < 1 else "добрый день", channel="phone", customer_id=f"y{i}"
        )
        for i in range(20)
    ]
    write_items(engine, run_id=None, source="t", items=items)
    scan_items(engine, now=NOW)
    ids = _ids(engine)
    apply_step(engine, POLICY, ids["m0"], "warning", by="anna", now=NOW)
    review(engine, POLICY, ids["m0"], "confirm", by="sv", now=NOW + timedelta(hours=5))
    apply_step(engine, POLICY, ids["p0"], "end", by="anna", now=NOW)  # threat: + block, review
    review(engine, POLICY, ids["p0"], "reverse", by="sv", now=NOW + timedelta(hours=9))
    data = protection_figures(engine, POLICY, period="month")
    chat = next(r for r in data["rates"] if r["channel"] == "chat")
    assert (chat["contacts"], chat["abusive"], chat["per_1000"]) == (50, 3, 60.0)
    low, high = _wilson(3, 50)
    assert (chat["ci_low"], chat["ci_high"]) == pytest.approx((1000 * low, 1000 * high))
    assert data["handled"]["handled"] == 2 and data["handled"]["abusive_contacts"] == 4
    assert data["time_to_review_hours"]["median"] == pytest.approx(7.0)
    assert data["blocks"] == {"issued": 1, "reversed": 1}


def test_policy_problems_are_located(tmp_path: Path) -> None:
    text = load_policy().model_dump_json()
    assert "warning" in text
    bad = tmp_path / "policy.yaml"
    source = (
        Path(__file__).resolve().parents[2] / "src/otklik/conduct/data/policy.yaml"
    ).read_text(encoding="utf-8")
    bad.write_text(
        source.replace("    days: 14\n", "").replace("threat: [block, review]", "threat: [ban]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_policy(bad)
    message = str(caught.value)
    skip_line = next(
        n
        for n, line in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
        if "threat: [ban]" in line
    )
    assert f"{bad}:{skip_line}: skip.threat.0:" in message
    with pytest.raises(ConfigError, match="no such file"):
        load_policy(tmp_path / "missing.yaml")


def test_who_and_risk_values_are_checked_before_the_store(
    engine: Engine, loaded: dict[str, int]
) -> None:
    """PostgreSQL refused a 300-character actor with a traceback (varchar(200)); the limits
    now give one line, the same on every store."""
    long_name = "x" * 201
    with pytest.raises(ConfigError, match="--by: at most 200 characters, got 201"):
        apply_step(engine, POLICY, loaded["abuse"], "warning", by=long_name, now=NOW)
    with pytest.raises(ConfigError, match="--by: who takes the step must be named"):
        review(engine, POLICY, loaded["abuse"], "confirm", by=" ", now=NOW)
    with pytest.raises(ConfigError, match="--by: at most 200"):
        appeal(engine, POLICY, loaded["abuse"], by=long_name, now=NOW)
    with pytest.raises(ConfigError, match="--value: at most 400 characters, got 401"):
        set_risk(engine, "address", "y" * 401, reason="r", by="sv", days=1, now=NOW)
    with pytest.raises(ConfigError, match="--days: from 1 to 3650, got 99999999"):
        set_risk(engine, "customer", "c1", reason="r", by="sv", days=99_999_999, now=NOW)
    assert apply_step(engine, POLICY, loaded["abuse"], "warning", by="x" * 200, now=NOW)
