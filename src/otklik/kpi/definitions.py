"""KPI definitions: YAML (``data/kpis.yaml`` by default), validated, every problem located.

A KPI is a metric of the catalogue, a scope (the company, or a channel, team, agent or
product), an evaluation period, a target and its direction, an owner, and guardrails: the
counter-metrics that move when the KPI is hit the easy way. A guardrail is one of

* ``metric: NAME`` with ``tolerance`` (how much worse than the previous period or the peer
  group it may get, in its unit: percentage points for shares) and/or ``limit`` (a bound it
  must never cross);
* ``check: sample_size`` with ``min``: the KPI's own n must reach it (NPS on 40 answers is
  noise);
* ``check: survey_coverage`` with ``min``: answers to the KPI's survey metric per 100
  handled contacts in the scope (an agent who picks whom to ask answers few).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from otklik.config import Settings, load_settings
from otklik.errors import ConfigError, MetricError, NotFoundError
from otklik.metrics import Grain, MetricParams, MetricSpec, get_metric
from otklik.metrics.query import SEGMENT_FIELDS
from otklik.routing.teams import read_teams, teams_in_force
from otklik.types import CHANNEL_ALIASES, SCALES, normalize_channel
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    YamlSyntaxError,
    check_config,
    did_you_mean,
    issues_error,
    parse_yaml,
    read_yaml,
    unknown_name,
    write_atomically,
)

__all__ = [
    "DEFAULT_KPIS",
    "SCOPE_FIELDS",
    "GamingRule",
    "GuardrailDef",
    "KpiDef",
    "KpiSet",
    "TeamsArg",
    "describe",
    "is_shipped",
    "kpis_in_force",
    "kpis_save_path",
    "load_kpis",
    "parse_kpis",
    "read_kpis",
    "save_kpis",
]

DEFAULT_KPIS = Path(str(resources.files("otklik.kpi") / "data" / "kpis.yaml"))
SCOPE_FIELDS: tuple[str, ...] = ("channel", "team", "agent", "product", "owner_team")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_STRICT = ConfigDict(extra="forbid")
_CHANNELS = frozenset(CHANNEL_ALIASES.values())

# The teams a KPI's owner must be one of: a teams file, the names themselves, or None for the
# teams file in force ($OTKLIK_TEAMS, else the shipped one).
TeamsArg = Path | Collection[str] | None


def _team_names(teams: TeamsArg) -> tuple[frozenset[str] | None, str | None]:
    """The team names to check owners against, or None and why they cannot be had (a teams
    file that cannot be read or has problems of its own)."""
    if teams is None:
        teams = teams_in_force(load_settings())
    if not isinstance(teams, Path):
        return frozenset(teams), None
    why = f"owners cannot be checked: the teams file {teams} has problems (`otklik validate`)"
    try:
        config, _issues = read_teams(teams)
    except ConfigError:
        return None, why
    return (frozenset(config.teams), None) if config is not None else (None, why)


def _metric_name(value: str) -> str:
    try:
        return get_metric(value).name
    except MetricError as exc:  # pydantic reports ValueErrors with their location
        raise ValueError(str(exc)) from None


class GuardrailDef(BaseModel):
    """One counter-metric (``metric``) or check (``check``) that keeps a KPI honest."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    metric: str | None = None
    check: Literal["sample_size", "survey_coverage"] | None = None
    tolerance: float | None = Field(default=None, ge=0)
    limit: float | None = None
    minimum: float | None = Field(default=None, alias="min", ge=0)
    window_days: int | None = Field(default=None, ge=1, le=365)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str | None) -> str | None:
        return None if value is None else _metric_name(value)

    @model_validator(mode="after")
    def _one_kind(self) -> GuardrailDef:
        if (self.metric is None) == (self.check is None):
            raise ValueError("a guardrail is either `metric: NAME` or `check: KIND`, not both")
        if self.metric is not None:
            if self.tolerance is None and self.limit is None:
                raise ValueError(f"guardrail {self.metric}: give a tolerance, a limit or both")
            if self.minimum is not None:
                raise ValueError("`min` belongs to checks; a metric takes tolerance or limit")
        else:
            if self.minimum is None:
                raise ValueError(f"check {self.check}: give its `min`")
            if self.tolerance is not None or self.limit is not None or self.window_days:
                raise ValueError(f"check {self.check} takes only `min`")
        return self

    @property
    def name(self) -> str:
        """The metric's name, or the check's."""
        found = self.metric or self.check
        assert found is not None
        return found

    @property
    def spec(self) -> MetricSpec | None:
        return get_metric(self.metric) if self.metric is not None else None


