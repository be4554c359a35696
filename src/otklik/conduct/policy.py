"""The conduct policy as configuration: steps, texts in each language, skips, risk thresholds.

Read with :func:`read_policy`; every problem is reported as ``file:line: key: message``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.yamlconf import ConfigIssue, LocatedYaml, check_config, issues_error, read_yaml

__all__ = [
    "DEFAULT_POLICY",
    "STEPS",
    "ConductPolicy",
    "RiskRule",
    "StepSpec",
    "load_policy",
    "parse_policy",
    "policy_in_force",
    "read_policy",
]

DEFAULT_POLICY = Path(str(resources.files("otklik.conduct") / "data" / "policy.yaml"))
STEPS: tuple[str, ...] = ("warning", "end", "block", "review")
StepId = Literal["warning", "end", "block", "review"]
Category = Literal["obscenity", "insult", "threat", "harassment"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru


class StepSpec(_Strict):
    id: StepId
    operator: Texts
    customer: Texts
    days: int | None = Field(default=None, ge=1, le=3650)


class RiskRule(_Strict):
    customer_after: int = Field(ge=1)
    address_after: int = Field(ge=1)
    days: int = Field(ge=1, le=3650)


class ConductPolicy(_Strict):
    version: Literal[1] = 1
    min_confidence: float = Field(default=0.6, ge=0.0, le=1.0)
    steps: list[StepSpec] = Field(min_length=1)
    notice: Texts
    skip: dict[Category, list[StepId]] = Field(default_factory=dict)
    review_team: str = Field(min_length=1)
    risk: RiskRule

    @field_validator("steps")
    @classmethod
    def _ordered(cls, steps: list[StepSpec]) -> list[StepSpec]:
        ids = [s.id for s in steps]
        if len(set(ids)) != len(ids):
            raise ValueError("each step may appear once")
        return steps

    def step(self, step_id: str) -> StepSpec | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    @property
    def block_days(self) -> int:
        spec = self.step("block")
        return spec.days if spec is not None and spec.days else 14


def _cross_check(policy: ConductPolicy, doc: LocatedYaml) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for i, step in enumerate(policy.steps):
        if step.id == "block" and step.days is None:
            issues.append(doc.issue(("steps", i), "the block step needs days: how long it lasts"))
        if step.id != "block" and step.days is not None:
            issues.append(doc.issue(("steps", i, "days"), "only the block step has days"))
    for category, steps in policy.skip.items():
        for j, step_id in enumerate(steps):
            if policy.step(step_id) is None:
                issues.append(
                    doc.issue(("skip", category, j), f"step {step_id} is not among the steps")
                )
    return issues


def parse_policy(doc: LocatedYaml) -> ConductPolicy:
    policy, issues = check_config(doc, ConductPolicy, _cross_check)
    if policy is None:
        raise issues_error(issues)
    return policy


def read_policy(path: Path) -> ConductPolicy:
    """Read and validate a policy file; problems raise :class:`ConfigError` with file:line."""
    return parse_policy(read_yaml(path, what="conduct policy"))


def policy_in_force(settings: Settings) -> ConductPolicy:
    """The policy named by ``$OTKLIK_CONDUCT_POLICY``, else the shipped one."""
    return load_policy(settings.conduct_policy)


def load_policy(path: Path | None = None) -> ConductPolicy:
    """The policy at ``path``, else the one shipped with otklik."""
    target = path or DEFAULT_POLICY
    if not target.exists():
        raise ConfigError(f"conduct policy {target}: no such file")
    return read_policy(target)
