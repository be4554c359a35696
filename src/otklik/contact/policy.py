"""One contact policy for every message a customer receives (YAML, see ``data/policy.yaml``).

A message of any type — survey invitation, service notice, marketing, incident update, reply —
is checked against the same rules, in this order; the first that refuses gives the reason:

1. **opt-outs** of the customer (everything, a channel or a type) — nothing overrides them;
2. **priorities**: the types in ``always_pass`` (incident updates, replies) pass the rest;
3. **suppression**: types not sent to a customer with an open complaint case, or with an open
   incident in their segment (the classic own goal: a sales offer during an outage);
4. **quiet hours** in the customer's time zone, for the types and channels listed;
5. **yields**: a type backs off for some hours after a message of a higher-priority type
   (marketing yields to service);
6. **caps**: at most ``max`` messages of the counted types per rolling window, on any channel
   or per channel.

:func:`decide` is pure: it is given the customer's earlier messages and facts and returns a
:class:`Decision` with ``next_allowed_at`` — the first moment every time-based rule lets the
message through (None when only a state change can: an opt-out, an open complaint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    check_config,
    issues_error,
    parse_yaml,
    read_yaml,
    unknown_name,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_POLICY",
    "OUTCOMES",
    "TYPES",
    "Cap",
    "ContactPolicy",
    "Decision",
    "Facts",
    "Message",
    "decide",
    "load_contact_policy",
    "parse_contact_policy",
    "read_contact_policy",
]

DEFAULT_POLICY = Path(str(resources.files("otklik.contact") / "data" / "policy.yaml"))
TYPES: tuple[str, ...] = (
    "survey_invitation",
    "service",
    "marketing",
    "incident_update",
    "reply",
)
OUTCOMES: tuple[str, ...] = ("delivered", "opened", "answered", "unsubscribed", "complained")
CHANNELS: tuple[str, ...] = ("sms", "email", "push", "app", "web", "call", "messenger")
_PASSES = 12  # at most this many steps to find next_allowed_at (rules rarely chain further)


def _known_type(value: str) -> str:
    if value not in TYPES:
        raise ValueError(unknown_name("message type", value, TYPES))
    return value


def _known_channel(value: str) -> str:
    if value not in CHANNELS:
        raise ValueError(unknown_name("channel", value, CHANNELS))
    return value


MessageType = Annotated[str, AfterValidator(_known_type)]
Channel = Annotated[str, AfterValidator(_known_channel)]
_NAME = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cap(_Strict):
    """At most ``max`` messages of the ``types`` per rolling window (on the same channel when
    ``per_channel``); it applies to a message of one of ``types`` on one of ``channels``."""

    name: str = _NAME
    description: str = ""
    types: tuple[MessageType, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = ()  # empty: every channel
    per_channel: bool = False
    max: int = Field(ge=1, le=10_000)
    window_hours: float | None = Field(default=None, gt=0, le=24 * 3660)
    window_days: float | None = Field(default=None, gt=0, le=3660)

    @model_validator(mode="after")
    def _one_window(self) -> Cap:
        if (self.window_hours is None) == (self.window_days is None):
            raise ValueError("give either window_hours or window_days")
        return self

    @property
    def window(self) -> timedelta:
        if self.window_days is not None:
            return timedelta(days=self.window_days)
        assert self.window_hours is not None
        return timedelta(hours=self.window_hours)

    def applies(self, type_: str, channel: str) -> bool:
        return type_ in self.types and (not self.channels or channel in self.channels)


class QuietHours(_Strict):
    """No message of ``types`` on ``channels`` from ``start`` to ``end`` local time."""

    start: time
    end: time
    types: tuple[MessageType, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = ()

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        if isinstance(value, int):  # YAML reads 21:00 as sexagesimal 1260
            return time(value // 60 % 24, value % 60)
        return value

    def quiet_at(self, local: datetime) -> datetime | None:
        """The local end of the quiet period ``local`` falls in, or None when it is not quiet."""
        now = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return None
        if self.start < self.end:
            inside = self.start <= now < self.end
            end_day = local.date()
        else:
            inside = now >= self.start or now < self.end
            end_day = local.date() + timedelta(days=1) if now >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=local.tzinfo)


class Yield(_Strict):
    """A message of ``type`` waits ``hours`` after any message of the types in ``to``."""

    type: MessageType
    to: tuple[MessageType, ...] = Field(min_length=1)
    hours: float = Field(gt=0, le=24 * 366)


class Suppress(_Strict):
    """Types not sent while the customer has an open complaint case / an open incident in
    their segment."""

    open_complaint: tuple[MessageType, ...] = ()
    open_incident: tuple[MessageType, ...] = ()


class ContactPolicy(_Strict):
    """The whole policy; ``timezone`` is the customer's zone when their record names none."""

    version: Literal[1] = 1
    timezone: str | None = None  # default: OTKLIK_TIMEZONE
    always_pass: tuple[MessageType, ...] = ("incident_update", "reply")
    suppress: Suppress = Suppress()
    quiet_hours: tuple[QuietHours, ...] = ()
    yields: tuple[Yield, ...] = ()
    caps: tuple[Cap, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name") from None
        return value

    @property
    def horizon(self) -> timedelta:
        """How far back the store must be read for the caps and yields."""
        spans = [cap.window for cap in self.caps] + [timedelta(hours=y.hours) for y in self.yields]
        return max(spans, default=timedelta(0))


@dataclass(frozen=True, slots=True)
class Message:
    """An earlier message to the customer, as the policy sees it."""

    type: str
    channel: str
    sent_at: datetime


@dataclass(frozen=True)
class Facts:
    """What the policy knows about the customer at the moment of the check."""

    history: Sequence[Message] = ()
    opt_outs: Sequence[tuple[str | None, str | None]] = ()  # (channel, type); None: any
    open_complaint: bool = False
    open_incident: str | None = None  # the segment "field=value" an open incident affects
    zone: str = "UTC"


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, why, and when it would be allowed (naive UTC)."""

    allowed: bool
    reason: str
    next_allowed_at: datetime | None
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        when = self.next_allowed_at
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "next_allowed_at": None if when is None else when.isoformat(timespec="seconds") + "Z",
        }


def _opted_out(facts: Facts, type_: str, channel: str) -> str | None:
    for opt_channel, opt_type in facts.opt_outs:
        if (opt_channel is None or opt_channel == channel) and (opt_type in (None, type_)):
            scope = " and ".join(
                part
                for part in (
                    f"channel {opt_channel}" if opt_channel else "",
                    f"type {opt_type}" if opt_type else "",
                )
                if part
            )
            return f"opt_out: the customer opted out of {scope or 'all messages'}"
    return None


def _timed(
    policy: ContactPolicy, type_: str, channel: str, at: datetime, facts: Facts
) -> tuple[str, str, datetime] | None:
    """The first time-based rule refusing a message at ``at``: (rule, reason, free from)."""
    zone = ZoneInfo(facts.zone)
    for quiet in policy.quiet_hours:
        if type_ not in quiet.types or (quiet.channels and channel not in quiet.channels):
            continue
        local = at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        end = quiet.quiet_at(local)
        if end is not None:
            free = end.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            return (
                "quiet_hours",
                f"quiet_hours: {quiet.start:%H:%M}–{quiet.end:%H:%M} in {facts.zone} "
                f"(now {local:%H:%M} there)",
                free,
            )
    for rule in policy.yields:
        if rule.type != type_:
            continue
        after = [m.sent_at for m in facts.history if m.type in rule.to and m.sent_at <= at]
        if after and at - max(after) < timedelta(hours=rule.hours):
            last = max(after)
            return (
                f"yield:{type_}",
                f"yield: {type_} waits {rule.hours:g} h after {'/'.join(rule.to)} "
                f"(last at {last:%Y-%m-%d %H:%M} UTC)",
                last + timedelta(hours=rule.hours),
            )
    for cap in policy.caps:
        if not cap.applies(type_, channel):
            continue
        window = cap.window
        counted = sorted(
            m.sent_at
            for m in facts.history
            if m.type in cap.types
            and (not cap.per_channel or m.channel == channel)
            and (not cap.channels or m.channel in cap.channels)
            and at - window < m.sent_at <= at
        )
        if len(counted) >= cap.max:
            # Allowed again once enough of the counted messages leave the window.
            free = counted[len(counted) - cap.max] + window
            where = f" on {channel}" if cap.per_channel else ""
            return (
                cap.name,
                f"cap {cap.name}: {len(counted)} of at most {cap.max} "
                f"{'/'.join(cap.types)} messages{where} in {_span(window)}",
                free,
            )
    return None


def _span(window: timedelta) -> str:
    hours = window.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        days = hours / 24
        return f"{days:g} day{'s' if days != 1 else ''}"
    return f"{hours:g} h"


def decide(
    policy: ContactPolicy, *, type_: str, channel: str, now: datetime, facts: Facts
) -> Decision:
    """Whether a message of ``type_`` on ``channel`` may go at ``now`` (naive UTC)."""
    opted = _opted_out(facts, type_, channel)
    if opted is not None:
        return Decision(False, opted, None, "opt_out")
    if type_ in policy.always_pass:
        return Decision(True, f"priority: {type_} always passes", None, "always_pass")
    if facts.open_complaint and type_ in policy.suppress.open_complaint:
        return Decision(
            False,
            f"suppressed: no {type_} while the customer has an open complaint case",
            None,
            "open_complaint",
        )
    if facts.open_incident is not None and type_ in policy.suppress.open_incident:
        return Decision(
            False,
            f"suppressed: no {type_} during an open incident in the customer's segment "
            f"({facts.open_incident})",
            None,
            "open_incident",
        )
    first = _timed(policy, type_, channel, now, facts)
    if first is None:
        return Decision(True, "ok: within the contact policy", None)
    rule, reason, free = first
    for _ in range(_PASSES):
        blocked = _timed(policy, type_, channel, free, facts)
        if blocked is None:
            return Decision(False, reason, free, rule)
        free = max(free, blocked[2])
    return Decision(False, reason, None, rule)


def _check(policy: ContactPolicy, doc: LocatedYaml) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    if doc.data is None:  # the whole file replaces the shipped one: nothing would be capped
        return [
            doc.issue(
                (),
                "the policy is empty (no caps, no quiet hours): write its rules "
                "(docs/contact-policy.md) or unset OTKLIK_CONTACT_POLICY",
            )
        ]
    first: dict[str, int] = {}
    for position, cap in enumerate(policy.caps):
        if cap.name in first:
            line = doc.line_of(("caps", first[cap.name], "name"))
            issues.append(
                doc.issue(
                    ("caps", position, "name"),
                    f"cap {cap.name!r} is given twice (first at line {line})",
                )
            )
        first.setdefault(cap.name, position)
    for position, rule in enumerate(policy.yields):
        if rule.type in rule.to:
            issues.append(doc.issue(("yields", position, "to"), "a type cannot yield to itself"))
        if rule.type in policy.always_pass:
            issues.append(
                doc.issue(
                    ("yields", position, "type"),
                    f"{rule.type} is in always_pass, so it never yields",
                )
            )
    return issues


def read_contact_policy(path: Path | None = None) -> tuple[ContactPolicy | None, list[ConfigIssue]]:
    """The policy in ``path`` (default: the shipped one) and every problem in it, each as
    ``file:line: key: message``; a file that cannot be read or parsed raises ConfigError."""
    doc = read_yaml(path or DEFAULT_POLICY, what="contact policy")
    return check_config(doc, ContactPolicy, _check)


def parse_contact_policy(
    source: str, label: str = "<policy>"
) -> tuple[ContactPolicy | None, list[ConfigIssue]]:
    """Like :func:`read_contact_policy` for a text (the web editor's)."""
    return check_config(parse_yaml(source, label), ContactPolicy, _check)


def load_contact_policy(path: Path | None = None) -> ContactPolicy:
    """The validated policy in ``path`` (default: the shipped one); problems raise ConfigError."""
    policy, issues = read_contact_policy(path)
    if policy is None:
        raise issues_error(issues)
    return policy
