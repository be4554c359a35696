"""Classify, then route: what ``otklik classify`` and the import hook run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.classify.rules import RuleSet, default_rules
from otklik.classify.run import (
    ClassifyReport,
    Labeller,
    Progress,
    classify_items,
    load_trained_models,
)
from otklik.classify.taxonomy import load_taxonomy
from otklik.routing.cases import route_items
from otklik.routing.teams import load_teams, sync_teams

__all__ = ["ProcessReport", "classify_and_route"]


@dataclass
class ProcessReport:
    classify: ClassifyReport
    cases_opened: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.classify.as_dict(), "cases_opened": self.cases_opened}


def classify_and_route(
    engine: Engine,
    *,
    reclassify: bool = False,
    taxonomy: Path | None = None,
    teams: Path | None = None,
    model_dir: Path | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
    now: datetime | None = None,
    labeller: Labeller | None = None,
    item_ids: Sequence[int] | None = None,
    processes: int = 1,
) -> ProcessReport:
    """Classify pending items (all with ``reclassify``) and open cases for actionable ones.

    ``processes``: as :func:`~otklik.classify.classify_items` (1: this process only; 0: by the
    run's size and the machine's cores).
    """
    team_config = load_teams(teams)
    rules = RuleSet(load_taxonomy(taxonomy)) if taxonomy is not None else default_rules()
    sync_teams(engine, team_config)
    opened = 0

    def route(ids: list[int]) -> None:
        nonlocal opened
        opened += route_items(engine, team_config, ids, now=now)

    report = classify_items(
        engine,
        reclassify=reclassify,
        rules=rules,
        models=load_trained_models(model_dir),
        batch_size=batch_size,
        progress=progress,
        on_batch=route,
        labeller=labeller,
        item_ids=item_ids,
        processes=processes,
    )
    return ProcessReport(report, opened)
