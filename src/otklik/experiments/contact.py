"""The one place experiments ask the contact policy whether a customer may be contacted.

A survey experiment must not become a way around the frequency caps: a customer the policy
would refuse is told so, and no exposure is logged for them. (A unified policy across
surveys, mailings and prompts may replace :mod:`otklik.surveys.policy`; only this module
would change.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from otklik.surveys import Policy, sent_before

__all__ = ["contact_refusal"]


def contact_refusal(
    conn: Connection,
    policy: Policy,
    *,
    customer_id: str,
    survey_type: str,
    now: datetime,
) -> str | None:
    """Why the policy refuses a ``survey_type`` invitation to the customer now, or None."""
    sent = sent_before(
        conn,
        customer_id=customer_id,
        now=now,
        horizon_days=policy.horizon_days,
        transaction_id=None,
    )
    broken = policy.check(survey_type=survey_type, transaction_id=None, now=now, sent=sent)
    return broken[0].reason(customer_id) if broken else None
