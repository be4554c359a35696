"""Employee experience beside customer experience (docs/ex.md).

Employee answers live in the same ledger (kinds ``employee`` and ``employee-exit``), stored
anonymous unless the company keeps ids (``OTKLIK_EX_KEEP_EMPLOYEE_IDS``); the staff list
(``otklik ex staff import``) gives turnover and exit reasons × replacement cost. No figure is
shown for a group smaller than ``OTKLIK_EX_MIN_GROUP`` (default 5).

    >>> from otklik.ex import tenure_band
    >>> tenure_band(2.5)
    '1-3y'
"""

from otklik.ex.cells import (
    BY_FIELDS,
    DEFAULT_MIN_GROUP,
    EX_METRICS,
    TENURE_BANDS,
    ExCell,
    tenure_band,
)
from otklik.ex.costs import ReplacementCosts, load_costs, parse_costs
from otklik.ex.figures import ex_cells
from otklik.ex.leavers import ExitReason, exit_reasons, turnover
from otklik.ex.link import CX_METRICS, Correlation, ExCxLink, ex_cx_link, fisher_correlation
from otklik.ex.report import ExReport, ex_report
from otklik.ex.staff import STAFF_COLUMNS, StaffReport, import_staff, write_staff

__all__ = [
    "BY_FIELDS",
    "CX_METRICS",
    "DEFAULT_MIN_GROUP",
    "EX_METRICS",
    "STAFF_COLUMNS",
    "TENURE_BANDS",
    "Correlation",
    "ExCell",
    "ExCxLink",
    "ExReport",
    "ExitReason",
    "ReplacementCosts",
    "StaffReport",
    "ex_cells",
    "ex_cx_link",
    "ex_report",
    "exit_reasons",
    "fisher_correlation",
    "import_staff",
    "load_costs",
    "parse_costs",
    "tenure_band",
    "turnover",
    "write_staff",
]
