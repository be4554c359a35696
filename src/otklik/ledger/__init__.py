"""The ledger: one store of every piece of feedback, its customers, imports and quarantine."""

from otklik.ledger.browse import (
    FILTER_FIELDS,
    ItemFilter,
    count_by,
    distinct_values,
    get_item,
    item_condition,
    iter_items,
    latest_occurred_at,
    search_items,
)
from otklik.ledger.db import make_engine, normalize_url
from otklik.ledger.models import Base, Customer, FeedbackItem, ImportRun, QuarantineRow
from otklik.ledger.models_admin import ConfigVersion
from otklik.ledger.models_auth import ApiToken, LoginFailure, User, UserSession
from otklik.ledger.models_classify import CURRENT_VIEW, Case, CaseEvent, Classification, Team
from otklik.ledger.models_conduct import ConductEvent, ConductFlag, ConductRisk, ConductScan
from otklik.ledger.models_contact import Communication, ContactLock, ContactOptOut
from otklik.ledger.models_ex import StaffMember
from otklik.ledger.models_experiments import (
    Experiment,
    ExperimentEvent,
    ExperimentObservation,
    Exposure,
)
from otklik.ledger.models_llm import LlmCacheEntry, LlmFailure, LlmRun
from otklik.ledger.models_replies import CaseReply
from otklik.ledger.models_surveys import Invitation, PolicyEvent, Survey
from otklik.ledger.queries import (
    count_items,
    get_run,
    list_quarantine,
    list_runs,
    stored_external_ids,
)
from otklik.ledger.search import (
    PENDING_TABLE,
    PG_DOCUMENT_SQL,
    SEARCH_TABLE,
    document_terms,
    index_new_items,
    match_count,
    match_spans,
    query_terms,
    text_search,
)
from otklik.ledger.store import current_revision, head_revision, model_drift, upgrade
from otklik.ledger.writer import (
    EMPLOYEE_KINDS,
    ITEM_COLUMNS,
    BatchResult,
    anonymous,
    bulk_load,
    finish_run,
    in_write_transaction,
    start_run,
    write_customers,
    write_item_rows,
    write_items,
)

__all__ = [
    "CURRENT_VIEW",
    "EMPLOYEE_KINDS",
    "FILTER_FIELDS",
    "ITEM_COLUMNS",
    "PENDING_TABLE",
    "PG_DOCUMENT_SQL",
    "SEARCH_TABLE",
    "ApiToken",
    "Base",
    "BatchResult",
    "Case",
    "CaseEvent",
    "CaseReply",
    "Classification",
    "Communication",
    "ConductEvent",
    "ConductFlag",
    "ConductRisk",
    "ConductScan",
    "ConfigVersion",
    "ContactLock",
    "ContactOptOut",
    "Customer",
    "Experiment",
    "ExperimentEvent",
    "ExperimentObservation",
    "Exposure",
    "FeedbackItem",
    "ImportRun",
    "Invitation",
    "ItemFilter",
    "LlmCacheEntry",
    "LlmFailure",
    "LlmRun",
    "LoginFailure",
    "PolicyEvent",
    "QuarantineRow",
    "StaffMember",
    "Survey",
    "Team",
    "User",
    "UserSession",
    "anonymous",
    "bulk_load",
    "count_by",
    "count_items",
    "current_revision",
    "distinct_values",
    "document_terms",
    "finish_run",
    "get_item",
    "get_run",
    "head_revision",
    "in_write_transaction",
    "index_new_items",
    "item_condition",
    "iter_items",
    "latest_occurred_at",
    "list_quarantine",
    "list_runs",
    "make_engine",
    "match_count",
    "match_spans",
    "model_drift",
    "normalize_url",
    "query_terms",
    "search_items",
    "start_run",
    "stored_external_ids",
    "text_search",
    "upgrade",
    "write_customers",
    "write_item_rows",
    "write_items",
]
