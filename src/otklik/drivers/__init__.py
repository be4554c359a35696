"""Drivers: which topics move a score (impact with intervals, Johnson's relative weights), what
they cost (revenue at risk, churn reasons × revenue), one ranked backlog, the one-page case for
management and the weekly digest.

    >>> report = analyse(engine, metric="nps", period=Period.parse("2025-06"), timezone=zone)
    >>> row = report.rows[0]; row["topic"], row["impact"], row["impact_ci"], row["priority"]
"""

from otklik.drivers.analysis import METHODS, DriversReport, analyse, backlog, split_backlog
from otklik.drivers.config import (
    DriversConfig,
    PriorityConfig,
    load_drivers_config,
    parse_drivers_config,
)
from otklik.drivers.frame import DRIVER_METRICS, SEGMENT_FIELDS
from otklik.drivers.impact import Bootstrap, Impacts, topic_impacts
from otklik.drivers.weights import RelativeWeights, relative_weights, weights_from_moments

__all__ = [
    "DRIVER_METRICS",
    "METHODS",
    "SEGMENT_FIELDS",
    "Bootstrap",
    "DriversConfig",
    "DriversReport",
    "Impacts",
    "PriorityConfig",
    "RelativeWeights",
    "analyse",
    "backlog",
    "load_drivers_config",
    "parse_drivers_config",
    "relative_weights",
    "split_backlog",
    "topic_impacts",
    "weights_from_moments",
]
