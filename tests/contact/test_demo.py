"""The demo's communications: written once, and the planted fatigue is what the report finds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from otklik.contact import fatigue, latest_sent_at
from otklik.demo.contact import load_contact_demo
from otklik.demo.generator import generate


def test_demo_messages_show_fatigue(engine: Engine) -> None:
    data = generate(2000, seed=7)
    written = load_contact_demo(engine, data)
    assert written > 5000
    assert load_contact_demo(engine, data) == 0
    until = latest_sent_at(engine)
    assert until is not None
    rows = {
        (r.type, r.channel, r.bin): r.to_dict()
        for r in fatigue(engine, since=until - timedelta(days=150), until=until)
    }
    fresh, tired = rows[("marketing", "all", "0")], rows[("marketing", "all", "8+")]
    # Planted: answers fall ~12% per earlier message, opt-outs rise; the intervals separate.
    assert fresh["response"]["ci_low"] > tired["response"]["ci_high"]
    assert tired["opt_out"]["ci_low"] > fresh["opt_out"]["rate"]
