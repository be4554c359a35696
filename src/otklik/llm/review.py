"""Review before storing: run the classify prompt over a few chosen items, show the answers
next to their current labels, store only the ones a person accepts.

:func:`propose_labels` asks (and caches) but writes no label; :func:`accept_proposals` stores
the accepted items' cached answers (nothing is sent again) with method ``llm``, the model and
the prompt version, then routes them. A human label still wins over what is stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from otklik.classify import Taxonomy, current_labels
from otklik.ledger import FeedbackItem
from otklik.llm.batch import LlmClassifyReport, classify_with_llm
from otklik.llm.client import Failure, LlmClient
from otklik.llm.labelling import TextToClassify, classify_texts
from otklik.llm.privacy import mask_for_llm
from otklik.llm.runs import record_run

__all__ = ["Proposal", "accept_proposals", "propose_labels"]


@dataclass
class Proposal:
    """One item's LLM answer (or failure) beside its current label; ``sent`` is the masked
    text the model saw."""

    item_id: int
    text: str
    sent: str
    current: dict[str, Any]
    answer: dict[str, Any] | None
    failure: str | None
    prompt_version: str


def propose_labels(
    engine: Engine,
    client: LlmClient,
    taxonomy: Taxonomy,
    item_ids: list[int],
    *,
    prompts_dir: Path | None = None,
    actor: str | None = None,
) -> tuple[list[Proposal], int]:
    """Answers for ``item_ids`` (items without text are left out); returns (proposals, run id).

    The answers are cached, so accepting them sends nothing again.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                FeedbackItem.id,
                FeedbackItem.text,
                FeedbackItem.language,
                FeedbackItem.kind,
                FeedbackItem.score,
            )
            .where(FeedbackItem.id.in_(item_ids))
            .order_by(FeedbackItem.id)
        ).all()
    rows = [row for row in rows if row.text and row.text.strip()]
    started_at, started, before = datetime.now(UTC), time.perf_counter(), client.usage.copy()
    texts = [TextToClassify(row.text, row.language, row.kind, row.score) for row in rows]
    results = classify_texts(client, taxonomy, texts, directory=prompts_dir)
    labels = current_labels(engine, [row.id for row in rows])
    proposals = [
        Proposal(
            item_id=row.id,
            text=row.text,
            sent=mask_for_llm(row.text),
            current=labels.get(row.id) or {},
            answer=None if isinstance(result, Failure) else result.value.model_dump(),
            failure=result.reason if isinstance(result, Failure) else None,
            prompt_version=result.prompt_version,
        )
        for row, result in zip(rows, results, strict=True)
    ]
    run_id = record_run(
        engine,
        task="propose",
        model=client.model,
        prompt_versions={p.prompt_version for p in proposals},
        usage=client.usage.since(before),
        started_at=started_at,
        seconds=time.perf_counter() - started,
        failures=[(p.item_id, p.failure) for p in proposals if p.failure],
        actor=actor,
    )
    return proposals, run_id


def accept_proposals(
    engine: Engine,
    client: LlmClient,
    item_ids: list[int],
    *,
    taxonomy: Path | None = None,
    teams: Path | None = None,
    model_dir: Path | None = None,
    prompts_dir: Path | None = None,
    actor: str | None = None,
) -> LlmClassifyReport:
    """Store the reviewed answers of ``item_ids`` from the cache (method ``llm``) and route."""
    return classify_with_llm(
        engine,
        client,
        reclassify=True,
        taxonomy=taxonomy,
        teams=teams,
        model_dir=model_dir,
        prompts_dir=prompts_dir,
        item_ids=sorted(set(item_ids)),
        cache_only=True,
        actor=actor,
    )
