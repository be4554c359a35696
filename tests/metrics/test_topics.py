"""Topic analytics on a store whose every figure is worked out by hand (SQLite and PostgreSQL).

Expected values come from the seed below and the textbook formulas (Rocks's adjusted Wald
interval for NPS, Wilson for shares), computed here, not by otklik.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, insert, text

from otklik.classify import HumanLabel, MachineLabel, write_human_labels, write_machine_labels
from otklik.ledger import Invitation, Survey, write_items
from otklik.metrics import Period, compute, topic_ancestors, topic_report

Z = 1.959963984540054
TREE = ["app", "cards", "cards.block", "cards.reissue"]


def _item(external_id: str, month: int, **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "kind": fields.pop("kind", "survey"),
        "occurred_at": datetime(2025, month, 10, 12, 0),
        **fields,
    }


ITEMS = [
    _item("A", 3, score=10.0, scale="nps", channel="app", owner_team="cards"),
    _item("B", 3, score=3.0, scale="nps", channel="app", owner_team="cards"),
    _item("C", 3, score=9.0, scale="nps", channel="web", owner_team="digital"),
    _item("D", 3, score=0.0, scale="nps", channel="web", owner_team="digital"),
    _item("E", 3, score=5.0, scale="csat5", channel="web", owner_team="cards"),
    _item("F", 2, score=8.0, scale="nps", channel="app", owner_team="cards"),
    _item("G", 3, score=6.0, scale="nps", channel="app", owner_team="cards"),
    _item("H", 3, score=10.0, scale="nps", kind="employee", owner_team="cards"),
]
MACHINE = {
    "A": ["cards.block"],
    "B": ["cards.block", "cards.reissue"],
    "C": ["app"],
    "E": ["cards.reissue"],
    "F": ["cards"],
    "G": ["app"],  # relabelled by a person below: counts under cards.block only
    "H": ["cards"],
}
HUMAN = {"G": ["cards.block"]}


def _seed(engine: Engine) -> dict[str, int]:
    write_items(engine, run_id=None, source="t", items=ITEMS)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    write_machine_labels(
        engine,
        [
            MachineLabel(
                ids[key], "complaint", "negative", topics, {}, "ru", None, "rules", 0.9, {}
            )
            for key, topics in MACHINE.items()
        ],
    )
    write_human_labels(engine, [HumanLabel(ids[k], topics=v) for k, v in HUMAN.items()])
    now = datetime(2025, 3, 1)
    with engine.begin() as conn:
        survey = conn.execute(
            insert(Survey).values(
                name="s", type="nps", texts={}, reasons=None, active=True, created_at=now
            )
        ).inserted_primary_key
        assert survey is not None
        for key, mechanic in (("A", "popup"), ("B", "link")):
            conn.execute(
                insert(Invitation).values(
                    survey_id=survey[0],
                    survey="s",
                    survey_type="nps",
                    customer_id=key,
                    channel="app",
                    mechanic=mechanic,
                    sent_at=now,
                    expires_at=now,
                    forced=False,
                    item_id=ids[key],
                )
            )
    return ids


def _rocks(promoters: int, detractors: int, n: int) -> tuple[float, float, float]:
    value = 100 * (promoters - detractors) / n
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half = Z * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    low, high = max(-100, 100 * (p - d - half)), min(100, 100 * (p - d + half))
    return value, min(low, value), max(high, value)


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * (centre - half), 100 * (centre + half)


def _rows(report: Any) -> dict[tuple[str | None, str | None], Any]:
    return {(row.topic, row.segment): row for row in [*report.total, *report.rows]}


def test_ancestors() -> None:
    assert topic_ancestors("a.b.c") == ["a.b.c", "a.b", "a"]
    assert topic_ancestors("a") == ["a"]


def test_volume_share_nps_csat_per_topic(engine: Engine) -> None:
    _seed(engine)
    report = topic_report(engine, topics=TREE, period=Period.parse("2025-03"), months=2)
    rows = _rows(report)
    # March: A B C D E G H = 7 items
    assert rows[(None, None)].volume == 7
    cards = rows[("cards", None)]
    assert cards.volume == 5  # A B E G H: a parent counts each child's items once
    assert cards.share.value == 100 * 5 / 7
    assert (cards.share.ci_low, cards.share.ci_high) == _approx(_wilson(5, 7))
    # cards NPS: A 10, B 3, G 6 (H is an employee, E a CSAT answer): 1 promoter, 2 detractors
    value, low, high = _rocks(1, 2, 3)
    assert cards.metrics["nps"].n == 3
    assert cards.metrics["nps"].value == value
    assert (cards.metrics["nps"].ci_low, cards.metrics["nps"].ci_high) == _approx((low, high))
    assert cards.metrics["csat"].n == 1 and cards.metrics["csat"].value == 100.0
    assert rows[("cards.block", None)].volume == 3  # A B G (G relabelled by a person)
    assert rows[("app", None)].volume == 1  # C only
    reissue = rows[("cards.reissue", None)]
    assert reissue.volume == 2 and reissue.metrics["nps"].value == -100.0
    # the total is what otklik.metrics.compute says for the same days
    nps = compute("nps", engine, start=date(2025, 3, 1), end=date(2025, 4, 1))[0]
    assert rows[(None, None)].metrics["nps"].value == nps.value == 100 * (2 - 3) / 5
    # previous period and trend: F (February, a passive) under cards
    assert cards.previous_volume == 1
    assert [p.period for p in cards.trend] == [date(2025, 2, 1), date(2025, 3, 1)]
    assert [p.volume for p in cards.trend] == [1, 5]
    assert cards.trend[0].metrics["nps"].value == 0.0
    assert cards.changes["nps"] is not None
    assert cards.changes["nps"].verdict == "not_enough_data"
    assert [row.topic for row in report.rows] == TREE


def test_split_by_channel_and_mechanic(engine: Engine) -> None:
    _seed(engine)
    period = Period.parse("2025-03")
    rows = _rows(topic_report(engine, topics=TREE, period=period, split="channel", months=1))
    assert rows[("cards", "app")].volume == 3  # A B G
    assert rows[("cards", "app")].share.value == 100.0  # of the 3 app items
    assert rows[("cards", "web")].volume == 1  # E of C D E
    assert rows[("cards", "web")].share.value == 100 / 3
    assert rows[("cards", None)].volume == 1  # H has no channel
    mechanic = _rows(topic_report(engine, topics=TREE, period=period, split="mechanic"))
    assert mechanic[("cards.block", "popup")].volume == 1
    assert mechanic[("cards.block", "link")].volume == 1
    assert mechanic[("cards.block", None)].volume == 1


def test_zone_filter_limits_totals_and_shares(engine: Engine) -> None:
    _seed(engine)
    report = topic_report(
        engine,
        topics=TREE,
        period=Period.parse("2025-03"),
        filters={"owner_team": ["digital"]},
    )
    rows = _rows(report)
    assert rows[(None, None)].volume == 2  # C D
    assert rows[("app", None)].volume == 1
    assert rows[("app", None)].share.value == 50.0
    assert rows[("cards", None)].volume == 0


def test_significant_change(engine: Engine) -> None:
    items = [_item(f"p{i}", 2, score=10.0, scale="nps") for i in range(40)]
    items += [_item(f"d{i}", 3, score=0.0, scale="nps") for i in range(40)]
    write_items(engine, run_id=None, source="t", items=items)
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM feedback_items")).scalars())
    labels = [
        MachineLabel(i, "praise", "neutral", ["app"], {}, "ru", None, "rules", 1.0, {}) for i in ids
    ]
    write_machine_labels(engine, labels)
    report = topic_report(engine, topics=TREE, period=Period.parse("2025-03"))
    change = _rows(report)[("app", None)].changes["nps"]
    assert change is not None
    assert change.difference == -200.0
    assert change.verdict == "significant"
    assert report.to_dict()["topics"][0]["changes"]["nps"]["significant"] is True


def _approx(pair: tuple[float, float]) -> Any:
    import pytest

    return pytest.approx(pair, abs=1e-9)
