"""The conduct ledger: scanning items, policy steps as audited events, appeals, risk flags.

Every write is an insert (events are never edited): a reversal is an event that names the step it
undoes; a block's end is its ``expires_at`` compared with the clock (no job needed); a risk flag
ends at its expiry or when cleared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update

from otklik.conduct.detect import Flag, Lexicon, detect, mask, model_flags
from otklik.conduct.policy import ConductPolicy
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import (
    Case,
    CaseEvent,
    ConductEvent,
    ConductFlag,
    ConductRisk,
    ConductScan,
    FeedbackItem,
)

__all__ = [
    "ACTIONS",
    "RECORDING_KEYS",
    "CustomerStatus",
    "ScanReport",
    "active_risks",
    "address_of",
    "appeal",
    "apply_step",
    "badges",
    "clear_risk",
    "customer_status",
    "item_events",
    "item_flags",
    "item_owner",
    "items_flags",
    "list_flags",
    "now_utc",
    "review",
    "review_queue",
    "scan_items",
    "set_risk",
]

ACTIONS: tuple[str, ...] = ("warning", "end", "block", "review")
# Where an item's attributes may carry a link to the call recording or the chat transcript.
RECORDING_KEYS: tuple[str, ...] = ("recording_url", "transcript_url", "recording", "url")
ADDRESS_KEYS: tuple[str, ...] = ("address", "delivery_address", "location")
_CHUNK = 2000
_MEMO_SIZE = 200_000  # texts a scan_items memo holds before it is emptied


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ScanReport:
    scanned: int
    flagged_items: int
    flags: int


def _replace_flags(conn: Any, found: Sequence[tuple[int, Sequence[Flag]]], at: datetime) -> None:
    """Replace the flags of these items: one DELETE per chunk of items and one batched INSERT
    (one statement per chunk, not two per item)."""
    for offset in range(0, len(found), _CHUNK):
        chunk = found[offset : offset + _CHUNK]
        conn.execute(
            delete(ConductFlag).where(ConductFlag.item_id.in_(bindparam("ids", expanding=True))),
            {"ids": [item_id for item_id, _flags in chunk]},
        )
    rows = [
        {
            "item_id": item_id,
            "category": f.category,
            "rule": f.rule,
            "evidence": f.evidence,
            "start": f.start,
            "end": f.end,
            "confidence": f.confidence,
            "detected_at": at,
        }
        for item_id, flags in found
        for f in flags
    ]
    if rows:
        conn.execute(insert(ConductFlag), rows)


def scan_items(
    engine: Engine,
    item_ids: Sequence[int] | None = None,
    *,
    rescan: bool = False,
    lexicon: Lexicon | None = None,
    model: Any = None,
    now: datetime | None = None,
    memo: dict[str, Any] | None = None,
) -> ScanReport:
    """Check items' texts for abuse and store the flags (an item's old flags are replaced).

    ``item_ids``: exactly these items (the classification hook, items on arrival). Otherwise the
    items after the last scan, or every item with ``rescan``. With a trained ``model``
    (otklik.conduct.model), texts the rules find clean get the model's flag when it is sure.

    ``memo`` (text → flags, one dict per run, given by the caller): each distinct text is
    checked once; the check is a function of the text, the lexicon and the model, so pass one
    memo only to calls with the same lexicon and model.
    """
    at = now or now_utc()
    with engine.begin() as conn:
        query = select(FeedbackItem.id, FeedbackItem.text).order_by(FeedbackItem.id)
        if item_ids is not None:
            query = query.where(FeedbackItem.id.in_(list(item_ids)))
        elif not rescan:
            last = conn.execute(select(func.max(ConductScan.last_item_id))).scalar()
            if last is not None:
                query = query.where(FeedbackItem.id > last)
        scanned = flagged = n_flags = 0
        last_id = 0
        replaced: list[tuple[int, Sequence[Flag]]] = []
        for row in conn.execute(query).all():
            scanned += 1
            last_id = max(last_id, row.id)
            flags = memo.get(row.text) if memo is not None else None
            if flags is None:
                flags = detect(row.text, lexicon)
                if not flags and model is not None:
                    flags = model_flags(model, row.text)
                if memo is not None:
                    if len(memo) >= _MEMO_SIZE:
                        memo.clear()
                    memo[row.text] = flags
            if flags or rescan or item_ids is not None:
                replaced.append((row.id, flags))
            if flags:
                flagged += 1
                n_flags += len(flags)
        _replace_flags(conn, replaced, at)
        if item_ids is None:
            previous = conn.execute(select(func.max(ConductScan.last_item_id))).scalar() or 0
            conn.execute(
                insert(ConductScan).values(
                    at=at,
                    last_item_id=max(previous, last_id),
                    scanned=scanned,
                    flagged=flagged,
                )
            )
    return ScanReport(scanned, flagged, n_flags)


def _zone(query: Any, zone: str | None) -> Any:
    return query if zone is None else query.where(FeedbackItem.owner_team == zone)


def list_flags(
    engine: Engine,
    *,
    since: datetime | None = None,
    zone: str | None = None,
    min_confidence: float = 0.0,
    masked: bool = True,
) -> list[dict[str, Any]]:
    """Every stored flag (newest items first): item_id, external_id, category, confidence,
    evidence (masked unless ``masked=False``)."""
    query = (
        select(
            ConductFlag.item_id,
            FeedbackItem.external_id,
            ConductFlag.category,
            ConductFlag.confidence,
            ConductFlag.evidence,
        )
        .join(FeedbackItem, FeedbackItem.id == ConductFlag.item_id)
        .where(ConductFlag.confidence >= min_confidence)
        .order_by(FeedbackItem.occurred_at.desc(), ConductFlag.item_id, ConductFlag.start)
    )
    if since is not None:
        query = query.where(FeedbackItem.occurred_at >= since)
    with engine.connect() as conn:
        rows = conn.execute(_zone(query, zone)).all()
    return [
        {
            "item_id": r.item_id,
            "external_id": r.external_id,
            "category": r.category,
            "confidence": r.confidence,
            "evidence": mask(r.evidence) if masked else r.evidence,
        }
        for r in rows
    ]


def item_flags(engine: Engine, item_id: int) -> list[dict[str, Any]]:
    return items_flags(engine, [item_id]).get(item_id, [])


def items_flags(engine: Engine, item_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """:func:`item_flags` of several items in one query (a page of the queue), by item id."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not item_ids:
        return found
    with engine.connect() as conn:
        rows = conn.execute(
            select(*ConductFlag.__table__.columns)
            .where(ConductFlag.item_id.in_(list(item_ids)))
            .order_by(ConductFlag.item_id, ConductFlag.start, ConductFlag.id)
        ).all()
    for f in rows:
        found.setdefault(f.item_id, []).append(
            {
                "category": f.category,
                "rule": f.rule,
                "evidence": f.evidence,
                "start": f.start,
                "end": f.end,
                "confidence": f.confidence,
            }
        )
    return found


