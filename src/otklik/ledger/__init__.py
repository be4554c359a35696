"""The ledger: one store of every piece of feedback, its customers, imports and quarantine."""

from otklik.ledger.db import make_engine, normalize_url
from otklik.ledger.models import Base, Customer, FeedbackItem, ImportRun, QuarantineRow
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
    "BatchResult",
    "Base",
    "Customer",
    "FeedbackItem",
    "ImportRun",
    "QuarantineRow",
    "current_revision",
    "finish_run",
    "head_revision",
    "make_engine",
    "model_drift",
    "normalize_url",
    "start_run",
    "upgrade",
    "write_customers",
    "write_items",
]