class GamingRule(BaseModel):
    """Thresholds of the peer comparison (docs/kpi.md explains the rule)."""

    model_config = _STRICT

    min_n: int = Field(default=30, ge=2)
    min_peers: int = Field(default=5, ge=3)
    kpi_z: float = Field(default=2.0, gt=0)
    guardrail_z: float = Field(default=3.0, gt=0)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)


class KpiDef(BaseModel):
    """One KPI: a metric in a scope, with a target, an owner and its guardrails."""

    model_config = _STRICT

    name: str
    title: dict[str, str] | str | None = None
    metric: str
    scope: dict[str, str] | Literal["company"] = "company"
    period: Literal["week", "month", "quarter", "year"] = "month"
    target: float
    direction: Literal["higher", "lower"] | None = None
    owner: str
    window_days: int | None = Field(default=None, ge=1, le=365)
    min_n: int = Field(default=30, ge=1)
    guardrails: list[GuardrailDef] = []
    why: dict[str, str] | str | None = None

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        return _metric_name(value)

    @property
    def spec(self) -> MetricSpec:
        return get_metric(self.metric)

    @property
    def filters(self) -> dict[str, str]:
        """The scope as metric filters ({} for the whole company)."""
        return {} if self.scope == "company" else dict(self.scope)

    @property
    def grain(self) -> Grain:
        return Grain(self.period)

    @property
    def lower_is_better(self) -> bool:
        if self.direction is not None:
            return self.direction == "lower"
        return self.spec.higher_is_better is False

    def label(self, language: str = "en") -> str:
        if isinstance(self.title, str):
            return self.title
        if self.title:
            return self.title.get(language) or self.title.get("en") or self.name
        return self.name

    def reason(self, language: str = "en") -> str | None:
        """``why`` in ``language`` (``why: {ru: …, en: …}`` or one text for all), or None."""
        if isinstance(self.why, str) or self.why is None:
            return self.why
        return self.why.get(language) or self.why.get("en") or next(iter(self.why.values()), None)


class KpiSet(BaseModel):
    """A KPI file: its KPIs and the gaming rule's thresholds."""

    model_config = _STRICT

    version: int = Field(default=1, ge=1, le=1)
    gaming: GamingRule = Field(default_factory=GamingRule)
    kpis: list[KpiDef]

    def get(self, name: str) -> KpiDef:
        for kpi in self.kpis:
            if kpi.name == name:
                return kpi
        known = ", ".join(kpi.name for kpi in self.kpis)
        raise NotFoundError(f"no KPI named {name!r} (known: {known})")

    def owned_by(self, owner: str) -> list[KpiDef]:
        return [kpi for kpi in self.kpis if kpi.owner == owner]

    def within(self, zone: Mapping[str, str]) -> KpiSet:
        """The same KPIs judged only inside ``zone`` (a team user's ``{"owner_team": slug}``):
        each KPI's scope gains the zone's filters, so every value, guardrail, peer group and
        gaming flag counts only the zone's observations. A metric whose table has no such
        field (``response_rate`` reads invitations) comes back unavailable, never company-wide.
        """
        if not zone:
            return self
        zoned = [kpi.model_copy(update={"scope": {**kpi.filters, **zone}}) for kpi in self.kpis]
        return self.model_copy(update={"kpis": zoned})


# The longest duration a target may name: 30 days (a handle or resolution time beyond it is a
# typo, and a number like 1e308 would break every page that shows it).
_LONGEST_S = 30 * 24 * 3600.0


def _target_range(spec: MetricSpec) -> tuple[float, float] | None:
    if spec.unit == "%":
        return 0.0, 100.0
    if spec.unit == "points":
        return -100.0, 100.0
    if spec.unit == "score" and spec.scales:
        scales = [SCALES[name] for name in spec.scales]
        return float(min(s.low for s in scales)), float(max(s.high for s in scales))
    if spec.unit == "s":
        return 0.0, _LONGEST_S
    return None


def _check_window(
    spec: MetricSpec, days: int | None, key: tuple[str | int, ...], doc: LocatedYaml
) -> list[ConfigIssue]:
    try:
        spec.resolve(MetricParams(window_days=days))
    except MetricError as exc:
        return [doc.issue(key, str(exc))]
    return []


