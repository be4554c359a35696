"""``otklik classify --method llm``: classify and route the ledger with the LLM's labels.

The rules and trained models run as always (language, pillars, churn reasons, and the label
of every item the LLM could not answer); the LLM's type, sentiment and topics replace theirs,
stored with method ``llm``, the model name and the prompt version. Human labels still win.
The run (tokens, cost, failures with reasons) is recorded in ``llm_runs``/``llm_failures``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from otklik.classify import default_rules, load_taxonomy
from otklik.llm.client import LlmClient
from otklik.llm.labelling import LlmLabeller
from otklik.llm.runs import record_run

if TYPE_CHECKING:
    from otklik.routing import ProcessReport

__all__ = ["LlmClassifyReport", "classify_with_llm"]


@dataclass
class LlmClassifyReport:
    """The classify-and-route report plus what the LLM part cost and where it failed."""

    process: ProcessReport
    run_id: int
    model: str
    prompt_versions: list[str]
    usage: dict[str, Any]
    failures: list[tuple[int, str]]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.process.as_dict(),
            "llm": {
                "run_id": self.run_id,
                "model": self.model,
                "prompt_versions": self.prompt_versions,
                **self.usage,
                "failures": [{"item_id": i, "reason": r} for i, r in self.failures[:50]],
            },
        }


def classify_with_llm(
    engine: Engine,
    client: LlmClient,
    *,
    reclassify: bool = False,
    taxonomy: Path | None = None,
    teams: Path | None = None,
    model_dir: Path | None = None,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
    prompts_dir: Path | None = None,
    item_ids: list[int] | None = None,
    cache_only: bool = False,
    actor: str | None = None,
) -> LlmClassifyReport:
    """Classify pending items (all with ``reclassify``) with the LLM and open cases.

    ``item_ids``: only these items; ``cache_only``: use reviewed answers from the cache and
    send nothing (an item whose answer is not there keeps its label and counts as failed).
    """
    from otklik.routing import classify_and_route  # routing imports classify, not llm

    chosen = load_taxonomy(taxonomy) if taxonomy is not None else default_rules().taxonomy
    labeller = LlmLabeller(client, chosen, directory=prompts_dir, cache_only=cache_only)
    started_at, started, before = datetime.now(UTC), time.perf_counter(), client.usage.copy()
    process = classify_and_route(
        engine,
        reclassify=reclassify,
        taxonomy=taxonomy,
        teams=teams,
        model_dir=model_dir,
        batch_size=batch_size,
        progress=progress,
        labeller=labeller,
        item_ids=item_ids,
    )
    versions = sorted(labeller.prompt_versions)
    usage = client.usage.since(before)
    run_id = record_run(
        engine,
        task="classify",
        model=client.model,
        prompt_versions=versions,
        usage=usage,
        started_at=started_at,
        seconds=time.perf_counter() - started,
        failures=[(item, reason) for item, reason in labeller.failures],
        actor=actor,
    )
    return LlmClassifyReport(
        process, run_id, client.model, versions, usage.as_dict(), labeller.failures
    )
