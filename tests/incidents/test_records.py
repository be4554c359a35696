"""Incident records on SQLite and PostgreSQL: promises kept with who and when, items linked,
the active feed at a moment and per zone, the public status, and the honest-ETA score."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.incidents import (
    Notifier,
    active_incidents,
    bad_rating_alerts,
    deliveries,
    eta_scores,
    get_incident,
    move_eta,
    open_incident,
    public_status,
    resolve_incident,
)
from otklik.ledger import Case, FeedbackItem, make_engine, upgrade, write_items
from tests.conftest import postgres_schema
from tests.incidents.servers import receiver
from tests.replies.servers import smtp_server

T0 = datetime(2025, 6, 9, 6, 0)


def _item(number: int, **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "external_id": f"i{number}",
        "kind": "contact",
        "channel": "app",
        "occurred_at": T0 + timedelta(hours=number),
        "customer_id": f"c{number}",
        "text": "cannot log in",
    }
    row.update(values)
    return row


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/otklik.db"
        made = make_engine(url)
        upgrade(made)
        yield made
        made.dispose()
        return
    with postgres_schema("inc") as url:
        made = make_engine(url)
        upgrade(made)
        yield made
        made.dispose()


def _open(engine: Engine, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": "Login outage",
        "message_ru": "Не входит в приложение",
        "message_en": "App sign-in fails",
        "actor": "ann",
        "started_at": T0,
        "eta_at": T0 + timedelta(hours=4),
        "owner_team": "digital",
        "scopes": [("channel", "app")],
        "at": T0 + timedelta(hours=1),
    }
    base.update(values)
    return open_incident(engine, **base)  # type: ignore[arg-type]


def test_lifecycle_links_items_and_keeps_every_promise(engine: Engine) -> None:
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[_item(0), _item(1), _item(2, channel="web"), _item(-3)],
    )
    opened = _open(engine, at=T0 + timedelta(hours=3))
    assert opened["items"] == 2  # two app items since the start; web and earlier ones not
    with engine.connect() as conn:
        attributes = conn.execute(
            select(FeedbackItem.attributes).where(FeedbackItem.external_id == "i1")
        ).scalar_one()
    assert attributes["incident"] == opened["id"]
    move_eta(
        engine, int(opened["id"]), T0 + timedelta(hours=9), actor="bob", at=T0 + timedelta(hours=5)
    )
    move_eta(
        engine, int(opened["id"]), T0 + timedelta(hours=12), actor="cy", at=T0 + timedelta(hours=8)
    )
    # At 09:30 the first promise held, at 12:00 the second (one move).
    early = active_incidents(engine, at=T0 + timedelta(hours=3, minutes=30))
    assert [(i.eta_at, i.eta_moves) for i in early] == [(T0 + timedelta(hours=4), 0)]
    middle = active_incidents(engine, at=T0 + timedelta(hours=6))
    assert middle[0].eta_at == T0 + timedelta(hours=9) and middle[0].eta_moves == 1
    assert middle[0].scopes == (("channel", "app"),)
    assert active_incidents(engine, at=T0 - timedelta(hours=1)) == []
    assert active_incidents(engine, at=T0 + timedelta(hours=1), team="cards") == []
    assert len(active_incidents(engine, at=T0 + timedelta(hours=1), team="digital")) == 1
    done = resolve_incident(
        engine,
        int(opened["id"]),
        actor="ann",
        resolution="rolled back",
        resolved_at=T0 + timedelta(hours=11),
    )
    shown = get_incident(engine, int(done["id"]))
    assert [e["set_by"] for e in shown["etas"]] == ["ann", "bob", "cy"]
    assert shown["eta_moves"] == 2 and shown["status"] == "resolved"
    assert active_incidents(engine, at=T0 + timedelta(hours=11, minutes=1)) == []
    with pytest.raises(ConfigError):
        move_eta(engine, int(opened["id"]), T0 + timedelta(hours=20), actor="x")


def test_an_eta_already_passed_when_given_is_refused(engine: Engine) -> None:
    at = T0 + timedelta(hours=6)
    with pytest.raises(ConfigError, match="has already passed"):
        _open(engine, eta_at=T0 + timedelta(hours=5), at=at)  # after the start, before now
    opened = _open(engine, eta_at=T0 + timedelta(hours=8), at=at)
    with pytest.raises(ConfigError, match="has already passed"):
        move_eta(
            engine,
            int(opened["id"]),
            T0 + timedelta(hours=7),
            actor="x",
            at=T0 + timedelta(hours=7, minutes=1),
        )
    moved = move_eta(engine, int(opened["id"]), T0 + timedelta(hours=9), actor="x", at=at)
    assert moved["eta_moves"] == 1


def test_times_of_what_already_happened_cannot_be_in_the_future(engine: Engine) -> None:
    from otklik.incidents._shared import utc_now

    later = utc_now() + timedelta(days=365)
    with pytest.raises(ConfigError, match=r"the start .* is in the future"):
        _open(engine, started_at=later, eta_at=later + timedelta(hours=1), at=None)
    with pytest.raises(ConfigError, match=r"the start .* is in the future"):
        _open(engine, started_at=T0 + timedelta(hours=2), at=T0 + timedelta(hours=1))
    opened = _open(engine)
    with pytest.raises(ConfigError, match=r"the resolution time .* is in the future"):
        resolve_incident(engine, int(opened["id"]), actor="x", resolution="", resolved_at=later)
    assert get_incident(engine, int(opened["id"]))["status"] == "open"


def test_public_status_never_shows_a_passed_eta_as_holding(engine: Engine) -> None:
    _open(engine)
    on_track = public_status(engine, language="en", at=T0 + timedelta(hours=2))
    assert on_track["incidents"][0]["eta_state"] == "on_track"
    assert on_track["incidents"][0]["message"] == "App sign-in fails"
    late = public_status(engine, language="ru", at=T0 + timedelta(hours=5))
    assert late["incidents"][0]["eta_state"] == "missed"
    assert late["incidents"][0]["message"] == "Не входит в приложение"
    text = json.dumps(late)
    assert "digital" not in text and "Login outage" not in text and "channel" not in text


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_honest_eta_score_and_the_inflation_guardrail(engine: Engine) -> None:
    # Team "digital": fix times 2, 4, 6 h against promises 3, 3, 8 h → kept 2 of 3.
    for day, (fix, promise) in enumerate(((2, 3), (4, 3), (6, 8))):
        start = T0 + timedelta(days=day)
        made = _open(
            engine, started_at=start, eta_at=start + timedelta(hours=promise), at=start, scopes=[]
        )
        resolve_incident(
            engine,
            int(made["id"]),
            actor="a",
            resolution="",
            resolved_at=start + timedelta(hours=fix),
        )
    # Team "cards" pads: usual fix 1 h, then promises 10 h eight times.
    for day in range(10):
        start = T0 + timedelta(days=10 + day)
        promise = 1 if day < 2 else 10
        made = _open(
            engine,
            owner_team="cards",
            started_at=start,
            eta_at=start + timedelta(hours=promise),
            at=start,
            scopes=[],
        )
        resolve_incident(
            engine,
            int(made["id"]),
            actor="a",
            resolution="",
            resolved_at=start + timedelta(hours=1),
        )
    scores = {s.team: s for s in eta_scores(engine)}
    digital = scores["digital"]
    assert (digital.n, digital.kept) == (3, 2)
    assert digital.kept_ci == pytest.approx(_wilson(2, 3))
    assert digital.median_overrun_h == pytest.approx(-1.0)  # overruns −1, +1, −2 h
    assert not digital.inflated
    cards = scores["cards"]
    assert cards.kept == 10
    # The 2nd incident's baseline is 1 h (the first), promise 1 h; then 10/1 eight times.
    assert cards.inflation == pytest.approx((1 + 8 * 10) / 9)
    assert cards.inflated
    assert scores["*"].n == 13


def test_notifications_signed_retried_logged(engine: Engine) -> None:
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            _item(1, kind="survey", scale="nps", score=3, revenue=250_000.0),
            _item(2, kind="survey", scale="nps", score=3, revenue=10.0),
            _item(3, kind="survey", scale="csat5", score=2, revenue=150_000.0),
        ],
    )
    with receiver([503, 200]) as hook, receiver() as telegram, smtp_server() as mail:
        settings = Settings(
            incident_webhook_url=hook.url + "/hook",
            incident_webhook_secret="s3cret",
            telegram_api_url=telegram.url,
            telegram_bot_token="123:abc",
            telegram_chat_id="-100",
            smtp_host="127.0.0.1",
            smtp_port=mail.port,
            smtp_from="otklik@example.org",
            incident_email_to=("ops@example.org",),
            notify_backoff_s=0.01,
        )
        waits: list[float] = []
        notifier = Notifier(engine, settings, sleep=waits.append)
        made = _open(engine, on_event=notifier)
        assert len(hook.requests) == 2  # 503, then delivered
        _path, headers, body = hook.requests[-1]
        stamp = headers["X-Otklik-Timestamp"]
        expected = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["X-Otklik-Signature"] == "sha256=" + expected
        assert (
            json.loads(body)["event"] == "opened" and json.loads(body)["data"]["id"] == made["id"]
        )
        assert waits == [0.01]
        assert telegram.requests[0][0] == "/bot123:abc/sendMessage"
        assert json.loads(telegram.requests[0][2])["chat_id"] == "-100"
        assert mail.messages and "Incident #" in str(mail.messages[0][2]["Subject"])
        alerted = bad_rating_alerts(engine, notifier, since=T0)
        assert len(alerted) == 2  # the 10-rouble customer is not alerted
        assert bad_rating_alerts(engine, notifier, since=T0) == []  # not twice
    log = deliveries(engine)
    webhook_opened = [r for r in log if r["event"] == "opened" and r["channel"] == "webhook"]
    assert sorted((r["attempt"], r["status"], r["http_status"]) for r in webhook_opened) == [
        (1, "failed", 503),
        (2, "sent", 200),
    ]
    assert {r["channel"] for r in log} == {"webhook", "telegram", "email"}


def test_cases_of_linked_items_point_to_the_incident(engine: Engine) -> None:
    from otklik.routing import get_case

    write_items(
        engine, run_id=None, source="t", items=[_item(1, kind="survey", scale="nps", score=1)]
    )
    made = _open(engine, eta_at=T0 + timedelta(hours=8), at=T0 + timedelta(hours=5))
    with engine.begin() as conn:
        item_id = conn.execute(select(FeedbackItem.id)).scalar_one()
        conn.execute(
            Case.__table__.insert().values(
                item_id=item_id,
                team="digital",
                status="open",
                reason="low_score",
                due_at=T0 + timedelta(days=1),
                created_at=T0,
                updated_at=T0,
            )
        )
    shown = get_incident(engine, int(made["id"]))
    assert [c["team"] for c in shown["cases"]] == ["digital"]
    case_id = shown["cases"][0]["id"]
    assert get_case(engine, case_id)["p_incident"] > 0


def test_topic_scope_links_and_bulk_answer_in_each_language(engine: Engine) -> None:
    from otklik.incidents import bulk_answer, detect_events, link_items, load_events
    from otklik.ledger import Classification

    people = [
        ("ru", {"email": "ivan@example.org", "first_name": "Иван"}),
        ("en", {"email": "jane@example.org", "first_name": "Jane"}),
        ("en", {"email": "other@example.org"}),
    ]
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            _item(n, language=lang, attributes=attrs, channel="web")
            for n, (lang, attrs) in enumerate(people)
        ],
    )
    with engine.begin() as conn:
        ids = list(conn.execute(select(FeedbackItem.id).order_by(FeedbackItem.id)).scalars())
        for item_id, topics in zip(
            ids, (["app.login"], ["app.login", "cards"], ["cards"]), strict=True
        ):
            conn.execute(
                Classification.__table__.insert().values(
                    item_id=item_id,
                    origin="human",
                    type="complaint",
                    topics=topics,
                    method="human",
                    created_at=T0,
                )
            )
            conn.execute(
                Case.__table__.insert().values(
                    item_id=item_id,
                    team="digital",
                    status="open",
                    reason="complaint",
                    due_at=T0 + timedelta(days=1),
                    created_at=T0,
                    updated_at=T0,
                )
            )
    events = load_events(engine, since=T0 - timedelta(days=1))
    assert sorted(events["topic"].map(tuple)) == [
        ("app.login",),
        ("app.login", "cards"),
        ("cards",),
    ]
    assert detect_events(events, since=T0) == []  # three items are no spike
    made = _open(
        engine,
        scopes=[("topic", "app.login")],
        eta_at=T0 + timedelta(hours=8),
        at=T0 + timedelta(hours=5),
    )
    assert made["items"] == 2
    assert link_items(engine, int(made["id"]), at=T0 + timedelta(hours=6)) == 0  # idempotent
    with engine.connect() as conn:
        kept = conn.execute(
            select(FeedbackItem.attributes).where(FeedbackItem.id == ids[0])
        ).scalar_one()
    assert kept["email"] == "ivan@example.org" and kept["incident"] == made["id"]
    with smtp_server() as mail:
        settings = Settings(
            smtp_host="127.0.0.1", smtp_port=mail.port, smtp_from="care@example.org"
        )
        tally = bulk_answer(engine, settings, int(made["id"]), actor="ann", channel="email")
    assert tally == {"sent": 2, "failed": 0}
    bodies = {m[1][0]: m[2].get_content() for m in mail.messages}
    assert "Не входит в приложение" in bodies["ivan@example.org"]
    assert "App sign-in fails" in bodies["jane@example.org"]


def test_after_import_links_detects_and_alerts_once_a_minute(engine: Engine) -> None:
    from otklik.incidents import AnswerWatch, after_import

    now = datetime.now(UTC).replace(tzinfo=None)
    made = _open(
        engine, started_at=now - timedelta(hours=2), eta_at=now + timedelta(hours=2), at=now
    )
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            _item(
                1,
                occurred_at=now - timedelta(minutes=5),
                kind="survey",
                scale="nps",
                score=0,
                revenue=500_000.0,
            ),
        ],
    )
    with receiver() as hook:
        off = Settings(incident_webhook_url=hook.url, incident_webhook_secret="k")
        assert after_import(engine, off) == {"detections": [], "linked": 1, "alerts": []}
        on = off.model_copy(update={"incidents_detect_on_import": True})
        watch = AnswerWatch(engine, on, background=False)
        watch()
        assert watch.last is not None and len(watch.last["alerts"]) == 1
        assert json.loads(hook.requests[0][2])["event"] == "bad_rating"
        first = watch.last
        watch()  # within the minute: not run again
        assert watch.last is first and len(hook.requests) == 1
    assert get_incident(engine, int(made["id"]))["items"] == 1