def _item(conn: Any, item_id: int) -> Any:
    row = conn.execute(
        select(
            FeedbackItem.id,
            FeedbackItem.customer_id,
            FeedbackItem.attributes,
            FeedbackItem.owner_team,
            FeedbackItem.agent,
        ).where(FeedbackItem.id == item_id)
    ).first()
    if row is None:
        raise NotFoundError(f"item {item_id} does not exist")
    return row


def _recording(attributes: dict[str, Any] | None) -> str | None:
    for key in RECORDING_KEYS:
        value = (attributes or {}).get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def address_of(attributes: dict[str, Any] | None) -> str | None:
    """The item's address or location (a courier's "risk area"), normalised for matching."""
    for key in ADDRESS_KEYS:
        value = (attributes or {}).get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.lower().replace(",", " ").split())
    return None


def _event_row(ev: Any) -> dict[str, Any]:
    return dict(ev)


def _top_category(conn: Any, item_id: int, min_confidence: float) -> str | None:
    row = conn.execute(
        select(ConductFlag.category)
        .where(ConductFlag.item_id == item_id, ConductFlag.confidence >= min_confidence)
        .order_by(ConductFlag.confidence.desc())
    ).first()
    return row[0] if row else None


def _categories(conn: Any, item_id: int, min_confidence: float) -> set[str]:
    return set(
        conn.execute(
            select(ConductFlag.category).where(
                ConductFlag.item_id == item_id, ConductFlag.confidence >= min_confidence
            )
        ).scalars()
    )


_ACTOR_MAX = 200  # conduct_events.actor, conduct_risks.set_by
_RISK_VALUE_MAX = 400  # conduct_risks.value
_RISK_DAYS_MAX = 3650  # ten years (the API's limit too)


def _who(by: str) -> str:
    """Who the audit trail names: required, at most 200 characters (the column's width)."""
    name = by.strip()
    if not name:
        raise ConfigError("--by: who takes the step must be named")
    if len(name) > _ACTOR_MAX:
        raise ConfigError(f"--by: at most {_ACTOR_MAX} characters, got {len(name)}")
    return name


