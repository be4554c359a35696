"""Configuration in the browser: the taxonomy, the teams and the KPIs through forms and a raw
YAML editor, each save validated like the CLI and versioned (``otklik.configs``), with the
history of every document, its diffs and a revert button.

Admins change everything; a team lead (role ``lead``) only their own team's SLA, the keywords
of topics their team owns and their team's KPIs; analysts read; the team role is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik import configs
from otklik.auth import Principal, Role
from otklik.classify import parse_taxonomy
from otklik.configs import ConfigKind, SaveResult
from otklik.errors import ConfigError
from otklik.kpi import parse_kpis
from otklik.metrics import metric_names
from otklik.routing import parse_teams
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import PageUser, StateDep, require_role, session_of
from otklik.web.errors import ApiError
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["check_for", "config_reader", "config_writer", "router"]

router = APIRouter(include_in_schema=False)
_MAX_CHARS = 500_000
_LABEL_LANGUAGES = ("ru", "en")
_PERIODS = ("week", "month", "quarter", "year")
_KEYWORD_LANGUAGES = ("ru", "en", "id", "ar", "es")  # the form's; others are kept as they are
Text = Annotated[str, Form(max_length=_MAX_CHARS)]
Short = Annotated[str, Form(max_length=2000)]
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]


def config_reader(user: Principal) -> Principal:
    """Who may open the configuration pages: admins, analysts (read-only) and team leads."""
    return require_role(user, Role.ADMIN, Role.ANALYST, Role.LEAD)


def config_writer(request: Request, user: Principal, csrf_token: str) -> Principal:
    """Who may save: admins and team leads, with the form's CSRF token."""
    require_role(user, Role.ADMIN, Role.LEAD)
    session_of(request).check_csrf(csrf_token)
    return user


def check_for(user: Principal, kind: ConfigKind) -> Any:
    """The team lead's limits for ``kind`` (None for admins)."""
    return configs.lead_check(kind, user.lead_of) if user.lead_of else None


def _kind(value: str) -> ConfigKind:
    try:
        return ConfigKind(value)
    except ValueError:
        raise ApiError(404, f"no config document {value!r}", code="not_found") from None


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.replace("\n", ",").split(",") if word.strip()]


def _source(state: WebState, kind: ConfigKind) -> str:
    return configs.read_source(kind, state.settings)


def _save(
    request: Request,
    state: WebState,
    user: Principal,
    kind: ConfigKind,
    source: str,
    comment: str,
) -> Response:
    """Save, then back to the editor; problems (or a refusal) re-draw it with them."""
    try:
        result = configs.save_config(
            state.engine,
            state.settings,
            kind,
            source,
            author=user.email,
            comment=comment.strip() or None,
            check=check_for(user, kind),
        )
    except ConfigError as exc:
        return _editor(request, state, user, kind, source=source, failure=str(exc), status=409)
    except OSError as exc:
        failure = f"{exc.filename or ''}: {exc.strerror or exc}"
        return _editor(request, state, user, kind, source=source, failure=failure, status=500)
    if not result.ok:
        return _editor(request, state, user, kind, source=source, result=result, status=422)
    version = result.version.version if result.version else ""
    return RedirectResponse(f"/admin/{kind.value}?saved={version}", status_code=303)


def _topics(source: str, locale: str) -> list[dict[str, Any]]:
    taxonomy, _issues = parse_taxonomy(source)
    if taxonomy is None:
        return []
    return [
        {
            "id": node.id,
            "depth": node.id.count("."),
            "title": node.title(locale),
            "labels": {lang: node.topic.label.get(lang, "") for lang in _LABEL_LANGUAGES},
            "owner": node.topic.owner or "",
            "resolved_owner": node.owner,
            "keywords": {
                lang: ", ".join(node.topic.keywords.get(lang, [])) for lang in _KEYWORD_LANGUAGES
            },
        }
        for node in taxonomy.flat_topics()
    ]


def _other_keywords(source: str, topic_id: str) -> dict[str, list[str]]:
    """The topic's keywords in languages the form does not show (kept by a form save)."""
    taxonomy, _issues = parse_taxonomy(source)
    nodes = {node.id: node for node in taxonomy.flat_topics()} if taxonomy else {}
    node = nodes.get(topic_id)
    if node is None:
        return {}
    return {
        lang: list(words)
        for lang, words in node.topic.keywords.items()
        if lang not in _KEYWORD_LANGUAGES
    }


