"""The ledger: one store of every piece of feedback, its customers, imports and quarantine."""

from otklik.ledger.db import make_engine, normalize_url
from otklik.ledger.models import Base, Customer, FeedbackItem, ImportRun, QuarantineRow
from otklik.ledger.queries import count_items, get_run, list_quarantine, list_runs
from otklik.ledger.store import current_revision, head_revision, model_drift, upgrade
from otklik.ledger.writer import (
    ITEM_COLUMNS,
    BatchResult,
    finish_run,
    start_run,
    write_customers,
    write_items,
)

__all__ = [
    "ITEM_COLUMNS",
    "Base",
    "BatchResult",
    "Customer",
    "FeedbackItem",
    "ImportRun",
    "QuarantineRow",
    "count_items",
    "current_revision",
    "finish_run",
    "get_run",
    "head_revision",
    "list_quarantine",
    "list_runs",
    "make_engine",
    "model_drift",
    "normalize_url",
    "start_run",
    "upgrade",
    "write_customers",
    "write_items",
]
