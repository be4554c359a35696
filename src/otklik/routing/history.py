"""The customer behind a case: every item they gave and every case opened for them.

Shown beside a case in the inbox, so an agent answers knowing the customer's last complaints
and what was promised. Texts are masked (:func:`otklik.classify.mask_pii`) and cut to a
preview; a team user sees only the items of their zone (owned by their team or with a case in
their queue) and a count of the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from otklik.classify.pii import mask_pii
from otklik.ledger import Case, FeedbackItem

__all__ = ["customer_history"]

_PREVIEW = 300


def customer_history(
    engine: Engine, customer_id: str | None, *, zone: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """``{"items": [...], "hidden": N, "total": M}``: the customer's items, newest first (at
    most ``limit``), each with its case (``case_id``, ``case_status``, ``case_team``, or None);
    ``hidden``: items outside ``zone``; ``total``: all the customer's items. No customer id:
    nothing."""
    if not customer_id:
        return {"items": [], "hidden": 0, "total": 0}
    mine = FeedbackItem.customer_id == customer_id
    visible = (
        mine
        if zone is None
        else and_(mine, or_(FeedbackItem.owner_team == zone, Case.team == zone))
    )
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.occurred_at,
            FeedbackItem.kind,
            FeedbackItem.channel,
            FeedbackItem.score,
            FeedbackItem.scale,
            FeedbackItem.text,
            FeedbackItem.owner_team,
            Case.id.label("case_id"),
            Case.status.label("case_status"),
            Case.team.label("case_team"),
        )
        .outerjoin(Case, Case.item_id == FeedbackItem.id)
        .where(visible)
        .order_by(FeedbackItem.occurred_at.desc(), FeedbackItem.id.desc())
        .limit(limit)
    )
    count = (
        select(func.count())
        .select_from(FeedbackItem)
        .outerjoin(Case, Case.item_id == FeedbackItem.id)
    )
    with engine.connect() as conn:
        items = [dict(row._mapping) for row in conn.execute(query)]
        total = int(conn.execute(count.where(mine)).scalar_one())
        shown = int(conn.execute(count.where(visible)).scalar_one())
    for item in items:
        text = mask_pii(item["text"] or "")
        item["text"] = text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"
    return {"items": items, "hidden": total - shown, "total": total}
