"""The inbox's domain on SQLite and PostgreSQL: priority computed by hand from the seed rows,
combinable filters, bulk actions with one audit entry per case, zone refusal, the customer's
history."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from otklik.classify import current_labels
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import (
    Case,
    CaseEvent,
    Classification,
    FeedbackItem,
    write_customers,
    write_items,
)
from otklik.routing import (
    UNASSIGNED,
    CaseFilter,
    bulk_apply,
    bulk_targets,
    case_page,
    customer_history,
    get_case,
)

NOW = datetime(2025, 6, 1, 12, 0)

# external id → (score, scale, revenue, customer, incident, due in hours, status, team, channel)
SEED = {
    "a": (3, "nps", 150_000, None, "INC-7", -1, "open", "cards", "app"),
    "b": (8, "nps", None, "cust-b", None, 2, "open", "cards", "web"),
    "c": (5, "csat5", 1_000, None, False, 48, "open", "payments", "app"),
    "d": (1, "csat5", None, None, None, 3, "in_progress", "payments", "call"),
    "e": (None, None, 30_000, None, True, -3, "open", "cards", "chat"),
    "f": (0, "nps", None, None, None, -5, "closed", "cards", "app"),
}
# By hand, from the rules in otklik.routing.priority (score + value + SLA + incident):
PRIORITY = {
    "a": 35 + 20 + 30 + 15,  # detractor, ≥100 000, overdue, incident
    "b": 10 + 10 + 15 + 0,  # passive, customer's 40 000 ≥ 30 000, due in 2 h
    "c": 0 + 0 + 0 + 0,  # top box, small value, due in 48 h, incident false
    "d": 35 + 0 + 15 + 0,  # CSAT 1 is low, due in 3 h
    "e": 0 + 10 + 30 + 15,  # no score, 30 000, overdue, incident true
    "f": 35 + 0 + 0 + 0,  # closed: no SLA points
}
TYPES = {"a": "complaint", "b": "question", "c": "praise", "d": "complaint", "e": "complaint"}
TOPICS = {"a": ["cards.limits"], "b": ["app.login"], "d": ["payments"], "e": ["cards"]}


def _seed(engine: Engine) -> dict[str, int]:
    rows = []
    for key, (score, scale, revenue, customer, incident, _, _, team, channel) in SEED.items():
        attributes = {} if incident is None else {"incident": incident}
        rows.append(
            {
                "external_id": key,
                "kind": "survey",
                "channel": channel,
                "occurred_at": datetime(2025, 5, 1 + len(rows)),
                "score": score,
                "scale": scale,
                "revenue": revenue,
                "customer_id": customer or "cust-a",
                "text": f"item {key}: call me at +7 916 123-45-67",
                "owner_team": team,
                "attributes": attributes or None,
            }
        )
    write_items(engine, run_id=None, source="s", items=rows)
    write_customers(
        engine,
        run_id=None,
        source="crm",
        customers=[{"customer_id": "cust-b", "revenue": 40_000.0, "content_hash": "h"}],
    )
    cases: dict[str, int] = {}
    with engine.begin() as conn:
        ids = dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())
        for key, (_, _, _, _, _, hours, status, team, _) in SEED.items():
            result = conn.execute(
                insert(Case).values(
                    item_id=ids[key],
                    team=team,
                    status=status,
                    reason="detractor",
                    due_at=NOW + timedelta(hours=hours),
                    created_at=NOW - timedelta(days=1),
                    updated_at=NOW - timedelta(days=1),
                    closed_at=NOW if status == "closed" else None,
                    assignee="ann" if status == "in_progress" else None,
                )
            )
            assert result.inserted_primary_key is not None
            cases[key] = int(result.inserted_primary_key[0])
        conn.execute(
            insert(Classification),
            [
                {
                    "item_id": ids[key],
                    "origin": "machine",
                    "type": kind,
                    "topics": TOPICS.get(key, []),
                    "method": "rules",
                    "confidence": 0.9,
                    "created_at": NOW,
                }
                for key, kind in TYPES.items()
            ],
        )
    return cases


def _keys(cases: dict[str, int], found: list[dict[str, object]]) -> list[str]:
    back = {case_id: key for key, case_id in cases.items()}
    return [back[int(str(row["id"]))] for row in found]


def test_priority_order_and_parts_by_hand(engine: Engine) -> None:
    cases = _seed(engine)
    rows, total = case_page(engine, now=NOW)
    assert total == 5  # not closed
    assert _keys(cases, rows) == ["a", "e", "d", "b", "c"]
    assert {row["external_id"]: row["priority"] for row in rows} == {
        k: v for k, v in PRIORITY.items() if k != "f"
    }
    first = rows[0]
    assert (first["p_score"], first["p_value"], first["p_sla"], first["p_incident"]) == (
        35,
        20,
        30,
        15,
    )
    assert [row["sla"] for row in rows] == ["overdue", "overdue", "due_soon", "due_soon", "on_time"]
    # "b" and "f" tie at 35: the one due first (f, 5 hours overdue) comes first.
    everything, _ = case_page(engine, status="all", now=NOW)
    assert _keys(cases, everything) == ["a", "e", "d", "f", "b", "c"]
    assert get_case(engine, cases["b"], now=NOW)["customer_value"] == 40_000
    assert "+7 916" not in rows[0]["text"]  # masked as everywhere


def test_filters_combine(engine: Engine) -> None:
    cases = _seed(engine)

    def keys(**where: object) -> list[str]:
        rows, total = case_page(engine, where=CaseFilter.of(**where), now=NOW, limit=100)  # type: ignore[arg-type]
        assert total == len(rows)
        return sorted(_keys(cases, rows))

    assert keys(sla="overdue") == ["a", "e"]
    assert keys(sla=["due_soon", "on_time"]) == ["b", "c", "d"]
    assert keys(sla="overdue", channel="chat") == ["e"]
    assert keys(type="complaint") == ["a", "d", "e"]
    assert keys(type="complaint", team="payments") == ["d"]
    assert keys(topic="cards") == ["a", "e"]  # the parent takes cards.limits
    assert keys(topic="app.login", sla="due_soon") == ["b"]
    assert keys(assignee=UNASSIGNED) == ["a", "b", "c", "e"]
    assert keys(assignee="ann") == ["d"]
    assert keys(status="all", zone="cards") == ["a", "b", "e", "f"]
    assert keys(status="closed", sla="overdue") == []  # a closed case has no SLA state
    with pytest.raises(ConfigError, match="SLA state"):
        CaseFilter.of(sla="late")


def _events(engine: Engine, case_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)
            ).scalar_one()
        )


def test_bulk_assign_close_relabel_one_event_per_case(engine: Engine) -> None:
    cases = _seed(engine)
    chosen = [cases["a"], cases["b"], cases["f"]]
    result = bulk_apply(engine, "assign", chosen, actor="lead@x", assignee="bob", now=NOW)
    assert (result.changed, result.skipped) == (2, [cases["f"]])  # f is closed
    for key in ("a", "b"):
        case = get_case(engine, cases[key], now=NOW)
        assert (case["assignee"], case["status"]) == ("bob", "in_progress")
        assert [e["action"] for e in case["events"]] == ["assigned"]
        assert case["events"][0]["actor"] == "lead@x"
    assert _events(engine, cases["f"]) == 0

    overdue = bulk_targets(engine, where=CaseFilter.of(sla="overdue"), now=NOW)
    assert overdue == sorted([cases["a"], cases["e"]])
    closed = bulk_apply(engine, "close", overdue, actor="lead@x", note="called back", now=NOW)
    assert closed.changed == 2
    assert get_case(engine, cases["e"], now=NOW)["status"] == "closed"
    assert _events(engine, cases["a"]) == 2 and _events(engine, cases["e"]) == 1

    moved = bulk_apply(
        engine,
        "relabel",
        [cases["c"], cases["d"]],
        actor="lead@x",
        team="cards",
        topic="cards.limits",
        known_teams={"cards", "payments"},
        now=NOW,
    )
    assert moved.changed == 2
    case = get_case(engine, cases["d"], now=NOW)
    assert case["team"] == "cards" and case["events"][-1]["action"] == "relabelled"
    assert "payments → cards" in case["events"][-1]["note"]
    label = current_labels(engine, [case["item_id"]])[case["item_id"]]
    assert label["topics"] == ["cards.limits"] and label["method"] == "human"
    assert label["type"] == "complaint"  # the machine's type stays
    with pytest.raises(ConfigError, match="unknown team"):
        bulk_apply(engine, "relabel", [cases["c"]], actor="x", team="nope", known_teams={"cards"})
    with pytest.raises(ConfigError, match="note"):
        bulk_apply(engine, "close", [cases["c"]], actor="x")


def test_zone_refuses_foreign_ids_and_changes_nothing(engine: Engine) -> None:
    cases = _seed(engine)
    hostile = [cases["c"], cases["a"]]  # c is payments', a is cards'
    with pytest.raises(NotFoundError, match="nothing was changed"):
        bulk_apply(engine, "assign", hostile, actor="pay@x", assignee="p", zone="payments")
    with pytest.raises(NotFoundError):
        bulk_apply(engine, "close", [999_999], actor="pay@x", note="n", zone="payments")
    assert _events(engine, cases["c"]) == 0 and _events(engine, cases["a"]) == 0
    assert get_case(engine, cases["c"], now=NOW)["assignee"] is None
    # "All matching" in a zone is the zone's part of the filter only.
    mine = bulk_targets(engine, where=CaseFilter.of(status="all"), zone="payments", now=NOW)
    assert mine == sorted([cases["c"], cases["d"]])


def test_customer_history_masks_and_respects_zones(engine: Engine) -> None:
    _seed(engine)
    everything = customer_history(engine, "cust-a")
    assert everything["total"] == 5 and everything["hidden"] == 0
    assert [item["kind"] for item in everything["items"]] == ["survey"] * 5
    dates = [item["occurred_at"] for item in everything["items"]]
    assert dates == sorted(dates, reverse=True)
    assert all("+7 916" not in item["text"] for item in everything["items"])
    assert all(item["case_id"] is not None for item in everything["items"])
    payments = customer_history(engine, "cust-a", zone="payments")
    assert len(payments["items"]) == 2 and payments["hidden"] == 3
    assert {item["case_team"] for item in payments["items"]} == {"payments"}
    assert customer_history(engine, None) == {"items": [], "hidden": 0, "total": 0}
