"""Routing: the owner team of every item, and cases with an SLA for the actionable ones."""

from otklik.routing.bulk import BULK_ACTIONS, BulkResult, bulk_apply, bulk_targets
from otklik.routing.cases import assign_case, close_case, reopen_case, route_items
from otklik.routing.configs import ConfigCheck, check_configs
from otklik.routing.filters import UNASSIGNED, CaseFilter
from otklik.routing.history import customer_history
from otklik.routing.ownership import ACTIONABLE_REASONS, actionable_reason, resolve_owner
from otklik.routing.pipeline import ProcessReport, classify_and_route
from otklik.routing.priority import DUE_SOON, SLA_STATES, PriorityRules
from otklik.routing.queue import (
    CASE_STATUSES,
    case_assignees,
    case_events,
    case_ids,
    case_of_item,
    case_page,
    count_cases,
    get_case,
    iter_cases,
    list_cases,
)
from otklik.routing.sla import due_dates, is_overdue, team_spec
from otklik.routing.teams import (
    DEFAULT_TEAMS,
    TeamsConfig,
    TeamSpec,
    list_teams,
    load_teams,
    parse_teams,
    read_teams,
    sync_teams,
    teams_in_force,
)

__all__ = [
    "ACTIONABLE_REASONS",
    "BULK_ACTIONS",
    "CASE_STATUSES",
    "DEFAULT_TEAMS",
    "DUE_SOON",
    "SLA_STATES",
    "UNASSIGNED",
    "BulkResult",
    "CaseFilter",
    "ConfigCheck",
    "PriorityRules",
    "ProcessReport",
    "TeamSpec",
    "TeamsConfig",
    "actionable_reason",
    "assign_case",
    "bulk_apply",
    "bulk_targets",
    "case_assignees",
    "case_events",
    "case_ids",
    "case_of_item",
    "case_page",
    "check_configs",
    "classify_and_route",
    "close_case",
    "count_cases",
    "customer_history",
    "due_dates",
    "get_case",
    "is_overdue",
    "iter_cases",
    "list_cases",
    "list_teams",
    "load_teams",
    "parse_teams",
    "read_teams",
    "reopen_case",
    "resolve_owner",
    "route_items",
    "sync_teams",
    "team_spec",
    "teams_in_force",
]
