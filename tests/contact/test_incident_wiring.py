"""The contact policy reads open incidents from the store (otklik.incidents): marketing waits
while an incident affects the customer's segment, or everyone when it names no customer field;
service messages and incident updates still pass; a resolved incident suppresses nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, insert

from otklik.contact import check_contact, load_contact_policy
from otklik.incidents import open_incident, resolve_incident
from otklik.ledger import Customer

NOON = datetime(2025, 11, 28, 9, 0)  # a fixed past day (times in the future are refused)


def _customers(engine: Engine) -> None:
    with engine.begin() as conn:
        for customer, region in (("c-msk", "Moscow"), ("c-spb", "Saint Petersburg")):
            conn.execute(
                insert(Customer).values(
                    customer_id=customer, source="t", content_hash=customer, region=region
                )
            )


def _may(engine: Engine, customer: str, type_: str, at: datetime) -> tuple[bool, str]:
    decision = check_contact(
        engine,
        load_contact_policy(),
        customer_id=customer,
        type_=type_,
        channel="email",
        now=at,
    )
    return decision.allowed, decision.reason


def test_open_incidents_in_the_store_suppress_marketing_in_their_segment(engine: Engine) -> None:
    _customers(engine)
    assert _may(engine, "c-msk", "marketing", NOON)[0] is True
    regional = open_incident(
        engine,
        title="Moscow branch network down",
        message_ru="Отделения в Москве не работают",
        message_en="Moscow branches are down",
        actor="lead@bank",
        started_at=NOON - timedelta(hours=2),
        scopes=[("region", "Moscow")],
        at=NOON - timedelta(hours=2),
    )
    allowed, reason = _may(engine, "c-msk", "marketing", NOON)
    assert allowed is False and "region=Moscow" in reason
    assert _may(engine, "c-spb", "marketing", NOON)[0] is True  # not their segment
    assert _may(engine, "c-msk", "incident_update", NOON)[0] is True  # always passes
    # Before the incident started, nothing was suppressed.
    assert _may(engine, "c-msk", "marketing", NOON - timedelta(hours=3))[0] is True

    # A login outage names a topic, not customers: it concerns everyone.
    outage = open_incident(
        engine,
        title="Login outage",
        message_ru="Не работает вход",
        message_en="Sign-in is down",
        actor="lead@bank",
        started_at=NOON - timedelta(hours=1),
        scopes=[("topic", "login")],
        at=NOON - timedelta(hours=1),
    )
    allowed, reason = _may(engine, "c-spb", "marketing", NOON)
    assert allowed is False and "all customers" in reason

    resolve_incident(
        engine,
        outage["id"],
        actor="lead@bank",
        resolution="fixed",
        resolved_at=NOON + timedelta(hours=1),
    )
    resolve_incident(
        engine,
        regional["id"],
        actor="lead@bank",
        resolution="fixed",
        resolved_at=NOON + timedelta(hours=1),
    )
    later = NOON + timedelta(hours=2)
    assert _may(engine, "c-spb", "marketing", later)[0] is True
    assert _may(engine, "c-msk", "marketing", later)[0] is True
