"""What an experiment is: a hypothesis, weighted variants, a primary metric, guardrails, an MDE
and a stopping rule; read from YAML (every problem located as ``file:line: key: message``) or
built from the CLI's flags and the web form.

    experiments:
      - key: survey-sheet-vs-popup
        hypothesis: A bottom sheet gets as many answers as a popup, with honest scores
        kind: mechanic
        survey_type: csat
        variants:
          - {name: bottom-sheet, weight: 1, mechanic: bottom-sheet}
          - {name: popup, weight: 1, mechanic: popup}
        metric: response_rate
        guardrails: [csat]
        mde: 5          # percentage points for shares, points for NPS, stars for ratings
        stopping: sequential
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from otklik.errors import ConfigError
from otklik.yamlconf import ConfigIssue, LocatedYaml, check_config, issues_error, read_yaml

__all__ = [
    "KINDS",
    "METRICS",
    "ExperimentDef",
    "ExperimentMetric",
    "StoreTrigger",
    "Variant",
    "build",
    "load_experiments",
    "parse_variant",
    "read_experiments",
]

KINDS: tuple[str, ...] = ("mechanic", "channel", "timing", "store-prompt", "change")
_NAME = r"^[A-Za-z0-9_.-]+$"


@dataclass(frozen=True)
class ExperimentMetric:
    """A metric an experiment can be judged on, as one value per customer.

    ``proportion`` metrics are 0/1 per customer shown in % (MDE in percentage points);
    ``mean`` metrics are a number per customer (NPS: +100 promoter, 0 passive, −100 detractor,
    so the mean is the NPS; a store rating in stars).
    """

    name: str
    kind: Literal["proportion", "mean"]
    unit: str
    higher_is_better: bool
    baseline: float  # the planning guess when the definition gives none (% or mean)
    sd: float | None  # the planning guess of a customer's SD (means only)
    default_mde: float


METRICS: dict[str, ExperimentMetric] = {
    m.name: m
    for m in (
        ExperimentMetric("response_rate", "proportion", "%", True, 20.0, None, 3.0),
        ExperimentMetric("csat", "proportion", "%", True, 75.0, None, 5.0),
        ExperimentMetric("repeat_rate", "proportion", "%", False, 15.0, None, 3.0),
        ExperimentMetric("nps", "mean", "points", True, 30.0, 80.0, 10.0),
        ExperimentMetric("store_rating", "mean", "stars", True, 4.2, 1.2, 0.2),
    )
}


def _metric(name: str) -> str:
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r} (use {', '.join(METRICS)})")
    return name


class StoreTrigger(BaseModel):
    """When the widget may ask for an app-store rating. There is deliberately no field about
    the customer's earlier scores: asking only happy customers is review gating, which the
    App Store and Google Play forbid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    successful_payments: int = Field(default=3, ge=1, le=1000)
    no_open_complaint: bool = True
    not_asked_days: int = Field(default=90, ge=0, le=3660)


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=_NAME)
    weight: float = Field(default=1.0, gt=0, le=1000)
    mechanic: str | None = None
    channel: str | None = None
    delay_hours: float | None = Field(default=None, ge=0, le=24 * 90)
    store_prompt: StoreTrigger | None = None
    description: str = ""
    # A CX change identified by a segment or a date instead of by the hash: customers of the
    # segment, or exposed on or after the date, see this variant (not randomised).
    segment: str | None = Field(default=None, min_length=1, max_length=200)
    from_date: date | None = None


