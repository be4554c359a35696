"""The KPI set the web app works with, what each user may see of it, and its report.

The file is :func:`otklik.kpi.kpis_in_force` of the settings (``OTKLIK_KPIS``, else
``kpis.yaml`` in the server's folder when it exists, else the shipped set), read on every
request, so a saved edit shows at once. A team user sees the KPIs its team owns (``owner`` is
the team's slug); admins and analysts see every KPI. A team user's report is judged inside its
zone (:meth:`otklik.kpi.KpiSet.within`): every value, n, guardrail and gaming flag counts only
the items its team owns, never the company's. Reports are cached briefly by the KPI
definitions' content (zone included) and the parameters, never by name alone.
"""

from __future__ import annotations

from otklik.auth import Principal
from otklik.kpi import KpiSet, Report, evaluate, kpis_in_force, load_kpis
from otklik.routing import teams_in_force
from otklik.web.scope import ZONE_FIELD
from otklik.web.state import WebState

__all__ = ["current_kpis", "kpi_report", "visible_kpis"]


def visible_kpis(kpis: KpiSet, user: Principal) -> KpiSet:
    """The KPIs ``user`` may see: all, or those its team owns."""
    if user.zone is None:
        return kpis
    return kpis.model_copy(update={"kpis": kpis.owned_by(user.zone)})


def current_kpis(state: WebState, user: Principal) -> KpiSet:
    """The KPI file in force, limited to what ``user`` may see."""
    kpis = load_kpis(kpis_in_force(state.settings), teams=teams_in_force(state.settings))
    return visible_kpis(kpis, user)


def kpi_report(
    state: WebState, kpis: KpiSet, *, zone: str | None, period: str | None, by: str | None
) -> Report:
    """``evaluate(kpis, ...)`` — the function behind ``otklik kpi report`` — on the store,
    inside ``zone`` (a team user's owner team; None: the whole company)."""
    if zone is not None:
        kpis = kpis.within({ZONE_FIELD: zone})

    def run() -> Report:
        return state.metrics.call(lambda source: evaluate(kpis, source, period=period, by=by))

    return state.cache.get(("kpi_report", kpis.model_dump_json(), period, by), run)
