"""Survey invitations sent inside an experiment: the variant decides the mechanic (and the
channel, when it names one), and the invitation is logged as the customer's exposure, so
``response_rate`` and the scores are read per variant and the widget load is traced back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from otklik.errors import ConfigError
from otklik.experiments.assign import log_exposure, variant_for
from otklik.experiments.registry import get_experiment, now_utc
from otklik.surveys import Inviter, InviteResult

__all__ = ["invite_in_experiment"]


def invite_in_experiment(
    engine: Engine,
    inviter: Inviter,
    key: str,
    *,
    survey_id: int,
    customer_id: str,
    channel: str | None = None,
    transaction_id: str | None = None,
    operation_at: datetime | None = None,
    force: bool = False,
    now: datetime | None = None,
) -> tuple[str, InviteResult]:
    """Invite the customer with their variant's mechanic; the contact policy applies as for
    any invitation (:class:`~otklik.errors.PolicyRefused`, nothing logged)."""
    stored = get_experiment(engine, key)
    if stored.status == "draft":
        raise ConfigError(f"experiment {key!r} is a draft; start it first")
    customer = customer_id.strip()
    variant_name = variant_for(engine, stored, customer, now or now_utc())
    variant = stored.definition.variant(variant_name)
    result = inviter.invite(
        survey_id=survey_id,
        customer_id=customer,
        channel=variant.channel or channel,
        mechanic=variant.mechanic,
        transaction_id=transaction_id,
        operation_at=operation_at,
        force=force,
        now=now,
    )
    log_exposure(
        engine,
        key,
        result.customer_id,
        variant_name,
        source="invitation",
        invitation_id=result.id,
        now=result.sent_at,
    )
    return variant_name, result
