"""CX metrics: one definition of each, computed on any engine, with n and a 95% interval.

    >>> from otklik.metrics import compute
    >>> rows = compute("nps", "sqlite:///otklik.db", by="month", segments=["channel"])
    >>> rows[0].value, rows[0].n, rows[0].ci_low, rows[0].ci_high, rows[0].flags

On the user's own warehouse table (PostgreSQL, DuckDB/Parquet, Spark), through a column-mapping
file (``docs/warehouse.md``): ``compute("nps", "warehouse.yaml", by="month")`` or
:func:`open_warehouse`.

The catalogue (:data:`CATALOGUE`) holds every metric's formula, interval method, pros, cons,
gaming risks and guardrails; ``docs/metrics.md`` explains them in Russian and English.
"""

from otklik.metrics.backends import CAPABILITIES, Capabilities, MetricSource, connect
from otklik.metrics.catalogue import CATALOGUE, get_metric, metric_names
from otklik.metrics.compare import (
    ALPHA,
    NOISE,
    NOT_ENOUGH_DATA,
    SIGNIFICANT,
    Comparison,
    Slice,
    compare,
    compare_groups,
    compare_segments,
)
from otklik.metrics.compute import compute, last_moment, remembering, to_sql
from otklik.metrics.periods import (
    Grain,
    Period,
    as_utc_naive,
    check_day,
    get_zone,
    parse_period,
    query_day,
)
from otklik.metrics.results import (
    CENSORED,
    FLAGS,
    NON_FINITE,
    SMALL_SAMPLE,
    SMALL_SAMPLE_N,
    MetricRow,
    MetricValue,
    json_safe,
)
from otklik.metrics.rollup_counts import count_drift, recount
from otklik.metrics.rollups import DEFAULT_DIMENSIONS, Rollups, enable_rollups
from otklik.metrics.spec import (
    DEFAULT_WINDOW_DAYS,
    MetricParams,
    MetricSpec,
    Statistic,
    TableRole,
)
from otklik.metrics.stats import (
    MIN_TEST_N,
    mean_sd,
    nps_interval,
    quantile_ci_ranks,
    quantile_estimate_ranks,
    t_interval,
    two_proportion_test,
    wilson_interval,
)
from otklik.metrics.topic_results import TOPIC_METRICS, TopicFigures, TopicPoint, TopicReport
from otklik.metrics.topics import TOPIC_SPLITS, topic_ancestors, topic_report
from otklik.metrics.warehouse import (
    CUSTOMER_FIELDS,
    ITEM_FIELDS,
    TableMapping,
    WarehouseMapping,
    WarehouseSource,
    is_mapping_file,
    load_mapping,
    open_warehouse,
)

__all__ = [
    "ALPHA",
    "CAPABILITIES",
    "CATALOGUE",
    "CENSORED",
    "CUSTOMER_FIELDS",
    "DEFAULT_DIMENSIONS",
    "DEFAULT_WINDOW_DAYS",
    "FLAGS",
    "ITEM_FIELDS",
    "MIN_TEST_N",
    "NOISE",
    "NON_FINITE",
    "NOT_ENOUGH_DATA",
    "SIGNIFICANT",
    "SMALL_SAMPLE",
    "SMALL_SAMPLE_N",
    "TOPIC_METRICS",
    "TOPIC_SPLITS",
    "Capabilities",
    "Comparison",
    "Grain",
    "MetricParams",
    "MetricRow",
    "MetricSource",
    "MetricSpec",
    "MetricValue",
    "Period",
    "Rollups",
    "Slice",
    "Statistic",
    "TableMapping",
    "TableRole",
    "TopicFigures",
    "TopicPoint",
    "TopicReport",
    "WarehouseMapping",
    "WarehouseSource",
    "as_utc_naive",
    "check_day",
    "compare",
    "compare_groups",
    "compare_segments",
    "compute",
    "connect",
    "count_drift",
    "enable_rollups",
    "get_metric",
    "get_zone",
    "is_mapping_file",
    "json_safe",
    "last_moment",
    "load_mapping",
    "mean_sd",
    "metric_names",
    "nps_interval",
    "open_warehouse",
    "parse_period",
    "quantile_ci_ranks",
    "quantile_estimate_ranks",
    "query_day",
    "recount",
    "remembering",
    "t_interval",
    "to_sql",
    "topic_ancestors",
    "topic_report",
    "two_proportion_test",
    "wilson_interval",
]
