"""The contact policy: per customer, how many invitations of which survey types a period allows.

A policy is a list of rules (YAML, see ``data/policy.yaml``). A rule caps the invitations of
the types it ``applies_to``, counting the customer's earlier invitations of the types it
``counts`` within ``window_days`` or with the same transaction (``per: transaction``). Caps
are per type on purpose: one workspace-wide cooldown lets a weekly CSAT block the quarterly
NPS forever; here the NPS rule counts only NPS invitations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection, or_, select

from otklik.ledger.models_surveys import Invitation
from otklik.surveys.surveys import SURVEY_TYPES
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    check_config,
    issues_error,
    read_yaml,
    unknown_name,
)

__all__ = [
    "DEFAULT_POLICY",
    "Policy",
    "Rule",
    "Sent",
    "Violation",
    "load_policy",
    "read_policy",
    "sent_before",
]

DEFAULT_POLICY = Path(str(resources.files("otklik.surveys") / "data" / "policy.yaml"))


def _known_type(value: str) -> str:
    if value not in SURVEY_TYPES:
        raise ValueError(unknown_name("survey type", value, SURVEY_TYPES))
    return value


SurveyType = Annotated[str, AfterValidator(_known_type)]


class Rule(BaseModel):
    """One cap: at most ``max`` invitations of ``counts`` types per window or transaction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    applies_to: tuple[SurveyType, ...] = Field(min_length=1)
    counts: tuple[SurveyType, ...] = Field(min_length=1)
    max: int = Field(ge=1)
    window_days: int | None = Field(default=None, ge=1, le=3660)
    per: Literal["transaction"] | None = None

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if (self.window_days is None) == (self.per is None):
            raise ValueError("give either window_days or per: transaction")
        return self

    def scope(self) -> str:
        if self.per == "transaction":
            return "per transaction"
        return f"in {self.window_days} days"


class Policy(BaseModel):
    """The rules, checked in order; the first broken one is the reason given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    rules: tuple[Rule, ...] = ()

    @property
    def horizon_days(self) -> int:
        """The longest window: how far back the store must be read."""
        return max((rule.window_days or 0 for rule in self.rules), default=0)

    def check(
        self,
        *,
        survey_type: str,
        transaction_id: str | None,
        now: datetime,
        sent: Sequence[Sent],
    ) -> list[Violation]:
        """The rules an invitation of ``survey_type`` at ``now`` would break, given the
        customer's earlier invitations ``sent`` (any order)."""
        broken: list[Violation] = []
        for rule in self.rules:
            if survey_type not in rule.applies_to:
                continue
            if rule.per == "transaction":
                if transaction_id is None:
                    continue
                counted = [
                    s
                    for s in sent
                    if s.survey_type in rule.counts and s.transaction_id == transaction_id
                ]
                if len(counted) >= rule.max:
                    broken.append(Violation(rule, len(counted), None))
                continue
            assert rule.window_days is not None
            window = timedelta(days=rule.window_days)
            counted = sorted(
                (s for s in sent if s.survey_type in rule.counts and now - window < s.sent_at),
                key=lambda s: s.sent_at,
            )
            if len(counted) >= rule.max:
                # Allowed again once enough of the counted invitations leave the window.
                free_at = counted[len(counted) - rule.max].sent_at + window
                broken.append(Violation(rule, len(counted), free_at))
        return broken


@dataclass(frozen=True, slots=True)
class Sent:
    """An earlier invitation of the customer, as the policy sees it."""

    survey_type: str
    sent_at: datetime
    transaction_id: str | None


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule an invitation would break: how many invitations it counted, when it frees up."""

    rule: Rule
    counted: int
    free_at: datetime | None

    def reason(self, customer_id: str) -> str:
        rule = self.rule
        counted = "/".join(rule.counts)
        what = f"{self.counted} {counted} invitation{'s' if self.counted != 1 else ''}"
        limit = f"at most {rule.max} {rule.scope()}"
        if self.free_at is not None:
            after = f"; allowed again from {self.free_at:%Y-%m-%d %H:%M} UTC"
        else:
            after = ""
        return (
            f"contact policy: customer {customer_id} already has {what} "
            f"{'for this transaction' if rule.per else f'in the last {rule.window_days} days'} "
            f"(rule {rule.name}: {limit}){after}; --force sends it anyway"
        )


def _check(policy: Policy, doc: LocatedYaml) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    first: dict[str, int] = {}
    for position, rule in enumerate(policy.rules):
        if rule.name in first:
            line = doc.line_of(("rules", first[rule.name], "name"))
            issues.append(
                doc.issue(
                    ("rules", position, "name"),
                    f"rule {rule.name!r} is given twice (first at line {line})",
                )
            )
        first.setdefault(rule.name, position)
    return issues


def read_policy(path: Path | None = None) -> tuple[Policy | None, list[ConfigIssue]]:
    """The policy in ``path`` (default: the shipped one) and every problem in it, each as
    ``file:line: key: message``; a file that cannot be read or parsed raises ConfigError."""
    doc = read_yaml(path or DEFAULT_POLICY, what="contact policy")
    return check_config(doc, Policy, _check)


def load_policy(path: Path | None = None) -> Policy:
    """The policy in ``path`` (default: the one shipped with otklik), validated; any problem
    raises :class:`~otklik.errors.ConfigError` naming each one with its line."""
    policy, issues = read_policy(path)
    if policy is None:
        raise issues_error(issues)
    return policy


def sent_before(
    conn: Connection,
    *,
    customer_id: str,
    now: datetime,
    horizon_days: int,
    transaction_id: str | None,
) -> list[Sent]:
    """The customer's invitations the policy may count: those sent within the horizon, and
    any with the same transaction id."""
    since = now - timedelta(days=horizon_days)
    recent = Invitation.sent_at > since
    condition = (
        recent
        if transaction_id is None
        else or_(recent, Invitation.transaction_id == transaction_id)
    )
    query = select(Invitation.survey_type, Invitation.sent_at, Invitation.transaction_id).where(
        Invitation.customer_id == customer_id, condition
    )
    return [Sent(row.survey_type, row.sent_at, row.transaction_id) for row in conn.execute(query)]
