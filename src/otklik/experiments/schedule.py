"""The daily guard of running experiments and rollouts, run by the job queue (:mod:`otklik.jobs`,
imported by ``otklik worker``): every running or rolling-out experiment is analysed and halted
(with its event and webhook, :func:`~otklik.experiments.rollout.guard`) when a guardrail — or,
in a rollout, the primary metric — is significantly worse. ``otklik experiment guard`` does the
same by hand or from cron where no worker runs.
"""

from __future__ import annotations

import logging

from otklik.experiments.registry import list_experiments
from otklik.experiments.rollout import guard
from otklik.jobs import StepContext, add_periodic

__all__ = ["GUARD_CRON", "guard_all"]

GUARD_CRON = "30 6 * * *"  # 06:30 UTC, every day
log = logging.getLogger("otklik.experiments")


def guard_all(ctx: StepContext) -> list[str]:
    """Guard every running experiment and rollout; the keys of those halted now."""
    halted = []
    for stored in list_experiments(ctx.engine):
        if stored.status in ("running", "rollout"):
            result = guard(ctx.engine, stored.key, settings=ctx.settings)
            if result.halted:
                log.warning("experiment %s halted: %s", stored.key, result.reason)
                halted.append(stored.key)
    return halted


add_periodic("guard_experiments", GUARD_CRON, guard_all)
