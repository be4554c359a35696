"""Reading and writing classifications: one machine row and one human row per item at most.

The machine row is replaced whenever an item is (re)classified; the human row is written only
by :func:`write_human_labels` and read field by field over the machine's (:func:`current_labels`,
the same merge as the ``current_classifications`` view).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from otklik.ledger import Classification, FeedbackItem, insert_rows

__all__ = [
    "HumanLabel",
    "ItemRow",
    "MachineLabel",
    "count_classified",
    "current_labels",
    "iter_items",
    "review_queue",
    "write_human_labels",
    "write_machine_labels",
]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ItemRow:
    """What classification reads of a ledger item."""

    id: int
    kind: str
    text: str | None
    language: str | None
    score: float | None
    scale: str | None
    owner_team: str | None


@dataclass
class MachineLabel:
    item_id: int
    type: str
    sentiment: str
    topics: list[str]
    tags: dict[str, Any]
    language: str | None
    owner_team: str | None
    method: str
    confidence: float
    scores: dict[str, Any]
    model_version: str | None = None


@dataclass
class HumanLabel:
    item_id: int
    type: str | None = None
    sentiment: str | None = None
    topics: list[str] | None = None
    owner_team: str | None = None
    labelled_by: str | None = None


_ITEM_COLUMNS = (
    FeedbackItem.id,
    FeedbackItem.kind,
    FeedbackItem.text,
    FeedbackItem.language,
    FeedbackItem.score,
    FeedbackItem.scale,
    FeedbackItem.owner_team,
)


def iter_items(
    engine: Engine,
    *,
    reclassify: bool = False,
    batch_size: int = 2000,
    item_ids: Sequence[int] | None = None,
) -> Iterator[list[ItemRow]]:
    """Batches of items, in id order: those with no machine label (all with ``reclassify``);
    only those of ``item_ids`` when given."""
    machine = aliased(Classification)
    last = 0
    while True:
        query = select(*_ITEM_COLUMNS).where(FeedbackItem.id > last)
        if item_ids is not None:
            query = query.where(FeedbackItem.id.in_(list(item_ids)))
        if not reclassify:
            query = query.outerjoin(
                machine, and_(machine.item_id == FeedbackItem.id, machine.origin == "machine")
            ).where(machine.id.is_(None))
        query = query.order_by(FeedbackItem.id).limit(batch_size)
        with engine.connect() as conn:
            rows = [ItemRow(*row) for row in conn.execute(query)]
        if not rows:
            return
        last = rows[-1].id
        yield rows


def count_classified(
    engine: Engine, *, reclassify: bool = False, item_ids: Sequence[int] | None = None
) -> tuple[int, int]:
    """(items in the ledger, items a run would classify); of ``item_ids`` only, when given."""
    machine = aliased(Classification)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(FeedbackItem)).scalar_one())
        if item_ids is not None:
            chosen = select(func.count()).select_from(FeedbackItem)
            chosen = chosen.where(FeedbackItem.id.in_(list(item_ids)))
            if not reclassify:
                chosen = chosen.outerjoin(
                    machine,
                    and_(machine.item_id == FeedbackItem.id, machine.origin == "machine"),
                ).where(machine.id.is_(None))
            return total, int(conn.execute(chosen).scalar_one())
        if reclassify:
            return total, total
        pending = conn.execute(
            select(func.count())
            .select_from(FeedbackItem)
            .outerjoin(
                machine, and_(machine.item_id == FeedbackItem.id, machine.origin == "machine")
            )
            .where(machine.id.is_(None))
        ).scalar_one()
    return total, int(pending)


def write_machine_labels(engine: Engine, labels: Sequence[MachineLabel]) -> None:
    """Replace the machine rows of these items in one transaction; human rows stay."""
    if not labels:
        return
    now = _now()
    rows = [
        {
            "item_id": label.item_id,
            "origin": "machine",
            "type": label.type,
            "sentiment": label.sentiment,
            "topics": label.topics,
            "tags": label.tags,
            "language": label.language,
            "owner_team": label.owner_team,
            "method": label.method,
            "confidence": label.confidence,
            "scores": label.scores,
            "model_version": label.model_version,
            "labelled_by": None,
            "created_at": now,
        }
        for label in labels
    ]
    ids = [label.item_id for label in labels]
    with engine.begin() as conn:
        conn.execute(
            delete(Classification).where(
                Classification.origin == "machine",
                Classification.item_id.in_(bindparam("ids", expanding=True)),
            ),
            {"ids": ids},
        )
        insert_rows(conn, Classification, rows)


def write_human_labels(engine: Engine, labels: Sequence[HumanLabel]) -> tuple[int, int]:
    """Store human labels; a field left None keeps the item's earlier human value.

    Returns (new human rows, updated human rows).
    """
    if not labels:
        return 0, 0
    merged: dict[int, HumanLabel] = {}
    for label in labels:  # a file labelling one item twice: later rows win field by field
        before = merged.get(label.item_id)
        merged[label.item_id] = _merge(before, label) if before else label
    now = _now()
    created = updated = 0
    with engine.begin() as conn:
        existing = dict(
            conn.execute(
                select(Classification.item_id, Classification.id).where(
                    Classification.origin == "human",
                    Classification.item_id.in_(bindparam("ids", expanding=True)),
                ),
                {"ids": list(merged)},
            ).all()
        )
        for item_id, label in merged.items():
            values = {
                name: getattr(label, name)
                for name in ("type", "sentiment", "topics", "owner_team", "labelled_by")
                if getattr(label, name) is not None
            }
            if item_id in existing:
                conn.execute(
                    update(Classification)
                    .where(Classification.id == existing[item_id])
                    .values(**values, created_at=now)
                )
                updated += 1
            else:
                conn.execute(
                    insert(Classification).values(
                        item_id=item_id,
                        origin="human",
                        method="human",
                        confidence=1.0,
                        created_at=now,
                        **values,
                    )
                )
                created += 1
    return created, updated


def _merge(before: HumanLabel, after: HumanLabel) -> HumanLabel:
    return HumanLabel(
        item_id=after.item_id,
        type=after.type or before.type,
        sentiment=after.sentiment or before.sentiment,
        topics=after.topics if after.topics is not None else before.topics,
        owner_team=after.owner_team or before.owner_team,
        labelled_by=after.labelled_by or before.labelled_by,
    )


_LABEL_FIELDS = ("type", "sentiment", "topics", "tags", "language", "owner_team")
_BRIEF_FIELDS = ("type", "sentiment", "topics", "language", "owner_team")


def current_labels(
    engine: Engine, item_ids: Sequence[int] | None = None, *, brief: bool = False
) -> dict[int, dict[str, Any]]:
    """Each item's winning label, field by field: human over machine.

    ``owner_team`` is the import's explicit owner when there is one, else the labels' (the
    topics' owner); an owner routing wrote into the item does not count as explicit.
    ``method`` is ``human`` when a person labelled any field, else the machine row's summary;
    ``methods`` says which method gave each of ``type``, ``sentiment`` and ``topics``
    (``human``, ``rules``, ``model``, ``shipped``, ``llm``; None where nobody gave it).

    ``brief``: without ``tags`` and ``methods`` (what routing reads: the stored JSON of tags
    and scores is not decoded).
    """
    machine = aliased(Classification)
    human = aliased(Classification)
    fields = _BRIEF_FIELDS if brief else _LABEL_FIELDS
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.owner_team,
            FeedbackItem.owner_team_source,
            FeedbackItem.language,
            *(getattr(machine, name) for name in fields),
            *(getattr(human, name) for name in fields),
            machine.method,
            machine.confidence,
            machine.model_version,
            human.id,
            *(() if brief else (machine.scores,)),
        )
        .outerjoin(machine, and_(machine.item_id == FeedbackItem.id, machine.origin == "machine"))
        .outerjoin(human, and_(human.item_id == FeedbackItem.id, human.origin == "human"))
        .where((machine.id.is_not(None)) | (human.id.is_not(None)))
        .order_by(FeedbackItem.id)
    )
    if item_ids is not None:
        query = query.where(FeedbackItem.id.in_(bindparam("ids", expanding=True)))
    params = {"ids": list(item_ids)} if item_ids is not None else {}
    found: dict[int, dict[str, Any]] = {}
    count = len(fields)
    with engine.connect() as conn:
        for row in conn.execute(query, params).all():  # one fetchall, not a fetch a row
            item_id, item_owner, owner_source, item_language = row[0], row[1], row[2], row[3]
            explicit_owner = item_owner if owner_source is None else None
            machine_values = row[4 : 4 + count]
            human_values = row[4 + count : 4 + 2 * count]
            method, confidence, version, human_id = row[4 + 2 * count : 8 + 2 * count]
            label = {
                name: h if h is not None else m
                for name, m, h in zip(fields, machine_values, human_values, strict=True)
            }
            label["owner_team"] = explicit_owner or label["owner_team"]
            label["language"] = label["language"] or item_language
            label["method"] = "human" if human_id is not None else method
            label["confidence"] = 1.0 if human_id is not None else confidence
            label["model_version"] = version
            if not brief:
                label["methods"] = _part_methods(
                    method, row[-1], dict(zip(fields, human_values, strict=True))
                )
            found[item_id] = label
    return found


def _part_methods(method: str | None, scores: Any, human: dict[str, Any]) -> dict[str, str | None]:
    """Which method gave each part of an item's current label: ``human`` where a person set
    it, else the machine row's ``scores[part]["method"]`` (``rules``, ``model``, ``shipped``,
    ``llm``), else the machine row's ``method``; None where nobody gave it."""
    found: dict[str, str | None] = {}
    for part in ("type", "sentiment", "topics"):
        if human.get(part) is not None:
            found[part] = "human"
            continue
        entry = scores.get(part) if isinstance(scores, dict) else None
        part_method = entry.get("method") if isinstance(entry, dict) else None
        found[part] = str(part_method) if part_method else method
    return found


def review_queue(engine: Engine, *, limit: int = 20) -> list[dict[str, Any]]:
    """Machine-labelled items no human has labelled yet, least certain first."""
    human = aliased(Classification)
    machine = aliased(Classification)
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.source,
            FeedbackItem.external_id,
            FeedbackItem.kind,
            FeedbackItem.text,
            machine.type,
            machine.sentiment,
            machine.topics,
            machine.language,
            machine.method,
            machine.confidence,
        )
        .join(machine, and_(machine.item_id == FeedbackItem.id, machine.origin == "machine"))
        .outerjoin(human, and_(human.item_id == FeedbackItem.id, human.origin == "human"))
        .where(human.id.is_(None), FeedbackItem.text.is_not(None), FeedbackItem.text != "")
        .order_by(machine.confidence.asc(), FeedbackItem.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
