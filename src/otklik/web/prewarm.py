"""Precomputation at start-up, in the background: the first request of a page does not wait.

A fresh web worker knows nothing: the rollup cube is in the store but not in memory, and the
figures the pages keep briefly (volumes per channel, the filters' value lists, pillar scores)
are a scan each at 1M items. :func:`prewarm` runs once, on a daemon thread, after the app has
started: it loads the rollups (:meth:`MetricsWorker.warm`), then computes the overview, its
pillars, the filter value lists and the taxonomy for the whole store (what an admin or analyst
sees first), through the same functions and cache keys the pages use, so a page that asks
later finds them, and compiles every page template; then the overview of every team zone that
a user signs in to, and the topics report and the priorities (drivers analysis) as each zone
first sees them; last the EX, conduct and KPI scorecard figures of the whole store
the same way, and each team zone's scorecards (its own KPIs, as its users first see them).
After a write the page cache recomputes these figures in the background (``TTLCache``,
``keep``), with the same functions and keys.
Failures are logged and forgotten: the page then computes what it needs itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from otklik import conduct
from otklik.auth import Principal, Role, list_users
from otklik.metrics import Grain, Period
from otklik.web.dashboard import build_overview
from otklik.web.ex_view import ex_link_for, ex_report_for, pillars_for
from otklik.web.kpis import current_kpis, kpi_report
from otklik.web.pages.conduct import conduct_agents, conduct_figures
from otklik.web.pages.explore import filter_options
from otklik.web.pages.inbox import _taxonomy
from otklik.web.pages.items import ITEM_FILTERS
from otklik.web.priorities import drivers_for
from otklik.web.state import WebState
from otklik.web.topic_view import TOPIC_FILTERS, build_report

__all__ = ["prewarm", "start_prewarm"]

log = logging.getLogger(__name__)

_EVERYONE = Principal(id=0, email="prewarm@otklik", role=Role.ADMIN, team=None)


def prewarm(state: WebState) -> float:
    """Fill the rollups and the page cache for the whole store; returns the seconds it took."""
    started = time.perf_counter()
    state.metrics.warm().result()
    _overview(state, _EVERYONE)
    zones = [_EVERYONE, *_team_users(state)]
    for user in zones[1:]:  # each team's overview (trends, volumes, pillars): the first page
        _quietly(_overview, state, user)
    filter_options(state, _EVERYONE, ITEM_FILTERS)
    _taxonomy(state)  # the inbox's and the relabel forms' taxonomy
    env = state.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled once, kept by Jinja
    for user in zones[1:]:  # each team's filter lists
        _quietly(filter_options, state, user, ITEM_FILTERS)
    for user in zones:  # topics and priorities as each zone first sees them
        _quietly(build_report, state, user, period=None, split=None, chosen={})
        _quietly(filter_options, state, user, TOPIC_FILTERS)
        _quietly(drivers_for, state, user)
    _quietly(_slow_pages, state)
    for user in zones[1:]:  # each team's scorecards (its own KPIs, judged in its zone)
        _quietly(_scorecards, state, user)
    return time.perf_counter() - started


def _quietly(work: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """One page's figures; a failure is logged and the rest goes on (the page then computes
    them itself and shows its own error)."""
    try:
        work(*args, **kwargs)
    except Exception:
        log.exception("precomputation of %s failed", getattr(work, "__name__", work))


def _overview(state: WebState, user: Principal) -> None:
    overview = build_overview(state, user)
    pillars_for(
        state,
        user,
        period=Period(f"{overview.start}..{overview.last_day}", overview.start, overview.end),
        grain=Grain.ALL,
    )


def _team_users(state: WebState) -> list[Principal]:
    """One principal per zone that an active team user (or lead) signs in to."""
    teams = sorted(
        {
            str(row["team"])
            for row in list_users(state.engine)
            if row["active"] and row["role"] in (Role.TEAM, Role.LEAD) and row["team"]
        }
    )
    return [Principal(id=0, email="prewarm@otklik", role=Role.TEAM, team=team) for team in teams]


def _slow_pages(state: WebState) -> None:
    """The EX, conduct and scorecards figures of the whole store (seconds each at 1M items),
    under the keys their pages use."""
    ex_report_for(state, period=None, by=None)
    ex_link_for(state, period=None)
    policy = conduct.policy_in_force(state.settings)
    conduct_figures(state, policy, period="month", zone=None)
    conduct_agents(state, zone=None)
    kpi_report(state, current_kpis(state, _EVERYONE), zone=None, period=None, by=None)


def _scorecards(state: WebState, user: Principal) -> None:
    """The KPI report a team user's ``/scorecards`` shows first, under the page's key."""
    kpi_report(state, current_kpis(state, user), zone=user.zone, period=None, by=None)


def start_prewarm(state: WebState) -> threading.Thread:
    """:func:`prewarm` on a daemon thread (the app serves requests meanwhile)."""

    def run() -> None:
        try:
            seconds = prewarm(state)
        except Exception:  # a page computes it itself; never a failed start
            log.exception("precomputation at start-up failed")
            return
        log.info("precomputation at start-up took %.1f s", seconds)

    thread = threading.Thread(target=run, name="otklik-prewarm", daemon=True)
    thread.start()
    return thread
