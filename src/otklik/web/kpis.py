"""The KPI set the web app works with, what each user may see of it, and its report.

The file is :func:`otklik.kpi.kpis_in_force` of the settings (``OTKLIK_KPIS``, else
``kpis.yaml`` in the server's folder when it exists, else the shipped set), read on every
request, so a saved edit shows at once. A team user sees the KPIs its team owns (``owner`` is
the team's slug); admins and analysts see every KPI. A team user's report is judged inside its
zone (:meth:`otklik.kpi.KpiSet.within`): every value, n, guardrail and gaming flag counts only
the items its team owns, never the company's. Reports are cached briefly by the KPI
definitions' content (zone included) and the parameters, never by name alone; after a write
they are recomputed in the background (``TTLCache``, ``keep``), and the scorecards page shows
the previous report with its time while that runs (:func:`kpi_report_marked`).
"""

from __future__ import annotations

from collections.abc import Callable

from otklik.auth import Principal
from otklik.kpi import KpiSet, Report, evaluate, kpis_in_force, load_kpis
from otklik.routing import teams_in_force
from otklik.web.scope import ZONE_FIELD
from otklik.web.state import Marked, WebState

__all__ = ["current_kpis", "kpi_report", "kpi_report_marked", "visible_kpis"]


def visible_kpis(kpis: KpiSet, user: Principal) -> KpiSet:
    """The KPIs ``user`` may see: all, or those its team owns."""
    if user.zone is None:
        return kpis
    return kpis.model_copy(update={"kpis": kpis.owned_by(user.zone)})


def current_kpis(state: WebState, user: Principal) -> KpiSet:
    """The KPI file in force, limited to what ``user`` may see."""
    kpis = load_kpis(kpis_in_force(state.settings), teams=teams_in_force(state.settings))
    return visible_kpis(kpis, user)


def _report_entry(
    state: WebState, kpis: KpiSet, zone: str | None, period: str | None, by: str | None
) -> tuple[tuple[str | None, ...], Callable[[], Report]]:
    if zone is not None:
        kpis = kpis.within({ZONE_FIELD: zone})

    def run() -> Report:
        return state.metrics.call(lambda source: evaluate(kpis, source, period=period, by=by))

    return ("kpi_report", kpis.model_dump_json(), period, by), run


def kpi_report(
    state: WebState, kpis: KpiSet, *, zone: str | None, period: str | None, by: str | None
) -> Report:
    """``evaluate(kpis, ...)`` — the function behind ``otklik kpi report`` — on the store,
    inside ``zone`` (a team user's owner team; None: the whole company); always reflects
    every write (after one it waits for the recomputation, or computes)."""
    key, run = _report_entry(state, kpis, zone, period, by)
    return state.cache.get(key, run, keep=True)


def kpi_report_marked(
    state: WebState, kpis: KpiSet, *, zone: str | None, period: str | None, by: str | None
) -> Marked[Report]:
    """:func:`kpi_report` for the scorecards page: right after a write, while the report is
    recomputed in the background (longer than ``REFRESH_WAIT_S``), the report from before
    the write with ``as_of``, the time it was computed, which the page shows
    (``TTLCache.get_marked`` says why)."""
    key, run = _report_entry(state, kpis, zone, period, by)
    return state.cache.get_marked(key, run)
