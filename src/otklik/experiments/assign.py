"""Deterministic, sticky assignment of customers to variants, and the exposure log.

A customer's position is ``sha256(salt : key : customer)`` read as a number in [0, 1); the
variants own consecutive slices of [0, 1) in proportion to their weights. The same customer
therefore always gets the same variant, on any machine, without storing anything; changing
the salt reshuffles everyone (use a new salt for a new experiment on the same customers, so
one experiment's winners are not the next one's treatment group).

During a staged rollout a second, independent position decides who is in the winner's
``stage`` percent: a customer in the first 20% stays in at 50% and at 100%.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from otklik.errors import ConfigError
from otklik.experiments.contact import contact_refusal
from otklik.experiments.definitions import ExperimentDef
from otklik.experiments.registry import StoredExperiment, get_experiment, now_utc
from otklik.ledger.models import Customer
from otklik.ledger.models_experiments import Exposure
from otklik.surveys import Policy

__all__ = [
    "SOURCES",
    "Assignment",
    "assign",
    "bucket",
    "choose_variant",
    "log_exposure",
    "record_link_load",
    "variant_for",
]

SOURCES: tuple[str, ...] = ("api", "cli", "invitation", "widget", "store-prompt", "demo")


def bucket(salt: str, key: str, customer_id: str) -> float:
    """The customer's position in [0, 1) for this experiment."""
    digest = hashlib.sha256(f"{salt}:{key}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def choose_variant(
    stored: StoredExperiment,
    customer_id: str,
    *,
    segment: str | None = None,
    at: datetime | None = None,
) -> str:
    """The variant the customer sees now, given the experiment's status (``segment`` and
    ``at`` matter only to a variant identified by a segment or a date)."""
    definition = stored.definition
    salt = definition.salt or definition.key
    control = definition.control_name
    if stored.status in ("stopped", "halted", "draft"):
        return control
    if stored.status in ("rollout", "done"):
        winner = stored.winner or control
        stage = 100 if stored.status == "done" else (stored.rollout_stage or 0)
        inside = bucket(salt + ":rollout", definition.key, customer_id) * 100 < stage
        return winner if inside else control
    if not definition.randomised:
        for variant in definition.variants:
            if variant.segment is not None and segment == variant.segment:
                return variant.name
            if variant.from_date is not None and at is not None and at.date() >= variant.from_date:
                return variant.name
        return control
    return _by_weight(definition, bucket(salt, definition.key, customer_id))


def variant_for(engine: Engine, stored: StoredExperiment, customer_id: str, at: datetime) -> str:
    """:func:`choose_variant` with the customer's segment read from the store when a variant
    is identified by one."""
    segment = None
    if any(v.segment is not None for v in stored.definition.variants):
        with engine.connect() as conn:
            segment = conn.execute(
                select(Customer.segment).where(Customer.customer_id == customer_id)
            ).scalar()
    return choose_variant(stored, customer_id, segment=segment, at=at)


def _by_weight(definition: ExperimentDef, position: float) -> str:
    edge = 0.0
    for variant, weight in zip(definition.variants, definition.weights(), strict=True):
        edge += weight
        if position < edge:
            return variant.name
    return definition.variants[-1].name


@dataclass(frozen=True)
class Assignment:
    experiment: str
    customer: str
    variant: str
    contact_allowed: bool = True
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "customer": self.customer,
            "variant": self.variant,
            "contact_allowed": self.contact_allowed,
            "reason": self.reason,
        }


def _customer(value: str) -> str:
    customer = value.strip()
    if not customer or len(customer) > 200:
        raise ConfigError("a customer id of 1–200 characters is required")
    return customer


def assign(
    engine: Engine,
    key: str,
    customer_id: str,
    *,
    policy: Policy | None = None,
    source: str = "api",
    log: bool = True,
    now: datetime | None = None,
) -> Assignment:
    """The customer's variant, logged as an exposure. For a survey experiment
    (``survey_type`` set) with a ``policy``, a customer the contact policy refuses keeps their
    variant but is reported with ``contact_allowed: false`` and not logged as exposed."""
    customer = _customer(customer_id)
    stored = get_experiment(engine, key)
    if stored.status == "draft":
        raise ConfigError(f"experiment {key!r} is a draft; start it first")
    at = now or now_utc()
    variant = variant_for(engine, stored, customer, at)
    reason = None
    survey_type = stored.definition.survey_type
    with engine.begin() as conn:
        if policy is not None and survey_type is not None:
            reason = contact_refusal(
                conn, policy, customer_id=customer, survey_type=survey_type, now=at
            )
        if log and reason is None:
            conn.execute(
                insert(Exposure).values(
                    experiment=key,
                    customer_id=customer,
                    variant=variant,
                    source=source,
                    invitation_id=None,
                    at=at,
                )
            )
    return Assignment(key, customer, variant, reason is None, reason)


def log_exposure(
    engine: Engine,
    key: str,
    customer_id: str,
    variant: str,
    *,
    source: str,
    invitation_id: int | None = None,
    now: datetime | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Exposure).values(
                experiment=key,
                customer_id=customer_id,
                variant=variant,
                source=source,
                invitation_id=invitation_id,
                at=now or now_utc(),
            )
        )


def record_link_load(engine: Engine, invitation_id: int, *, now: datetime | None = None) -> int:
    """A widget (or link page) loaded an invitation: log a ``widget`` exposure for every
    experiment the invitation was sent in; returns how many were logged."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(Exposure.experiment, Exposure.customer_id, Exposure.variant)
            .where(Exposure.invitation_id == invitation_id, Exposure.source == "invitation")
            .distinct()
        ).all()
        for row in rows:
            conn.execute(
                insert(Exposure).values(
                    experiment=row.experiment,
                    customer_id=row.customer_id,
                    variant=row.variant,
                    source="widget",
                    invitation_id=invitation_id,
                    at=now or now_utc(),
                )
            )
    return len(rows)
