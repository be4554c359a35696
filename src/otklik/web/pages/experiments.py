"""Experiments (admin, analyst): every experiment's status, sample sizes, the live estimate
with its interval, the stopping decision and the rollout stage; a form to define a new one;
per experiment, the comparisons, guardrails, mechanic honesty and the store rating trend."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.auth import Role
from otklik.errors import ConfigError
from otklik.experiments import (
    METRICS,
    Analysis,
    analyze,
    build,
    create_experiment,
    events,
    get_experiment,
    list_experiments,
    mechanic_honesty,
    parse_variant,
    plan,
    rating_trend,
)
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import (
    PageUser,
    StateDep,
    TranslatorDep,
    WriterUser,
    require_role,
    session_of,
)
from otklik.web.i18n import Translator
from otklik.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _list(
    request: Request,
    state: Any,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rows = []
    for stored in list_experiments(state.engine):
        analysis = analyze(state.engine, stored.key)
        rows.append({"stored": stored, "analysis": analysis})
    return render(
        request,
        "experiments.html",
        {
            "rows": rows,
            "metrics": list(METRICS),
            "error": error,
            "form": form or {},
        },
        status=status,
    )


@router.get("/experiments")
def experiments_page(request: Request, user: PageUser, state: StateDep) -> Response:
    require_role(user, Role.ADMIN, Role.ANALYST)
    return _list(request, state)


@router.post("/experiments")
def create_page(
    request: Request,
    user: WriterUser,
    state: StateDep,
    key: Annotated[str, Form(max_length=100)] = "",
    hypothesis: Text = "",
    variants: Text = "",
    metric: Annotated[str, Form(max_length=50)] = "",
    guardrails: Text = "",
    mde: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Define and start an experiment from the form (same checks as the CLI)."""
    session_of(request).check_csrf(csrf_token)
    require_role(user, Role.ADMIN, Role.ANALYST)
    form = {
        "key": key,
        "hypothesis": hypothesis,
        "variants": variants,
        "metric": metric,
        "guardrails": guardrails,
        "mde": mde,
    }
    try:
        data: dict[str, Any] = {
            "key": key.strip(),
            "hypothesis": hypothesis.strip(),
            "variants": [parse_variant(v).model_dump() for v in _split(variants)],
            "metric": metric,
            "guardrails": _split(guardrails),
        }
        if mde.strip():
            try:
                data["mde"] = float(mde.replace(",", "."))
            except ValueError:
                raise ConfigError(f"mde: {mde!r} is not a number") from None
        create_experiment(state.engine, build(data))
    except ConfigError as exc:
        return _list(request, state, error=str(exc), form=form, status=400)
    return RedirectResponse(f"/experiments/{key.strip()}", status_code=303)


def _path_figure(analysis: Analysis, start: datetime, t: Translator) -> dict[str, Any] | None:
    """The live estimate of the first treatment over the looks, inside its always-valid
    95% interval (which may be read every day)."""
    found = next((c for c in analysis.comparisons if c.path), None)
    if found is None:
        return None
    days = [(start + timedelta(days=day)).date().isoformat() for day, *_ in found.path]
    band = "rgba(31,119,180,0.18)"
    return {
        "data": [
            {
                "x": days,
                "y": [p[3] for p in found.path],
                "mode": "lines",
                "line": {"width": 0},
                "hoverinfo": "skip",
                "type": "scatter",
            },
            {
                "x": days,
                "y": [p[2] for p in found.path],
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": band,
                "hoverinfo": "skip",
                "type": "scatter",
            },
            {
                "x": days,
                "y": [p[1] for p in found.path],
                "mode": "lines+markers",
                "type": "scatter",
                "name": t("experiments.chart.difference"),
                "hovertemplate": "%{x}: %{y:.2f}<extra></extra>",
            },
        ],
        "layout": {
            "height": 280,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "showlegend": False,
            "hovermode": "closest",
            "xaxis": {"type": "date", "automargin": True},
            "yaxis": {
                "title": {"text": t("experiments.chart.axis", variant=found.variant)},
                "zeroline": True,
                "automargin": True,
            },
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


@router.get("/experiments/{key}")
def experiment_page(
    request: Request, key: str, user: PageUser, state: StateDep, t: TranslatorDep
) -> Response:
    require_role(user, Role.ADMIN, Role.ANALYST)
    stored = get_experiment(state.engine, key[:100])
    analysis = analyze(state.engine, stored.key)
    definition = stored.definition
    honesty = []
    if definition.kind == "mechanic":
        honesty = mechanic_honesty(
            state.engine, reference=definition.reference_mechanic, experiment=None
        )
    return render(
        request,
        "experiment.html",
        {
            "stored": stored,
            "definition": definition,
            "analysis": analysis,
            "planned": plan(definition),
            "figure": _path_figure(analysis, stored.started_at or stored.created_at, t),
            "honesty": honesty,
            "trend": rating_trend(state.engine, stored.key)
            if definition.metric == "store_rating"
            else [],
            "events": [
                {**e, "when": datetime.fromisoformat(e["at"].removesuffix("Z"))}
                for e in events(state.engine, stored.key)
            ],
        },
    )
