"""Routing in a real store (SQLite and PostgreSQL): who owns what, which items become cases,
SLA due dates, the overdue filter and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from otklik.classify import (
    HumanLabel,
    classify_items,
    import_labels,
    load_taxonomy,
    relabel_item,
    write_human_labels,
)
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import Case, FeedbackItem, Team, write_items
from otklik.routing import (
    DEFAULT_TEAMS,
    actionable_reason,
    assign_case,
    classify_and_route,
    close_case,
    get_case,
    list_cases,
    load_teams,
    reopen_case,
    route_items,
    sync_teams,
)

NOW = datetime(2026, 1, 15, 9, 0)
SLA = {
    name: spec["sla_hours"]
    for name, spec in yaml.safe_load(DEFAULT_TEAMS.read_text(encoding="utf-8"))["teams"].items()
}


def _item(
    external_id: str,
    kind: str,
    text: str | None,
    score: float | None = None,
    scale: str | None = None,
    owner_team: str | None = None,
) -> dict[str, object]:
    return {
        "external_id": external_id,
        "kind": kind,
        "occurred_at": datetime(2025, 12, 1),
        "text": text,
        "score": score,
        "scale": scale,
        "owner_team": owner_team,
    }


ITEMS = [
    _item("login", "review", "Не могу войти в приложение, пишет ошибку", 1, "rating5"),
    _item("thanks", "survey", "Спасибо, всё отлично!", 10, "nps"),
    _item("quiet-detractor", "survey", None, 3, "nps"),
    _item("passive", "survey", "Нормально", 7, "nps"),
    _item("leaving", "exit", "Ухожу в другой банк, дорого"),
    _item("staff", "employee", "Ужасный график, всё плохо", 2, "nps"),
    _item("fees", "contact", "Опять списали комиссию за перевод, безобразие"),
    _item("owned", "contact", "Курьер опоздал, посылка разбита", owner_team="claims_desk"),
    _item("low-csat", "survey", "Долго ждал ответа в чате поддержки", 2, "csat5"),
    _item("ok-csat", "survey", "Нормально, без проблем", 3, "csat5"),
]


def _load(engine: Engine) -> dict[str, int]:
    write_items(engine, run_id=None, source="t", items=ITEMS)
    with engine.connect() as conn:
        return dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())


@pytest.mark.parametrize(
    ("kind", "type_", "score", "scale", "reason"),
    [
        ("survey", "praise", 6, "nps", "detractor"),
        ("survey", "praise", 7, "nps", None),
        ("survey", None, 2, "csat5", "low_csat"),
        ("survey", None, 3, "csat5", None),
        ("review", None, 2, "rating5", "low_rating"),
        ("survey", None, 4, "csat10", "low_csat"),
        ("survey", None, 2, "ces7", "high_effort"),
        ("survey", None, 3, "ces7", "high_effort"),  # negative in signals: a case too
        ("survey", None, 4, "ces7", None),
        ("survey", None, 5, "csat10", None),
        ("exit", "praise", None, None, "exit"),
        ("contact", "complaint", None, None, "complaint"),
        ("contact", "question", None, None, None),
        ("employee", "complaint", 0, "nps", None),
    ],
)
def test_what_is_actionable(
    kind: str, type_: str | None, score: float | None, scale: str | None, reason: str | None
) -> None:
    assert actionable_reason(kind=kind, type=type_, score=score, scale=scale) == reason


def test_cases_for_actionable_items_with_team_sla(engine: Engine) -> None:
    ids = _load(engine)
    report = classify_and_route(engine, now=NOW)
    cases = {row["external_id"]: row for row in list_cases(engine, status="all", now=NOW)}
    assert set(cases) == {"login", "quiet-detractor", "leaving", "fees", "owned", "low-csat"}
    assert report.cases_opened == 6
    expected = {
        "login": ("digital", "low_rating"),
        "quiet-detractor": ("cx", "detractor"),
        "leaving": ("pricing", "exit"),  # "дорого": the pricing topic
        "fees": ("payments", "complaint"),
        "owned": ("claims_desk", "complaint"),  # the import's owner wins over the topic's
        "low-csat": ("contact_center", "low_csat"),
    }
    for external_id, (team, reason) in expected.items():
        case = cases[external_id]
        assert (case["team"], case["reason"], case["status"]) == (team, reason, "open")
        hours = SLA.get(team, SLA["cx"])  # an unknown team gets the default team's SLA
        assert case["due_at"] == NOW + timedelta(hours=hours)
        assert case["item_id"] == ids[external_id]
    with engine.connect() as conn:
        teams = dict(conn.execute(select(Team.name, Team.sla_hours)).all())
    assert teams == SLA
    # routing again opens nothing twice; neither does reclassifying
    assert route_items(engine, load_teams(), now=NOW) == 0
    assert classify_and_route(engine, reclassify=True, now=NOW).cases_opened == 0


def test_a_human_complaint_label_opens_a_case(engine: Engine) -> None:
    ids = _load(engine)
    teams = load_teams()
    sync_teams(engine, teams)
    classify_items(engine)
    route_items(engine, teams, now=NOW)
    assert "passive" not in {c["external_id"] for c in list_cases(engine, now=NOW)}
    write_human_labels(
        engine, [HumanLabel(ids["passive"], type="complaint", topics=["cards"], owner_team="cards")]
    )
    assert route_items(engine, teams, [ids["passive"]], now=NOW) == 1
    case = list_cases(engine, team="cards", now=NOW)[0]
    assert case["external_id"] == "passive" and case["reason"] == "complaint"


def test_overdue_and_team_filters(engine: Engine) -> None:
    _load(engine)
    classify_and_route(engine, now=NOW)
    later = NOW + timedelta(hours=30)  # past digital's and contact_center's 24 h, not payments' 48
    overdue = {c["external_id"] for c in list_cases(engine, overdue=True, now=later)}
    assert overdue == {"login", "low-csat"}
    assert all(c["overdue"] for c in list_cases(engine, overdue=True, now=later))
    assert [c["external_id"] for c in list_cases(engine, team="payments", now=later)] == ["fees"]
    # most urgent first
    dues = [c["due_at"] for c in list_cases(engine, now=later)]
    assert dues == sorted(dues)
    with pytest.raises(ConfigError, match="unknown status"):
        list_cases(engine, status="pending")


def test_status_changes_leave_an_audit_trail(engine: Engine) -> None:
    _load(engine)
    classify_and_route(engine, now=NOW)
    case_id = list_cases(engine, team="payments", now=NOW)[0]["id"]
    t1, t2, t3 = NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW + timedelta(hours=3)
    assert assign_case(engine, case_id, "olga", actor="lead", now=t1)["status"] == "in_progress"
    closed = close_case(engine, case_id, note="refunded the fee", actor="olga", now=t2)
    assert (closed["status"], closed["closed_at"], closed["note"]) == (
        "closed",
        t2,
        "refunded the fee",
    )
    assert case_id not in [c["id"] for c in list_cases(engine, now=t2)]
    assert not list_cases(engine, status="closed", now=NOW + timedelta(days=30))[0]["overdue"]
    with pytest.raises(ConfigError, match="is closed; cannot closed"):
        close_case(engine, case_id, note="again", actor="olga")
    reopened = reopen_case(engine, case_id, note="customer wrote again", actor="lead", now=t3)
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    events = [
        (e["actor"], e["action"], e["from_status"], e["to_status"], e["note"])
        for e in get_case(engine, case_id)["events"]
    ]
    assert events == [
        ("otklik", "opened", None, "open", "complaint"),
        ("lead", "assigned", "open", "in_progress", "assigned to olga"),
        ("olga", "closed", "in_progress", "closed", "refunded the fee"),
        ("lead", "reopened", "closed", "open", "customer wrote again"),
    ]
    with pytest.raises(ConfigError, match="needs a note"):
        close_case(engine, case_id, note=" ", actor="olga")
    with pytest.raises(NotFoundError, match="no case 9999"):
        get_case(engine, 9999)
    with pytest.raises(NotFoundError):
        assign_case(engine, 9999, "x", actor="y")


def test_case_texts_are_masked(engine: Engine) -> None:
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            _item(
                "pii",
                "contact",
                "Ужасно! Перезвоните на +7 916 123-45-67, карта 4111 1111 1111 1111",
            )
        ],
    )
    classify_and_route(engine, now=NOW)
    case = list_cases(engine, now=NOW)[0]
    assert case["text"] == "Ужасно! Перезвоните на [PHONE], карта [CARD]"
    assert "+7 916" in get_case(engine, case["id"], show_pii=True)["text"]
    with engine.connect() as conn:
        assert conn.execute(select(Case.status)).scalar() == "open"


def test_items_get_their_owner_and_explicit_owners_stay(engine: Engine) -> None:
    ids = _load(engine)
    classify_and_route(engine, now=NOW)
    with engine.connect() as conn:
        owners = {
            row.id: (row.owner_team, row.owner_team_source)
            for row in conn.execute(
                select(FeedbackItem.id, FeedbackItem.owner_team, FeedbackItem.owner_team_source)
            )
        }
    assert owners[ids["owned"]] == ("claims_desk", None)  # from the import: untouched
    assert owners[ids["fees"]] == ("payments", "routing")
    assert owners[ids["thanks"]] == ("cx", "routing")  # no topic: the default team
    assert all(team is not None for team, _ in owners.values())  # every item has an owner
    # a human relabels the topic: the derived owner follows, the explicit one does not
    write_human_labels(
        engine,
        [
            HumanLabel(ids["fees"], topics=["cards"], owner_team="cards"),
            HumanLabel(ids["owned"], topics=["cards"], owner_team="cards"),
        ],
    )
    route_items(engine, load_teams(), [ids["fees"], ids["owned"]], now=NOW)
    with engine.connect() as conn:
        after = dict(conn.execute(select(FeedbackItem.id, FeedbackItem.owner_team)).all())
    assert after[ids["fees"]] == "cards" and after[ids["owned"]] == "claims_desk"


LATER = NOW + timedelta(hours=3)


def _events(engine: Engine, external_id: str, ids: dict[str, int]) -> list[dict[str, object]]:
    case = next(
        c for c in list_cases(engine, status="all", now=LATER) if c["item_id"] == ids[external_id]
    )
    return list(get_case(engine, int(case["id"]), now=LATER)["events"])


def _case(engine: Engine, external_id: str, ids: dict[str, int]) -> dict[str, object]:
    return next(
        c for c in list_cases(engine, status="all", now=LATER) if c["item_id"] == ids[external_id]
    )


def test_an_open_case_follows_a_human_relabel_to_the_new_team(
    engine: Engine, tmp_path: Path
) -> None:
    ids = _load(engine)
    classify_and_route(engine, now=NOW)
    teams = load_teams()
    taxonomy = load_taxonomy(None)
    # before: fees → payments, leaving → pricing, login → digital (all open)
    assert _case(engine, "fees", ids)["team"] == "payments"
    login = _case(engine, "login", ids)
    close_case(engine, int(login["id"]), note="password reset sent", actor="ops", now=NOW)

    # the item page's path (web.corrections.correct_item): relabel_item, then route_items
    relabel_item(engine, taxonomy, ids["fees"], topics=["cards.blocked"], labelled_by="ann@x")
    route_items(engine, teams, [ids["fees"]], now=LATER, actor="ann@x")
    fees = _case(engine, "fees", ids)
    assert (fees["team"], fees["status"]) == ("cards", "open")
    assert fees["due_at"] == NOW + timedelta(hours=SLA["payments"])  # the clock does not restart
    last = _events(engine, "fees", ids)[-1]
    assert (last["action"], last["actor"], last["from_status"], last["to_status"]) == (
        "relabelled",
        "ann@x",
        "open",
        "open",
    )
    assert str(last["note"]).startswith("team payments → cards: a human label")
    assert "cards.blocked" in str(last["note"])

    # `otklik label import`'s path: import_labels, then route_items over the labelled items
    sheet = tmp_path / "labels.csv"
    sheet.write_text(
        f"item_id,topic\n{ids['login']},delivery.late\n{ids['leaving']},delivery.late\n"
        f"{ids['fees']},cards.issue\n",
        encoding="utf-8",
    )
    report = import_labels(engine, sheet, taxonomy, labelled_by="bob@x")
    assert sorted(report.item_ids) == sorted([ids["login"], ids["leaving"], ids["fees"]])
    before = {name: len(_events(engine, name, ids)) for name in ("login", "fees")}
    route_items(engine, teams, report.item_ids, now=LATER)
    leaving = _case(engine, "leaving", ids)
    assert (leaving["team"], leaving["status"]) == ("logistics", "open")
    assert _events(engine, "leaving", ids)[-1]["note"] == (
        "team pricing → logistics: a human label moved the item to logistics "
        "(topics: delivery.late)"
    )
    # a closed case stays with the team that closed it; the item's owner still follows
    closed = _case(engine, "login", ids)
    assert (closed["team"], closed["status"]) == ("digital", "closed")
    assert len(_events(engine, "login", ids)) == before["login"]
    # a label that keeps the item in its team (cards.blocked → cards.issue) moves nothing
    assert _case(engine, "fees", ids)["team"] == "cards"
    assert len(_events(engine, "fees", ids)) == before["fees"]
    with engine.connect() as conn:
        owners = dict(conn.execute(select(FeedbackItem.id, FeedbackItem.owner_team)).all())
    assert (owners[ids["login"]], owners[ids["leaving"]], owners[ids["fees"]]) == (
        "logistics",
        "logistics",
        "cards",
    )
    # routing again moves nothing twice
    moved = len(_events(engine, "leaving", ids))
    route_items(engine, teams, now=LATER)
    assert len(_events(engine, "leaving", ids)) == moved