class ExperimentDef(BaseModel):
    """One experiment's definition (stored as JSON on its row)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=100, pattern=_NAME)
    hypothesis: str = Field(default="", max_length=2000)
    kind: Literal["mechanic", "channel", "timing", "store-prompt", "change"] = "change"
    unit: Literal["customer"] = "customer"
    variants: tuple[Variant, ...] = Field(min_length=2, max_length=10)
    control: str | None = None
    metric: str
    guardrails: tuple[str, ...] = ()
    mde: float | None = Field(default=None, gt=0)
    baseline: float | None = None
    sd: float | None = Field(default=None, gt=0)
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, ge=0.5, lt=1)
    stopping: Literal["sequential", "fixed"] = "sequential"
    max_days: int = Field(default=28, ge=1, le=365)
    survey_type: str | None = None
    reference_mechanic: str = "link"
    salt: str = ""

    @model_validator(mode="after")
    def _check(self) -> ExperimentDef:
        _metric(self.metric)
        for name in self.guardrails:
            _metric(name)
        names = [v.name for v in self.variants]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"variant {twice[0]!r} is given twice")
        if self.control is not None and self.control not in names:
            raise ValueError(f"control {self.control!r} is not a variant ({', '.join(names)})")
        control = self.variant(self.control_name)
        if control.segment is not None or control.from_date is not None:
            raise ValueError("the control is everyone else: give it no segment or from_date")
        if self.metric in self.guardrails:
            raise ValueError(f"{self.metric} is the primary metric; it cannot be a guardrail")
        if self.primary.kind == "proportion":  # the power calculation needs two shares
            base = self.baseline if self.baseline is not None else self.primary.baseline
            if not (0 < base < 100 and 0 < base + self.effect < 100):
                raise ValueError(
                    f"{self.metric} is a share in %: baseline ({base:g}) and baseline + MDE "
                    f"({base + self.effect:g}) must lie strictly between 0 and 100"
                )
        return self

    @property
    def control_name(self) -> str:
        return self.control or self.variants[0].name

    @property
    def randomised(self) -> bool:
        """False when variants are picked by segment or date (a before/after or segment
        comparison: differences may be confounded, and the sample ratio means nothing)."""
        return not any(v.segment is not None or v.from_date is not None for v in self.variants)

    @property
    def primary(self) -> ExperimentMetric:
        return METRICS[self.metric]

    @property
    def effect(self) -> float:
        """The MDE in the metric's unit (given, else the metric's default)."""
        return self.mde if self.mde is not None else self.primary.default_mde

    def variant(self, name: str) -> Variant:
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise KeyError(name)

    def weights(self) -> list[float]:
        total = sum(v.weight for v in self.variants)
        return [v.weight / total for v in self.variants]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    experiments: tuple[ExperimentDef, ...] = Field(min_length=1)


def _check_file(config: _File, doc: LocatedYaml) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    first: dict[str, int] = {}
    for position, experiment in enumerate(config.experiments):
        if experiment.key in first:
            line = doc.line_of(("experiments", first[experiment.key], "key"))
            issues.append(
                doc.issue(
                    ("experiments", position, "key"),
                    f"experiment {experiment.key!r} is given twice (first at line {line})",
                )
            )
        first.setdefault(experiment.key, position)
    return issues


def read_experiments(path: Path) -> tuple[list[ExperimentDef] | None, list[ConfigIssue]]:
    """The experiments in a YAML file and every problem in it (``file:line: key: message``)."""
    doc = read_yaml(path, what="experiments file")
    config, issues = check_config(doc, _File, _check_file)
    return (list(config.experiments) if config else None), issues


def load_experiments(path: Path) -> list[ExperimentDef]:
    """The experiments in ``path``, validated; any problem raises ConfigError (all of them)."""
    found, issues = read_experiments(path)
    if found is None:
        raise issues_error(issues)
    return found


def parse_variant(text: str) -> Variant:
    """``NAME`` or ``NAME=WEIGHT`` (the CLI's ``--variant``); a variant named after a survey
    mechanic shows that mechanic."""
    name, _, weight = text.partition("=")
    name = name.strip()
    if not re.match(_NAME, name or "-"):
        raise ConfigError(f"--variant {text!r}: a name of letters, digits, '.', '_' or '-'")
    try:
        value = float(weight) if weight else 1.0
    except ValueError:
        raise ConfigError(f"--variant {text!r}: the weight must be a number") from None
    from otklik.surveys import MECHANICS

    mechanic = name if name in MECHANICS else None
    try:
        return Variant(name=name, weight=value, mechanic=mechanic)
    except ValidationError as exc:
        raise ConfigError(f"--variant {text!r}: {exc.errors()[0]['msg']}") from None


def build(data: dict[str, Any]) -> ExperimentDef:
    """An experiment from a mapping (CLI flags, a web form); problems raise one ConfigError."""
    try:
        return ExperimentDef.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "experiment"
            lines.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(lines)) from None
