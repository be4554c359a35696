"""The demo's conduct data: abusive customers flagged on arrival, the risk address, the
over-flagging operator visible against peers, and a second load that changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from otklik.conduct import active_risks, list_flags
from otklik.conduct.figures import agent_flag_rates
from otklik.demo.conduct import CONDUCT_SOURCE, RISK_ADDRESS, load_conduct_demo
from otklik.demo.generator import generate
from otklik.demo.load import load_demo
from otklik.ledger import ConductEvent, make_engine
from otklik.routing import classify_and_route


def test_conduct_demo(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    load_demo(engine, generate(6000, 7))
    classify_and_route(engine)
    load_conduct_demo(engine, 7)
    flagged = {f["external_id"] for f in list_flags(engine)}
    assert sum(e.startswith(CONDUCT_SOURCE) for e in flagged) == 13  # every planted message
    assert all(e.startswith(CONDUCT_SOURCE) for e in flagged)  # and nothing in ordinary text
    risks = {(r["kind"], r["value"]) for r in active_risks(engine)}
    assert ("address", "москва ул. складская 7") in risks
    rows = agent_flag_rates(engine, min_contacts=20)
    busiest = max(rows, key=lambda r: (r.contacts, r.agent))  # the demo's over-flagger
    assert [r.agent for r in rows if r.over_flagging] == [busiest.agent]
    peers = [r for r in rows if r.contacts >= 20 and r is not busiest]
    assert all(busiest.rate > r.rate for r in peers)
    with engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(ConductEvent)).scalar()
    load_conduct_demo(engine, 7)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ConductEvent)).scalar() == events
    engine.dispose()
    assert RISK_ADDRESS
