"""A deterministic demo company: a bank with a marketplace side, its feedback over 2025.

``generate`` builds the dataset (lazily, per feed), ``load_demo`` writes it into a store through
the ledger's writer, ``summarize`` describes what a store holds, planted patterns included.
"""

from otklik.demo.drivers import top_problems
from otklik.demo.findings import Finding
from otklik.demo.generator import DemoData, generate
from otklik.demo.load import BATCH_SIZE, Progress, load_demo
from otklik.demo.scenario import (
    CUSTOMER_SOURCE,
    DEMO_SOURCES,
    ITEM_SOURCES,
    MIN_ROWS,
    PATTERNS,
    PERIOD_END,
    PERIOD_START,
    PlantedPattern,
)
from otklik.demo.setup import ensure_editable_configs
from otklik.demo.summary import DemoSummary, Figure, summarize
from otklik.demo.users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users

__all__ = [
    "BATCH_SIZE",
    "CUSTOMER_SOURCE",
    "DEMO_PASSWORD",
    "DEMO_SOURCES",
    "DEMO_USERS",
    "ITEM_SOURCES",
    "MIN_ROWS",
    "PATTERNS",
    "PERIOD_END",
    "PERIOD_START",
    "DemoData",
    "DemoSummary",
    "Figure",
    "Finding",
    "PlantedPattern",
    "Progress",
    "ensure_demo_users",
    "ensure_editable_configs",
    "generate",
    "load_demo",
    "summarize",
    "top_problems",
]
