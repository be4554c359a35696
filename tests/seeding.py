"""Seed a store with items and machine labels for tests that need labelled items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text

from otklik.classify import MachineLabel, write_machine_labels
from otklik.ledger import write_items


def seed_labelled(
    engine: Engine, items: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any] | None]
) -> None:
    """Write ``items`` (ledger rows with an ``external_id``) and, for each item whose entry in
    ``labels`` is not None, a rules label with that entry's ``sentiment``, ``tags`` and
    ``topics`` (default none), typed complaint, owned by the item's ``owner_team``."""
    write_items(engine, run_id=None, source="seed", items=list(items))
    with engine.connect() as conn:
        ids = {
            str(external): int(number)
            for external, number in conn.execute(text("SELECT external_id, id FROM feedback_items"))
        }
    write_machine_labels(
        engine,
        [
            MachineLabel(
                item_id=ids[str(item["external_id"])],
                type="complaint",
                sentiment=label["sentiment"],
                topics=label.get("topics", []),
                tags=label["tags"],
                language="ru",
                owner_team=item["owner_team"],
                method="rules",
                confidence=1.0,
                scores={},
            )
            for item, label in zip(items, labels, strict=True)
            if label is not None
        ],
    )
