"""Staged rollout of a winner (20% → 50% → 100%) and the guard that halts a harmful one.

Each step re-runs the analysis: a guardrail that is significantly worse (always-valid
p-value, so the check may run every day) halts the experiment — everyone goes back to the
control — records a ``halted`` event and sends a notification through the signed webhook of
:mod:`otklik.replies` (a ``notify_failed`` event says why when it cannot be sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from otklik.config import Settings
from otklik.errors import ConfigError, DeliveryError
from otklik.experiments.analysis import Analysis, analyze
from otklik.experiments.registry import add_event, get_experiment, set_status
from otklik.replies import post_webhook

__all__ = ["STAGES", "RolloutResult", "guard", "rollout"]

STAGES: tuple[int, ...] = (20, 50, 100)


@dataclass(frozen=True)
class RolloutResult:
    key: str
    status: str
    stage: int | None
    winner: str | None
    halted: bool
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.key,
            "status": self.status,
            "stage": self.stage,
            "winner": self.winner,
            "halted": self.halted,
            "reason": self.reason,
        }


def _harm(analysis: Analysis, winner: str | None) -> str | None:
    bad = [
        c
        for c in analysis.guardrails
        if c.significant and c.better is False and (winner is None or c.variant == winner)
    ]
    if winner is not None:
        bad += [
            c
            for c in analysis.comparisons
            if c.variant == winner and c.significant and c.better is False
        ]
    if not bad:
        return None
    c = bad[0]
    return (
        f"{c.metric} of {c.variant} is significantly worse than the control: "
        f"{c.difference:+.2f} (always-valid p = {c.p_always_valid:.4f})"
    )


def _halt(
    engine: Engine,
    key: str,
    reason: str,
    settings: Settings | None,
    client: httpx.Client | None,
    now: datetime | None,
) -> None:
    set_status(engine, key, "halted", detail={"reason": reason}, now=now)
    payload = {"event": "experiment.halted", "experiment": key, "reason": reason}
    if settings is None:
        add_event(engine, key, "notify_failed", {"reason": "no settings"}, now=now)
        return
    try:
        status = post_webhook(settings, payload, client=client)
    except DeliveryError as exc:
        add_event(engine, key, "notify_failed", {"reason": str(exc)}, now=now)
        return
    add_event(engine, key, "notified", {"status": status}, now=now)


def rollout(
    engine: Engine,
    key: str,
    to: int,
    *,
    winner: str | None = None,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> RolloutResult:
    """Move the winner to ``to`` percent after checking the primary and guardrail metrics."""
    if to not in STAGES:
        raise ConfigError(f"--to must be one of {', '.join(map(str, STAGES))}, got {to}")
    stored = get_experiment(engine, key)
    if stored.status in ("halted", "draft", "done"):
        raise ConfigError(f"experiment {key!r} is {stored.status}; it cannot be rolled out")
    current = stored.rollout_stage if stored.status == "rollout" else None
    expected = STAGES[0] if current is None else STAGES[STAGES.index(current) + 1]
    if to != expected:
        raise ConfigError(
            f"experiment {key!r} is at {current or 0}%; the next stage is {expected}% "
            "(stages: 20 → 50 → 100)"
        )
    analysis = analyze(engine, key, now=now)
    chosen = winner or stored.winner or analysis.best
    names = [v.name for v in stored.definition.variants]
    if chosen is None:
        raise ConfigError(
            f"experiment {key!r} has no winner yet (decision: {analysis.decision}); "
            "give --winner to roll one out anyway"
        )
    if chosen not in names:
        raise ConfigError(f"--winner {chosen!r} is not a variant ({', '.join(names)})")
    reason = _harm(analysis, chosen)
    if reason is not None:
        _halt(engine, key, reason, settings, client, now)
        return RolloutResult(key, "halted", current, chosen, True, reason)
    status = "done" if to == 100 else "rollout"
    done = set_status(engine, key, status, stage=to, winner=chosen, now=now)
    return RolloutResult(key, done.status, done.rollout_stage, done.winner, False, None)


def guard(
    engine: Engine,
    key: str,
    *,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> RolloutResult:
    """The daily check of a running or rolling-out experiment: halt it when a guardrail (or,
    in a rollout, the primary metric) is significantly worse."""
    stored = get_experiment(engine, key)
    if stored.status not in ("running", "rollout"):
        return RolloutResult(key, stored.status, stored.rollout_stage, stored.winner, False, None)
    analysis = analyze(engine, key, now=now)
    winner = stored.winner if stored.status == "rollout" else None
    reason = _harm(analysis, winner)
    if reason is not None:
        _halt(engine, key, reason, settings, client, now)
        return RolloutResult(key, "halted", stored.rollout_stage, stored.winner, True, reason)
    return RolloutResult(key, stored.status, stored.rollout_stage, stored.winner, False, None)