def _check_channel(value: str, key: tuple[str | int, ...], doc: LocatedYaml) -> list[ConfigIssue]:
    """A channel is stored under its canonical name (``normalize_channel``): a scope spelled
    any other way, or a letter off a known channel (``cal``), would match no item. A channel
    otklik does not know and that is not close to one (``kiosk``) is the company's own."""
    stored = normalize_channel(value)
    if stored != value:
        return [doc.issue(key, f"channel {value!r} is stored as {stored!r}; write {stored}")]
    hint = did_you_mean(value, _CHANNELS, cutoff=0.8)
    if value not in _CHANNELS and hint:
        return [doc.issue(key, unknown_name("channel", value, _CHANNELS))]
    return []


def _check_kpi(
    kpi: KpiDef, position: int, doc: LocatedYaml, teams: frozenset[str] | None
) -> list[ConfigIssue]:
    at: tuple[str | int, ...] = ("kpis", position)
    spec = kpi.spec
    issues: list[ConfigIssue] = []
    if not _SLUG.match(kpi.name):
        issues.append(doc.issue((*at, "name"), f"{kpi.name!r}: use lower-case letters, digits, _"))
    allowed = SEGMENT_FIELDS[spec.table]
    for field, value in kpi.filters.items():
        if field not in SCOPE_FIELDS or field not in allowed:
            usable = [name for name in SCOPE_FIELDS if name in allowed]
            hint = did_you_mean(field, usable)
            issues.append(
                doc.issue(
                    (*at, "scope", field),
                    f"{spec.name} cannot be scoped by {field!r}{hint} (use company or "
                    f"{', '.join(usable) or 'nothing else'})",
                )
            )
        elif field == "channel":
            issues += _check_channel(value, (*at, "scope", field), doc)
        elif field == "owner_team" and teams is not None and value not in teams:
            issues.append(doc.issue((*at, "scope", field), unknown_name("team", value, teams)))
    if teams is not None and kpi.owner not in teams:
        issues.append(doc.issue((*at, "owner"), unknown_name("team", kpi.owner, teams)))
    wanted_lower = kpi.direction == "lower"
    known = kpi.direction is not None and spec.higher_is_better is not None
    if known and wanted_lower == spec.higher_is_better:
        better = "higher" if spec.higher_is_better else "lower"
        issues.append(
            doc.issue(
                (*at, "direction"),
                f"{spec.name}: {better} is better in the catalogue; a KPI pushing it the "
                "other way rewards making things worse",
            )
        )
    if kpi.direction is None and spec.higher_is_better is None:
        issues.append(doc.issue((*at, "direction"), f"{spec.name}: say higher or lower"))
    bounds = _target_range(spec)
    if not math.isfinite(kpi.target) or abs(kpi.target) > 1e12:
        issues.append(doc.issue((*at, "target"), f"{kpi.target:g} is not a usable target"))
    elif bounds is not None and not bounds[0] <= kpi.target <= bounds[1]:
        issues.append(
            doc.issue(
                (*at, "target"),
                f"{kpi.target:g} is outside what {spec.name} can be ({bounds[0]:g}…{bounds[1]:g} "
                f"{spec.unit})",
            )
        )
    issues += _check_window(spec, kpi.window_days, (*at, "window_days"), doc)
    seen: set[str] = set()
    for index, guard in enumerate(kpi.guardrails):
        key = (*at, "guardrails", index)
        label = f"{guard.name}:{guard.window_days or ''}"
        if label in seen:
            issues.append(doc.issue(key, f"guardrail {guard.name} is listed twice"))
        seen.add(label)
        if guard.metric is None:
            if guard.check == "survey_coverage" and not spec.scales:
                issues.append(
                    doc.issue(key, f"survey coverage needs a survey metric, not {spec.name}")
                )
            continue
        guard_spec = get_metric(guard.metric)
        if guard_spec.name == spec.name and guard.window_days == kpi.window_days:
            issues.append(doc.issue((*key, "metric"), "a KPI cannot guard itself"))
        issues += _check_window(guard_spec, guard.window_days, (*key, "window_days"), doc)
        guard_fields = SEGMENT_FIELDS[guard_spec.table]
        missing = [field for field in kpi.filters if field not in guard_fields]
        if missing:
            issues.append(
                doc.issue(
                    (*key, "metric"),
                    f"{guard_spec.name} has no {', '.join(missing)} to follow the KPI's scope",
                )
            )
    return issues


