"""Experiments: sticky assignment, tests that stay valid under peeking, staged rollouts, and
which survey mechanic gives honest answers.

    >>> from otklik.experiments import build, create_experiment, assign, analyze
    >>> create_experiment(engine, build({"key": "sheet-vs-popup", "metric": "response_rate",
    ...     "variants": [{"name": "bottom-sheet"}, {"name": "popup"}]}))
    >>> assign(engine, "sheet-vs-popup", "c-42").variant     # the same every time
    >>> analyze(engine, "sheet-vs-popup").decision            # continue | stop_winner | …

``docs/experiments.md`` explains the statistics, their assumptions and the pitfalls.
"""

from otklik.experiments.analysis import (
    DECISIONS,
    Analysis,
    Comparison,
    VariantFigure,
    analyze,
    plan,
)
from otklik.experiments.assign import (
    SOURCES,
    Assignment,
    assign,
    bucket,
    choose_variant,
    log_exposure,
    record_link_load,
    variant_for,
)
from otklik.experiments.definitions import (
    KINDS,
    METRICS,
    ExperimentDef,
    ExperimentMetric,
    StoreTrigger,
    Variant,
    build,
    load_experiments,
    parse_variant,
    read_experiments,
)
from otklik.experiments.honesty import FAST_SECONDS, MechanicHonesty, mechanic_honesty
from otklik.experiments.invitations import invite_in_experiment
from otklik.experiments.registry import (
    STATUSES,
    StoredExperiment,
    create_experiment,
    events,
    get_experiment,
    list_experiments,
    set_status,
)
from otklik.experiments.rollout import STAGES, RolloutResult, guard, rollout
from otklik.experiments.stats import (
    SRM_ALPHA,
    Summary,
    confidence_sequence,
    difference,
    msprt_ratio,
    sample_size_means,
    sample_size_proportions,
    srm_test,
)
from otklik.experiments.store_prompt import (
    StorePrompt,
    import_store_ratings,
    rating_trend,
    store_prompt,
)

__all__ = [
    "DECISIONS",
    "FAST_SECONDS",
    "KINDS",
    "METRICS",
    "SOURCES",
    "SRM_ALPHA",
    "STAGES",
    "STATUSES",
    "Analysis",
    "Assignment",
    "Comparison",
    "ExperimentDef",
    "ExperimentMetric",
    "MechanicHonesty",
    "RolloutResult",
    "StorePrompt",
    "StoreTrigger",
    "StoredExperiment",
    "Summary",
    "Variant",
    "VariantFigure",
    "analyze",
    "assign",
    "bucket",
    "build",
    "choose_variant",
    "confidence_sequence",
    "create_experiment",
    "difference",
    "events",
    "get_experiment",
    "guard",
    "import_store_ratings",
    "invite_in_experiment",
    "list_experiments",
    "load_experiments",
    "log_exposure",
    "mechanic_honesty",
    "msprt_ratio",
    "parse_variant",
    "plan",
    "rating_trend",
    "read_experiments",
    "record_link_load",
    "rollout",
    "sample_size_means",
    "sample_size_proportions",
    "set_status",
    "srm_test",
    "store_prompt",
    "variant_for",
]
