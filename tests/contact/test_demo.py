"""The demo's communications: written once, and the planted fatigue is what the report finds."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy.stats import chi2
from sqlalchemy import Engine

from otklik.contact import BINS, fatigue, latest_sent_at, trends
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


def test_trend_equals_n_r_squared_over_messages(engine: Engine) -> None:
    load_contact_demo(engine, generate(2000, seed=7))
    until = latest_sent_at(engine)
    assert until is not None
    rows = fatigue(engine, since=until - timedelta(days=150), until=until)
    found = {(t.type, t.channel, t.rate): t for t in trends(rows)}
    order = [label for label, _, _ in BINS]
    for rate in ("response", "opt_out"):
        mine = [r for r in rows if r.type == "marketing" and r.channel == "all"]
        # Independent route: one (bin position, 0/1) pair per message, Pearson r by numpy.
        x = np.concatenate([np.full(r.n, order.index(r.bin)) for r in mine])
        hits = [r.answered if rate == "response" else r.opted_out for r in mine]
        y = np.concatenate(
            [np.r_[np.ones(k), np.zeros(r.n - k)] for r, k in zip(mine, hits, strict=True)]
        )
        r_xy = np.corrcoef(x, y)[0, 1]
        statistic = len(x) * r_xy**2
        got = found[("marketing", "all", rate)]
        assert got.n == len(x)
        assert got.z is not None and got.z**2 == pytest.approx(statistic, rel=1e-9)
        assert np.sign(got.z) == np.sign(r_xy)
        assert got.p_value == pytest.approx(chi2.sf(statistic, 1), rel=1e-6)
    assert found[("marketing", "all", "response")].z < -3  # the planted fall
