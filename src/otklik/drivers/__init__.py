"""Drivers: which topics move a score (impact with intervals, Johnson's relative weights), what
they cost (revenue at risk, churn reasons × revenue), one ranked backlog, the one-page case for
management and the weekly digest. ``docs/drivers.md`` gives every formula.

    >>> context = context_of(load_settings())
    >>> report = run(engine, context, metric="nps", period="2025-Q2")
    >>> row = report.rows[0]; row["topic"], row["impact"], row["impact_ci"], row["priority"]
"""

from otklik.drivers.analysis import METHODS, DriversReport, analyse, backlog, split_backlog
from otklik.drivers.config import (
    DriversConfig,
    PriorityConfig,
    load_drivers_config,
    parse_drivers_config,
)
from otklik.drivers.digest import (
    Digest,
    compose_digest,
    send_digest,
    send_team_digests,
    team_recipients,
)
from otklik.drivers.frame import DRIVER_METRICS, SEGMENT_FIELDS
from otklik.drivers.impact import Bootstrap, Impacts, topic_impacts
from otklik.drivers.options import (
    Context,
    context_of,
    default_period,
    parse_segments,
    run,
    run_backlog,
)
from otklik.drivers.report import (
    HEADLINE_METRICS,
    REPORT_FORMATS,
    ManagementReport,
    find_font,
    management_report,
    to_markdown,
    to_pdf,
    to_xlsx,
)
from otklik.drivers.tables import BACKLOG_COLUMNS, backlog_rows, write_backlog_csv, xlsx_bytes
from otklik.drivers.weights import RelativeWeights, relative_weights, weights_from_moments

__all__ = [
    "BACKLOG_COLUMNS",
    "DRIVER_METRICS",
    "HEADLINE_METRICS",
    "METHODS",
    "REPORT_FORMATS",
    "SEGMENT_FIELDS",
    "Bootstrap",
    "Context",
    "Digest",
    "DriversConfig",
    "DriversReport",
    "Impacts",
    "ManagementReport",
    "PriorityConfig",
    "RelativeWeights",
    "analyse",
    "backlog",
    "backlog_rows",
    "compose_digest",
    "context_of",
    "default_period",
    "find_font",
    "load_drivers_config",
    "management_report",
    "parse_drivers_config",
    "parse_segments",
    "relative_weights",
    "run",
    "run_backlog",
    "send_digest",
    "send_team_digests",
    "split_backlog",
    "team_recipients",
    "to_markdown",
    "to_pdf",
    "to_xlsx",
    "topic_impacts",
    "weights_from_moments",
    "write_backlog_csv",
    "xlsx_bytes",
]