def apply_step(
    engine: Engine,
    policy: ConductPolicy,
    item_id: int,
    step: str,
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Record a policy step on an item; categories that skip steps add their steps too
    (a threat: block and review). Returns the events written."""
    if policy.step(step) is None:
        known = ", ".join(policy.step_ids)
        raise ConfigError(f"step {step!r} is not in the conduct policy (steps: {known})")
    by = _who(by)
    at = now or now_utc()
    with engine.begin() as conn:
        item = _item(conn, item_id)
        categories = _categories(conn, item_id, policy.min_confidence)
        category = _top_category(conn, item_id, policy.min_confidence)
        steps = [step]
        for cat in sorted(categories):
            for extra in policy.skip.get(cat, []):  # type: ignore[call-overload]
                if extra not in steps:
                    steps.append(extra)
                    category = cat
        rows = []
        for s in steps:
            expires = at + timedelta(days=policy.block_days) if s == "block" else None
            values = {
                "item_id": item_id,
                "customer_id": item.customer_id,
                "step": s,
                "at": at,
                "actor": by,
                "note": note,
                "category": category,
                "recording_url": _recording(item.attributes),
                "expires_at": expires,
                "reverses": None,
                "case_id": None,
            }
            new_id = conn.execute(insert(ConductEvent).values(**values)).inserted_primary_key
            rows.append({"id": new_id[0] if new_id else None, **values})
    return rows


def review(
    engine: Engine,
    policy: ConductPolicy,
    item_id: int,
    decision: str,
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A supervisor confirms the item's steps, or reverses the latest one still in force
    (the reversal is an event naming the step it undoes). A confirmation may set risk flags."""
    if decision not in {"confirm", "reverse"}:
        raise ConfigError(f"decision {decision!r}: use confirm or reverse")
    by = _who(by)
    at = now or now_utc()
    with engine.begin() as conn:
        item = _item(conn, item_id)
        events = [
            _event_row(e)
            for e in conn.execute(
                select(*ConductEvent.__table__.columns)
                .where(ConductEvent.item_id == item_id)
                .order_by(ConductEvent.at, ConductEvent.id)
            ).mappings()
        ]
        reversed_ids = {e["reverses"] for e in events if e["step"] == "reverse"}
        standing = [
            e for e in events if e["step"] in {*ACTIONS, "report"} and e["id"] not in reversed_ids
        ]
        target = None
        if decision == "reverse":
            if not standing:
                raise NotFoundError(f"item {item_id} has no step in force to reverse")
            blocks = [e for e in standing if e["step"] == "block"]
            target = (blocks or standing)[-1]["id"]
        values = {
            "item_id": item_id,
            "customer_id": item.customer_id,
            "step": decision,
            "at": at,
            "actor": by,
            "note": note,
            "category": _top_category(conn, item_id, policy.min_confidence),
            "recording_url": _recording(item.attributes),
            "expires_at": None,
            "reverses": target,
            "case_id": None,
        }
        new_id = conn.execute(insert(ConductEvent).values(**values)).inserted_primary_key
        if decision == "confirm":
            _auto_risks(conn, policy, item, by, at)
    return {"id": new_id[0] if new_id else None, **values}


def _confirmed_items(
    conn: Any, zone: str | None = None
) -> dict[int, tuple[str | None, dict[str, Any] | None]]:
    """Items whose incident a supervisor confirmed (latest decision confirm); with a ``zone``,
    only that team's items."""
    query = (
        select(
            ConductEvent.item_id,
            ConductEvent.step,
            FeedbackItem.customer_id,
            FeedbackItem.attributes,
        )
        .join(FeedbackItem, FeedbackItem.id == ConductEvent.item_id)
        .where(ConductEvent.step.in_(["confirm", "reverse"]))
        .order_by(ConductEvent.at, ConductEvent.id)
    )
    rows = conn.execute(_zone(query, zone)).all()
    latest: dict[int, tuple[str, str | None, dict[str, Any] | None]] = {}
    for r in rows:
        latest[r.item_id] = (r.step, r.customer_id, r.attributes)
    return {k: (v[1], v[2]) for k, v in latest.items() if v[0] == "confirm"}


def _auto_risks(conn: Any, policy: ConductPolicy, item: Any, by: str, at: datetime) -> None:
    confirmed = _confirmed_items(conn)
    address = address_of(item.attributes)
    checks = []
    if item.customer_id:
        n = sum(1 for c, _ in confirmed.values() if c == item.customer_id)
        checks.append(("customer", item.customer_id, n, policy.risk.customer_after))
    if address:
        n = sum(1 for _, a in confirmed.values() if address_of(a) == address)
        checks.append(("address", address, n, policy.risk.address_after))
    for kind, value, n, threshold in checks:
        if n >= threshold and not _active(conn, kind, [value], at):
            conn.execute(
                insert(ConductRisk).values(
                    kind=kind,
                    value=value,
                    reason=f"auto: {n} confirmed incidents (policy: {threshold})",
                    set_by="policy",
                    set_at=at,
                    expires_at=at + timedelta(days=policy.risk.days),
                    cleared_at=None,
                )
            )


def _active(conn: Any, kind: str | None, values: Sequence[str] | None, at: datetime) -> list[Any]:
    query = select(*ConductRisk.__table__.columns).where(
        ConductRisk.cleared_at.is_(None),
        (ConductRisk.expires_at.is_(None)) | (ConductRisk.expires_at > at),
    )
    if kind is not None:
        query = query.where(ConductRisk.kind == kind)
    if values is not None:
        query = query.where(ConductRisk.value.in_(list(values)))
    return list(conn.execute(query.order_by(ConductRisk.set_at)).all())


def active_risks(
    engine: Engine,
    *,
    kind: str | None = None,
    values: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Risk flags in force (not cleared, not expired)."""
    with engine.connect() as conn:
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "value": r.value,
                "reason": r.reason,
                "set_by": r.set_by,
                "set_at": r.set_at,
                "expires_at": r.expires_at,
            }
            for r in _active(conn, kind, values, now or now_utc())
        ]


def set_risk(
    engine: Engine,
    kind: str,
    value: str,
    *,
    reason: str,
    by: str,
    days: int | None,
    now: datetime | None = None,
) -> int:
    """Set a risk flag by hand (``days`` None: until cleared)."""
    if kind not in {"customer", "address"}:
        raise ConfigError(f"risk kind {kind!r}: use customer or address")
    if not value.strip():
        raise ConfigError("a risk flag needs a customer id or an address")
    if days is not None and not 1 <= days <= _RISK_DAYS_MAX:
        raise ConfigError(f"--days: from 1 to {_RISK_DAYS_MAX}, got {days}")
    if len(value.strip()) > _RISK_VALUE_MAX:
        raise ConfigError(
            f"--value: at most {_RISK_VALUE_MAX} characters, got {len(value.strip())}"
        )
    by = _who(by)
    at = now or now_utc()
    stored = address_of({"address": value}) if kind == "address" else value.strip()
    with engine.begin() as conn:
        key = conn.execute(
            insert(ConductRisk).values(
                kind=kind,
                value=stored,
                reason=reason,
                set_by=by,
                set_at=at,
                expires_at=at + timedelta(days=days) if days else None,
                cleared_at=None,
            )
        ).inserted_primary_key
    return int(key[0]) if key else 0


def clear_risk(engine: Engine, risk_id: int, *, now: datetime | None = None) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            update(ConductRisk)
            .where(ConductRisk.id == risk_id, ConductRisk.cleared_at.is_(None))
            .values(cleared_at=now or now_utc())
        )
        if not done.rowcount:
            raise NotFoundError(f"risk flag {risk_id} does not exist or is already cleared")


def item_events(engine: Engine, item_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            _event_row(e)
            for e in conn.execute(
                select(*ConductEvent.__table__.columns)
                .where(ConductEvent.item_id == item_id)
                .order_by(ConductEvent.at, ConductEvent.id)
            ).mappings()
        ]


@dataclass
class CustomerStatus:
    """Where a customer stands under the policy."""

    customer_id: str
    incidents: int
    confirmed: int
    steps: list[dict[str, Any]] = field(default_factory=list)
    blocked_until: datetime | None = None
    last_step: str | None = None
    next_step: str | None = None
    risks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def iso(value: Any) -> Any:
            return value.isoformat() if isinstance(value, datetime) else value

        return {
            "customer_id": self.customer_id,
            "incidents": self.incidents,
            "confirmed": self.confirmed,
            "blocked_until": iso(self.blocked_until),
            "last_step": self.last_step,
            "next_step": self.next_step,
            "steps": [{k: iso(v) for k, v in s.items()} for s in self.steps],
            "risks": [{k: iso(v) for k, v in r.items()} for r in self.risks],
        }


def customer_status(
    engine: Engine,
    policy: ConductPolicy,
    customer_id: str,
    *,
    zone: str | None = None,
    now: datetime | None = None,
) -> CustomerStatus:
    """The customer's steps, whether a block is in force (until when), the next step; with a
    ``zone``, only what the customer did in that team's items (none there: NotFoundError)."""
    at = now or now_utc()
    with engine.connect() as conn:
        known = conn.execute(
            _zone(select(func.count()).where(FeedbackItem.customer_id == customer_id), zone)
        ).scalar()
        if not known:
            raise NotFoundError(f"customer {customer_id} has no items in the ledger")
        events = [
            _event_row(e)
            for e in conn.execute(
                _zone(
                    select(*ConductEvent.__table__.columns)
                    .join(FeedbackItem, FeedbackItem.id == ConductEvent.item_id)
                    .where(ConductEvent.customer_id == customer_id)
                    .order_by(ConductEvent.at, ConductEvent.id),
                    zone,
                )
            ).mappings()
        ]
        incidents = conn.execute(
            _zone(
                select(func.count(func.distinct(ConductFlag.item_id)))
                .join(FeedbackItem, FeedbackItem.id == ConductFlag.item_id)
                .where(
                    FeedbackItem.customer_id == customer_id,
                    ConductFlag.confidence >= policy.min_confidence,
                ),
                zone,
            )
        ).scalar()
        confirmed_items = _confirmed_items(conn, zone)
        risks = _active(conn, "customer", [customer_id], at)
    reversed_ids = {e["reverses"] for e in events if e["step"] == "reverse"}
    standing = [e for e in events if e["step"] in ACTIONS and e["id"] not in reversed_ids]
    blocks = [
        e["expires_at"]
        for e in standing
        if e["step"] == "block" and e["expires_at"] is not None and e["expires_at"] > at
    ]
    order = policy.step_ids
    last = max((order.index(e["step"]) for e in standing if e["step"] in order), default=-1)
    return CustomerStatus(
        customer_id=customer_id,
        incidents=int(incidents or 0),
        confirmed=sum(1 for c, _ in confirmed_items.values() if c == customer_id),
        steps=events,
        blocked_until=max(blocks) if blocks else None,
        last_step=order[last] if last >= 0 else None,
        next_step=order[last + 1] if last + 1 < len(order) else None,
        risks=[
            {"id": r.id, "reason": r.reason, "set_by": r.set_by, "expires_at": r.expires_at}
            for r in risks
        ],
    )


def appeal(
    engine: Engine,
    policy: ConductPolicy,
    item_id: int,
    *,
    by: str,
    note: str | None = None,
    sla_hours: int = 72,
    now: datetime | None = None,
) -> int:
    """A customer's appeal: a case in the review team's queue (the item's case, moved there and
    reopened, when it has one). Returns the case id."""
    by = _who(by)
    at = now or now_utc()
    team = policy.review_team
    with engine.begin() as conn:
        item = _item(conn, item_id)
        case = conn.execute(select(Case.id, Case.status).where(Case.item_id == item_id)).first()
        if case is None:
            key = conn.execute(
                insert(Case).values(
                    item_id=item_id,
                    team=team,
                    status="open",
                    reason="conduct_appeal",
                    due_at=at + timedelta(hours=sla_hours),
                    first_response_due_at=None,
                    assignee=None,
                    created_at=at,
                    updated_at=at,
                    closed_at=None,
                    note=note,
                )
            ).inserted_primary_key
            case_id = int(key[0]) if key else 0
            from_status = None
        else:
            case_id = int(case.id)
            from_status = case.status
            conn.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(team=team, status="open", updated_at=at, closed_at=None, assignee=None)
            )
        conn.execute(
            insert(CaseEvent).values(
                case_id=case_id,
                at=at,
                actor=by,
                action="appeal",
                from_status=from_status,
                to_status="open",
                note=note,
            )
        )
        conn.execute(
            insert(ConductEvent).values(
                item_id=item_id,
                customer_id=item.customer_id,
                step="appeal",
                at=at,
                actor=by,
                note=note,
                category=None,
                recording_url=_recording(item.attributes),
                expires_at=None,
                reverses=None,
                case_id=case_id,
            )
        )
    return case_id


def review_queue(
    engine: Engine,
    policy: ConductPolicy,
    *,
    zone: str | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Flagged items awaiting a supervisor's decision (no confirm/reverse yet), surest first:
    the item, its flags (unmasked: supervisors need the evidence), steps taken, risk flags."""
    at = now or now_utc()
    with engine.connect() as conn:
        decided = select(ConductEvent.item_id).where(ConductEvent.step.in_(["confirm", "reverse"]))
        # From the flags (few) to their items, undecided ones only, the first ``limit`` in the
        # database: never a pass over every item (1M items and no flag took seconds).
        surest = (
            select(
                ConductFlag.item_id.label("item_id"),
                func.max(ConductFlag.confidence).label("confidence"),
            )
            .where(ConductFlag.confidence >= policy.min_confidence)
            .group_by(ConductFlag.item_id)
            .subquery()
        )
        query = (
            select(
                FeedbackItem.id,
                FeedbackItem.external_id,
                FeedbackItem.occurred_at,
                FeedbackItem.channel,
                FeedbackItem.customer_id,
                FeedbackItem.agent,
                FeedbackItem.owner_team,
                FeedbackItem.text,
                FeedbackItem.attributes,
                surest.c.confidence,
            )
            .select_from(surest)
            .join(FeedbackItem, FeedbackItem.id == surest.c.item_id)
            .where(surest.c.item_id.not_in(decided))
            .order_by(surest.c.confidence.desc(), FeedbackItem.occurred_at.desc(), FeedbackItem.id)
        )
        rows = list(conn.execute(_zone(query, zone).limit(limit)).all())
        ids = [r.id for r in rows]
        flags: dict[int, list[dict[str, Any]]] = {}
        steps: dict[int, list[str]] = {}
        if ids:
            for f in conn.execute(
                select(*ConductFlag.__table__.columns)
                .where(ConductFlag.item_id.in_(ids))
                .order_by(ConductFlag.start)
            ).all():
                flags.setdefault(f.item_id, []).append(
                    {"category": f.category, "evidence": f.evidence, "confidence": f.confidence}
                )
            for e in conn.execute(
                select(ConductEvent.item_id, ConductEvent.step).where(ConductEvent.item_id.in_(ids))
            ).all():
                steps.setdefault(e.item_id, []).append(e.step)
        customers = [r.customer_id for r in rows if r.customer_id]
        addresses = [a for r in rows if (a := address_of(r.attributes))]
        risky = {(r.kind, r.value) for r in _active(conn, None, [*customers, *addresses], at)}
    return [
        {
            "item_id": r.id,
            "external_id": r.external_id,
            "occurred_at": r.occurred_at,
            "channel": r.channel,
            "customer_id": r.customer_id,
            "agent": r.agent,
            "owner_team": r.owner_team,
            "text": r.text,
            "confidence": r.confidence,
            "flags": flags.get(r.id, []),
            "steps": steps.get(r.id, []),
            "customer_risk": ("customer", r.customer_id) in risky,
            "address_risk": ("address", address_of(r.attributes)) in risky,
        }
        for r in rows
    ]


def item_owner(engine: Engine, item_id: int) -> tuple[str | None, str | None, str | None]:
    """(owner_team, customer_id, address) of an item; a missing item raises NotFoundError."""
    with engine.connect() as conn:
        item = _item(conn, item_id)
    return item.owner_team, item.customer_id, address_of(item.attributes)


def badges(
    engine: Engine, item_ids: Sequence[int], *, min_confidence: float = 0.6
) -> dict[int, dict[str, Any]]:
    """For the inbox and item pages: each flagged item's categories, and whether its customer
    or address carries a risk flag in force."""
    if not item_ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    with engine.connect() as conn:
        for item_id, category in conn.execute(
            select(ConductFlag.item_id, ConductFlag.category).where(
                ConductFlag.item_id.in_(list(item_ids)),
                ConductFlag.confidence >= min_confidence,
            )
        ).all():
            entry = out.setdefault(item_id, {"categories": [], "risk": False})
            if category not in entry["categories"]:
                entry["categories"].append(category)
        owners = conn.execute(
            select(FeedbackItem.id, FeedbackItem.customer_id, FeedbackItem.attributes).where(
                FeedbackItem.id.in_(list(item_ids))
            )
        ).all()
        keys = {r.id: [v for v in (r.customer_id, address_of(r.attributes)) if v] for r in owners}
        values = sorted({v for vs in keys.values() for v in vs})
        risky = {r.value for r in _active(conn, None, values, now_utc())} if values else set()
    for item_id, vs in keys.items():
        if any(v in risky for v in vs):
            out.setdefault(item_id, {"categories": [], "risk": False})["risk"] = True
    return out
