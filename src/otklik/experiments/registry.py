"""Stored experiments: create, start, stop, list, read, and their event log.

Statuses: ``draft`` (defined, not assigning), ``running`` (assigning by weights), ``stopped``
(decided; everyone sees the control), ``rollout`` (the winner at ``rollout_stage`` percent),
``halted`` (a guardrail stopped it; everyone sees the control), ``done`` (the winner at 100%).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from otklik.errors import ConfigError, NotFoundError
from otklik.experiments.definitions import ExperimentDef
from otklik.ledger.models_experiments import Experiment, ExperimentEvent

__all__ = [
    "STATUSES",
    "StoredExperiment",
    "add_event",
    "create_experiment",
    "events",
    "get_experiment",
    "list_experiments",
    "now_utc",
    "set_status",
]

STATUSES: tuple[str, ...] = ("draft", "running", "stopped", "rollout", "halted", "done")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class StoredExperiment:
    definition: ExperimentDef
    status: str
    rollout_stage: int | None
    winner: str | None
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None

    @property
    def key(self) -> str:
        return self.definition.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "rollout_stage": self.rollout_stage,
            "winner": self.winner,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "definition": self.definition.to_dict(),
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _stored(row: Any) -> StoredExperiment:
    return StoredExperiment(
        ExperimentDef.model_validate(row.definition),
        row.status,
        row.rollout_stage,
        row.winner,
        row.created_at,
        row.started_at,
        row.stopped_at,
    )


def create_experiment(
    engine: Engine, definition: ExperimentDef, *, start: bool = True, now: datetime | None = None
) -> StoredExperiment:
    """Store a new experiment (running at once unless ``start`` is false)."""
    at = now or now_utc()
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Experiment).values(
                    key=definition.key,
                    definition=definition.to_dict(),
                    status="running" if start else "draft",
                    rollout_stage=None,
                    winner=None,
                    created_at=at,
                    started_at=at if start else None,
                    stopped_at=None,
                )
            )
            _event(conn, definition.key, at, "created", {"status": "running" if start else "draft"})
    except IntegrityError:
        raise ConfigError(f"experiment {definition.key!r} exists already") from None
    return get_experiment(engine, definition.key)


def get_experiment(engine: Engine, key: str) -> StoredExperiment:
    with engine.connect() as conn:
        row = conn.execute(select(Experiment).where(Experiment.key == key)).first()
    if row is None:
        raise NotFoundError(f"no experiment {key!r} (see `otklik experiment list`)")
    return _stored(row)


def list_experiments(engine: Engine) -> list[StoredExperiment]:
    with engine.connect() as conn:
        rows = conn.execute(select(Experiment).order_by(Experiment.created_at, Experiment.id))
        return [_stored(row) for row in rows]


def set_status(
    engine: Engine,
    key: str,
    status: str,
    *,
    stage: int | None = None,
    winner: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> StoredExperiment:
    """Move an experiment to ``status`` and log the event."""
    if status not in STATUSES:
        raise ValueError(status)
    current = get_experiment(engine, key)
    at = now or now_utc()
    values: dict[str, Any] = {"status": status}
    if status == "running" and current.started_at is None:
        values["started_at"] = at
    if status in ("stopped", "halted", "done") and current.stopped_at is None:
        values["stopped_at"] = at
    if stage is not None:
        values["rollout_stage"] = stage
    if winner is not None:
        values["winner"] = winner
    with engine.begin() as conn:
        conn.execute(update(Experiment).where(Experiment.key == key).values(**values))
        _event(conn, key, at, status, {"stage": stage, "winner": winner, **(detail or {})})
    return get_experiment(engine, key)


def _event(conn: Any, key: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
    conn.execute(
        insert(ExperimentEvent).values(
            experiment=key, at=at, kind=kind, detail=json.dumps(detail, ensure_ascii=False)
        )
    )


def add_event(
    engine: Engine, key: str, kind: str, detail: dict[str, Any], *, now: datetime | None = None
) -> None:
    with engine.begin() as conn:
        _event(conn, key, now or now_utc(), kind, detail)


def events(engine: Engine, key: str) -> list[dict[str, Any]]:
    """The experiment's events, oldest first."""
    query = (
        select(ExperimentEvent)
        .where(ExperimentEvent.experiment == key)
        .order_by(ExperimentEvent.at, ExperimentEvent.id)
    )
    with engine.connect() as conn:
        return [
            {"at": _iso(row.at), "kind": row.kind, "detail": json.loads(row.detail)}
            for row in conn.execute(query)
        ]
