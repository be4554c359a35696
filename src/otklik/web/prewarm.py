"""Precomputation at start-up, in the background: the first request of a page does not wait.

A fresh web worker knows nothing: the rollup cube is in the store but not in memory, and the
figures the pages keep briefly (volumes per channel, the filters' value lists, pillar scores)
are a scan each at 1M items. :func:`prewarm` runs once, on a daemon thread, after the app has
started: it loads the rollups (:meth:`MetricsWorker.warm`), then computes the overview, its
pillars, the filter value lists and the taxonomy for the whole store (what an admin or analyst
sees first), through the same functions and cache keys the pages use, so a page that asks
later finds them, compiles every page template, and last computes the EX, conduct and KPI
scorecard figures of the whole store the same way.
Failures are logged and forgotten: the page then computes what it needs itself.
"""

from __future__ import annotations

import logging
import threading
import time

from otklik import conduct
from otklik.auth import Principal, Role
from otklik.metrics import Grain, Period
from otklik.web.dashboard import build_overview
from otklik.web.ex_view import ex_link_for, ex_report_for, pillars_for
from otklik.web.kpis import current_kpis, kpi_report
from otklik.web.pages.conduct import conduct_agents, conduct_figures
from otklik.web.pages.explore import filter_options
from otklik.web.pages.inbox import _taxonomy
from otklik.web.pages.items import ITEM_FILTERS
from otklik.web.state import WebState

__all__ = ["prewarm", "start_prewarm"]

log = logging.getLogger(__name__)

_EVERYONE = Principal(id=0, email="prewarm@otklik", role=Role.ADMIN, team=None)


def prewarm(state: WebState) -> float:
    """Fill the rollups and the page cache for the whole store; returns the seconds it took."""
    started = time.perf_counter()
    state.metrics.warm().result()
    overview = build_overview(state, _EVERYONE)
    pillars_for(
        state,
        _EVERYONE,
        period=Period(f"{overview.start}..{overview.last_day}", overview.start, overview.end),
        grain=Grain.ALL,
    )
    filter_options(state, _EVERYONE, ITEM_FILTERS)
    _taxonomy(state)  # the inbox's and the relabel forms' taxonomy
    env = state.templates.env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled once, kept by Jinja
    _slow_pages(state)
    return time.perf_counter() - started


def _slow_pages(state: WebState) -> None:
    """The EX, conduct and scorecards figures of the whole store (seconds each at 1M items),
    under the keys their pages use."""
    ex_report_for(state, period=None, by=None)
    ex_link_for(state, period=None)
    policy = conduct.policy_in_force(state.settings)
    conduct_figures(state, policy, period="month", zone=None)
    conduct_agents(state, zone=None)
    kpi_report(state, current_kpis(state, _EVERYONE), zone=None, period=None, by=None)


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