def _check(config: KpiSet, doc: LocatedYaml, teams: frozenset[str] | None) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    names: set[str] = set()
    for position, kpi in enumerate(config.kpis):
        if kpi.name in names:
            issues.append(doc.issue(("kpis", position, "name"), f"{kpi.name!r} is used twice"))
        names.add(kpi.name)
        issues += _check_kpi(kpi, position, doc, teams)
    return issues


def _validated(doc: LocatedYaml, teams: TeamsArg) -> tuple[KpiSet | None, list[ConfigIssue]]:
    names, why = _team_names(teams)

    def check(config: KpiSet, located: LocatedYaml) -> list[ConfigIssue]:
        found = _check(config, located, names)
        return found if why is None else [located.issue(("kpis",), why), *found]

    return check_config(doc, KpiSet, check)


def read_kpis(
    path: Path | None = None, *, teams: TeamsArg = None
) -> tuple[KpiSet | None, list[ConfigIssue]]:
    """The KPI file at ``path`` (default: the shipped one) and every problem in it.

    Every name the file refers to must exist: metrics and guardrail metrics in the catalogue,
    scope fields, channels, and each KPI's ``owner`` among ``teams`` (a teams file, or the
    names; default: the teams file in force, ``$OTKLIK_TEAMS`` or the shipped one).
    """
    return _validated(read_yaml(path or DEFAULT_KPIS, what="KPI file"), teams)


def parse_kpis(
    source: str, label: str = "kpis.yaml", *, teams: TeamsArg = None
) -> tuple[KpiSet | None, list[ConfigIssue]]:
    """KPI YAML text checked exactly as :func:`read_kpis` checks a file; invalid YAML is one
    issue, not an exception."""
    try:
        doc = parse_yaml(source, label)
    except YamlSyntaxError as exc:
        return None, [exc.issue]
    return _validated(doc, teams)


def save_kpis(
    source: str, path: Path, *, teams: TeamsArg = None
) -> tuple[KpiSet | None, list[ConfigIssue]]:
    """Check ``source`` and, only when it has no problem, write it to ``path`` atomically (a
    temporary file beside it, then ``os.replace``): readers see the old file or the new one."""
    config, issues = parse_kpis(source, str(path), teams=teams)
    if config is None:
        return None, issues
    write_atomically(path, source)
    return config, []


def is_shipped(path: Path) -> bool:
    """Whether ``path`` is the KPI set shipped inside the package (never written to)."""
    return path.resolve() == DEFAULT_KPIS.resolve()


def kpis_save_path(settings: Settings) -> Path:
    """Where KPI edits are saved: ``$OTKLIK_KPIS`` when set (and not the shipped file), else
    ``$OTKLIK_KPIS_LOCAL`` (``kpis.yaml`` in the current folder)."""
    configured = settings.kpis
    if configured is not None and not is_shipped(configured):
        return configured
    return settings.kpis_local


def kpis_in_force(settings: Settings) -> Path:
    """The KPI file in use: ``$OTKLIK_KPIS`` when set (and not the shipped file); else the
    local file (``$OTKLIK_KPIS_LOCAL``, ``kpis.yaml``) when it exists; else the shipped set."""
    configured = settings.kpis
    if configured is not None and not is_shipped(configured):
        return configured
    return settings.kpis_local if settings.kpis_local.is_file() else DEFAULT_KPIS


def load_kpis(path: Path | None = None, *, teams: TeamsArg = None) -> KpiSet:
    """The KPI set at ``path``; any problem (see :func:`read_kpis`) raises
    :class:`~otklik.errors.ConfigError`."""
    config, issues = read_kpis(path, teams=teams)
    if config is None:
        raise issues_error(issues)
    return config


def describe(kpi: KpiDef) -> Mapping[str, Any]:
    """A KPI as plain data (for JSON and templates)."""
    return {
        "name": kpi.name,
        "metric": kpi.metric,
        "scope": kpi.filters,
        "period": kpi.period,
        "target": kpi.target,
        "direction": "lower" if kpi.lower_is_better else "higher",
        "owner": kpi.owner,
        "guardrails": [g.model_dump(exclude_none=True, by_alias=True) for g in kpi.guardrails],
    }
