"""Which cases a view asks for: one :class:`CaseFilter`, turned into SQL conditions once.

The inbox page, the JSON API, exports and bulk actions ("all N matching") all read the same
filter, so "the cases I see" and "the cases a bulk action changes" cannot differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, column, or_, select, table

from otklik.classify.topics import topic_filter
from otklik.errors import ConfigError
from otklik.ledger import CURRENT_VIEW, Case, FeedbackItem
from otklik.routing.priority import SLA_STATES, sla_condition

__all__ = ["CASE_STATUSES", "UNASSIGNED", "CaseFilter", "case_conditions"]

CASE_STATUSES = ("open", "in_progress", "closed")
UNASSIGNED = "-"  # the assignee filter's value for cases nobody has taken
_CURRENT = table(CURRENT_VIEW, column("item_id"), column("type"))


def _tuple(values: str | Sequence[str] | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,) if values else ()
    return tuple(value for value in values if value)


@dataclass(frozen=True)
class CaseFilter:
    """Cases to show; every field is a set of allowed values (empty: any), all combined with AND.

    ``status``: of :data:`CASE_STATUSES` or ``"all"`` (empty: those not closed); ``team``: the
    case's team; ``topic``: the item's current topics (a parent takes its subtopics); ``type``:
    the item's current feedback type (complaint, question, …); ``channel``: the item's channel;
    ``sla``: of :data:`otklik.routing.priority.SLA_STATES`; ``assignee``: who has the case
    (:data:`UNASSIGNED` for nobody); ``zone``: a team user's zone (only that team's cases,
    whatever else is asked); ``overdue``: only open cases past due (the CLI's ``--overdue``).
    """

    status: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    sla: tuple[str, ...] = ()
    assignee: tuple[str, ...] = ()
    zone: str | None = None
    overdue: bool = False

    @classmethod
    def of(
        cls,
        *,
        status: str | Sequence[str] | None = None,
        team: str | Sequence[str] | None = None,
        topic: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        channel: str | Sequence[str] | None = None,
        sla: str | Sequence[str] | None = None,
        assignee: str | Sequence[str] | None = None,
        zone: str | None = None,
        overdue: bool = False,
    ) -> CaseFilter:
        """A filter from loose values (a string or a list each; empty strings dropped).

        Raises ConfigError for an unknown status or SLA state.
        """
        found = cls(
            status=_tuple(status),
            team=_tuple(team),
            topic=_tuple(topic),
            type=_tuple(type),
            channel=_tuple(channel),
            sla=_tuple(sla),
            assignee=_tuple(assignee),
            zone=zone,
            overdue=overdue,
        )
        found.check()
        return found

    def check(self) -> None:
        unknown = [s for s in self.status if s not in ("all", *CASE_STATUSES)]
        if unknown:
            raise ConfigError(
                f"unknown status {unknown[0]!r}; use {', '.join(CASE_STATUSES)} or all"
            )
        bad = [s for s in self.sla if s not in SLA_STATES]
        if bad:
            raise ConfigError(f"unknown SLA state {bad[0]!r}; use {', '.join(SLA_STATES)}")

    def needs_item(self) -> bool:
        """Whether the conditions read ``feedback_items`` (the query must join it)."""
        return bool(self.topic or self.type or self.channel)


def case_conditions(engine: Engine, where: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    """SQL conditions over ``cases`` (joined with ``feedback_items``) for ``where`` at ``now``."""
    where.check()
    found: list[ColumnElement[bool]] = []
    if not where.status:
        found.append(Case.status != "closed")
    elif "all" not in where.status:
        found.append(Case.status.in_(where.status))
    if where.team:
        found.append(Case.team.in_(where.team))
    if where.zone is not None:
        found.append(Case.team == where.zone)
    if where.overdue:
        found.append(sla_condition("overdue", now))
    if where.sla:
        found.append(or_(*(sla_condition(state, now) for state in where.sla)))
    if where.assignee:
        named = [name for name in where.assignee if name != UNASSIGNED]
        options: list[ColumnElement[bool]] = []
        if named:
            options.append(Case.assignee.in_(named))
        if UNASSIGNED in where.assignee:
            options.append(Case.assignee.is_(None))
        found.append(or_(*options))
    if where.channel:
        found.append(FeedbackItem.channel.in_(where.channel))
    if where.type:
        typed = select(_CURRENT.c.item_id).where(_CURRENT.c.type.in_(where.type))
        found.append(FeedbackItem.id.in_(typed))
    topics = topic_filter(engine, where.topic)
    if topics is not None:
        found.append(topics)
    return found