def _teams(source: str) -> list[dict[str, Any]]:
    config, _issues = parse_teams(source)
    if config is None:
        return []
    return [
        {
            "name": name,
            "labels": {lang: spec.label.get(lang, "") for lang in _LABEL_LANGUAGES},
            "sla_hours": spec.sla_hours,
            "first_response_hours": spec.first_response_hours,
            "escalate_to": spec.escalate_to or "",
        }
        for name, spec in config.teams.items()
    ]


def _kpis(source: str, state: WebState) -> list[dict[str, Any]]:
    config, _issues = parse_kpis(source, teams=configs.team_names(state.settings) or ())
    if config is None:
        return []
    return [
        {
            "name": kpi.name,
            "metric": kpi.metric,
            "period": kpi.period,
            "target": kpi.target,
            "owner": kpi.owner,
            "min_n": kpi.min_n,
            "guardrails": [g.model_dump(exclude_none=True, by_alias=True) for g in kpi.guardrails],
        }
        for kpi in config.kpis
    ]


def _editor(
    request: Request,
    state: WebState,
    user: Principal,
    kind: ConfigKind,
    *,
    source: str | None = None,
    result: SaveResult | None = None,
    failure: str | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    in_force = _source(state, kind)
    text = in_force if source is None else source
    issues = result.issues if result is not None else []
    if source is None and not failure:
        issues = configs.validate_config(kind, in_force, state.settings)
    writable = configs.writable_file(kind, state.settings)
    context: dict[str, Any] = {
        "kind": kind.value,
        "source": text,
        "issues": issues,
        "failure": failure,
        "saved": saved,
        "file": configs.file_in_force(kind, state.settings),
        "writable": writable,
        "can_edit": writable is not None and user.role in (Role.ADMIN, Role.LEAD),
        "lead_of": user.lead_of,
        "languages": _KEYWORD_LANGUAGES,
        "label_languages": _LABEL_LANGUAGES,
        "team_names": sorted(configs.team_names(state.settings) or ()),
        "versions": configs.list_versions(state.engine, kind.value)[:5],
    }
    if kind is ConfigKind.TAXONOMY:
        context["topics"] = _topics(in_force, request.state.locale)
    elif kind is ConfigKind.TEAMS:
        context["teams"] = _teams(in_force)
    else:
        context["kpis"] = _kpis(in_force, state)
        context["metrics"] = sorted(metric_names())
        context["periods"] = _PERIODS
    return render(request, f"admin_{kind.value}.html", context, status)


@router.get("/admin")
def admin_home(request: Request, user: PageUser, state: StateDep) -> Response:
    """The configuration hub: each document with its file, its last version and links."""
    config_reader(user)
    documents = [
        {
            "kind": kind.value,
            "file": configs.file_in_force(kind, state.settings),
            "writable": configs.writable_file(kind, state.settings),
            "latest": configs.latest_version(state.engine, kind.value),
        }
        for kind in ConfigKind
    ]
    return render(request, "admin_home.html", {"documents": documents})


@router.get("/admin/{kind}")
def config_page(
    request: Request, kind: str, user: PageUser, state: StateDep, saved: str = ""
) -> Response:
    config_reader(user)
    return _editor(request, state, user, _kind(kind), saved=saved[:10])


@router.post("/admin/{kind}")
def save_raw(
    request: Request,
    kind: str,
    user: PageUser,
    state: StateDep,
    source: Text = "",
    comment: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    """The raw YAML editor: the whole document, checked like the CLI."""
    config_writer(request, user, csrf_token)
    return _save(request, state, user, _kind(kind), source, comment)


@router.post("/admin/taxonomy/topic")
def save_topic(
    request: Request,
    user: PageUser,
    state: StateDep,
    topic_id: Annotated[str, Form(max_length=200)],
    action: Short = "save",
    owner: Short = "",
    label_ru: Short = "",
    label_en: Short = "",
    keywords_ru: Text = "",
    keywords_en: Text = "",
    keywords_id: Text = "",
    keywords_ar: Text = "",
    keywords_es: Text = "",
    comment: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    """Add, change or remove one topic (titles ru/en, owner team, keywords per language)."""
    config_writer(request, user, csrf_token)
    keywords = {
        "ru": keywords_ru,
        "en": keywords_en,
        "id": keywords_id,
        "ar": keywords_ar,
        "es": keywords_es,
    }
    source = _source(state, ConfigKind.TAXONOMY)
    try:
        if action == "remove":
            new = configs.remove_topic(source, topic_id)
        else:
            kept = _other_keywords(source, topic_id.strip())
            new = configs.set_topic(
                source,
                topic_id.strip(),
                labels={"ru": label_ru.strip(), "en": label_en.strip()},
                owner=owner.strip() or None,
                keywords=kept | {lang: _words(words) for lang, words in keywords.items()},
            )
    except ConfigError as exc:
        return _editor(request, state, user, ConfigKind.TAXONOMY, failure=str(exc), status=422)
    return _save(request, state, user, ConfigKind.TAXONOMY, new, comment)


@router.post("/admin/teams/team")
def save_team(
    request: Request,
    user: PageUser,
    state: StateDep,
    name: Annotated[str, Form(max_length=200)],
    action: Short = "save",
    label_ru: Short = "",
    label_en: Short = "",
    sla_hours: Short = "",
    first_response_hours: Short = "",
    escalate_to: Short = "",
    comment: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    """Add, change or remove one team (titles, SLA hours, first response hours, escalation)."""
    config_writer(request, user, csrf_token)
    source = _source(state, ConfigKind.TEAMS)
    try:
        if action == "remove":
            new = configs.remove_team(source, name.strip())
        else:
            new = configs.set_team(
                source,
                name.strip(),
                labels={"ru": label_ru, "en": label_en},
                sla_hours=_number(sla_hours, "sla_hours"),
                first_response_hours=_number(first_response_hours, "first_response_hours")
                if first_response_hours.strip()
                else None,
                escalate_to=escalate_to.strip() or None,
            )
    except ConfigError as exc:
        return _editor(request, state, user, ConfigKind.TEAMS, failure=str(exc), status=422)
    return _save(request, state, user, ConfigKind.TEAMS, new, comment)


@router.post("/admin/kpis/kpi")
def save_kpi(
    request: Request,
    user: PageUser,
    state: StateDep,
    name: Annotated[str, Form(max_length=200)],
    action: Short = "save",
    metric: Short = "",
    period: Short = "month",
    target: Short = "",
    owner: Short = "",
    min_n: Short = "",
    guardrail_metric: Short = "",
    guardrail_tolerance: Short = "",
    guardrail_min_n: Short = "",
    comment: Short = "",
    csrf_token: Csrf = "",
) -> Response:
    """Add, change or remove one KPI: metric from the catalogue, period, target, owner, min_n
    and up to two guardrails (a counter-metric with its tolerance, a minimum sample size)."""
    config_writer(request, user, csrf_token)
    source = _source(state, ConfigKind.KPIS)
    try:
        if action == "remove":
            new = configs.remove_kpi(source, name.strip())
        else:
            guardrails: list[dict[str, Any]] = []
            if guardrail_metric.strip():
                guardrails.append(
                    {
                        "metric": guardrail_metric.strip(),
                        "tolerance": _number(guardrail_tolerance, "guardrail_tolerance"),
                    }
                )
            if guardrail_min_n.strip():
                guardrails.append(
                    {"check": "sample_size", "min": int(_number(guardrail_min_n, "min"))}
                )
            new = configs.set_kpi(
                source,
                {
                    "name": name.strip(),
                    "metric": metric.strip(),
                    "period": period.strip(),
                    "target": _number(target, "target"),
                    "owner": owner.strip(),
                    "min_n": int(_number(min_n, "min_n")) if min_n.strip() else None,
                    "guardrails": guardrails,
                },
            )
    except ConfigError as exc:
        return _editor(request, state, user, ConfigKind.KPIS, failure=str(exc), status=422)
    return _save(request, state, user, ConfigKind.KPIS, new, comment)


def _number(value: str, field: str) -> float:
    try:
        number = float(value.strip().replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise ConfigError(f"{field}: {value!r} is not a number") from None
    return int(number) if number.is_integer() else number


@router.get("/admin/{kind}/history")
def history_page(request: Request, kind: str, user: PageUser, state: StateDep) -> Response:
    """Every version of the document, newest first, with who, when, comment and diff."""
    config_reader(user)
    found = _kind(kind)
    return render(
        request,
        "admin_history.html",
        {
            "kind": found.value,
            "title_key": f"admin.doc.{found.value}",
            "back": f"/admin/{found.value}",
            "revert_base": f"/admin/{found.value}/history",
            "can_edit": user.role in (Role.ADMIN, Role.LEAD)
            and configs.writable_file(found, state.settings) is not None,
            "versions": [
                (v, configs.version_diff(state.engine, found.value, v.version))
                for v in configs.list_versions(state.engine, found.value)
            ],
        },
    )


@router.post("/admin/{kind}/history/{version}/revert")
def revert(
    request: Request,
    kind: str,
    version: int,
    user: PageUser,
    state: StateDep,
    csrf_token: Csrf = "",
) -> Response:
    """Make an old version the one in force again (as a new version)."""
    config_writer(request, user, csrf_token)
    found = _kind(kind)
    old = configs.get_version(state.engine, found.value, version)
    return _save(request, state, user, found, old.content, f"revert to version {version}")
