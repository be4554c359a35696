"""Zero tolerance, both ways: abuse detection, the conduct policy, audit, appeal, risk flags,
and the figures that keep the policy honest (docs/conduct.md).

The figures (``PERIODS``, ``AgentConduct``, ``agent_flag_rates``, ``protection_figures``: they
load the KPI and metrics packages, SciPy among them) and the trained model's names
(``MODEL_FILE``, ``load_conduct_model``, ``review_labels``, ``save_conduct_model``,
``train_conduct_model``: scikit-learn) are imported on first use, so that checking texts on
arrival (``detect``, ``scan_items``: what ``otklik classify`` and its worker processes use)
starts without them: 2.4 s of CPU per process on the machine of docs/benchmarks.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otklik.conduct.detect import CATEGORIES, Flag, Lexicon, detect, is_abusive, load_lexicon, mask
from otklik.conduct.policy import (
    DEFAULT_POLICY,
    STEPS,
    ConductPolicy,
    load_policy,
    parse_policy,
    policy_in_force,
    read_policy,
)
from otklik.conduct.store import (
    ACTIONS,
    CustomerStatus,
    ScanReport,
    active_risks,
    address_of,
    appeal,
    apply_step,
    badges,
    clear_risk,
    customer_status,
    item_events,
    item_flags,
    item_owner,
    items_flags,
    list_flags,
    review,
    review_queue,
    scan_items,
    set_risk,
)
from otklik.lazy import lazy_names

if TYPE_CHECKING:
    from otklik.conduct.figures import PERIODS, AgentConduct, agent_flag_rates, protection_figures
    from otklik.conduct.model import (
        MODEL_FILE,
        load_conduct_model,
        review_labels,
        save_conduct_model,
        train_conduct_model,
    )

__all__ = [
    "ACTIONS",
    "CATEGORIES",
    "DEFAULT_POLICY",
    "MODEL_FILE",
    "PERIODS",
    "STEPS",
    "AgentConduct",
    "ConductPolicy",
    "CustomerStatus",
    "Flag",
    "Lexicon",
    "ScanReport",
    "active_risks",
    "address_of",
    "agent_flag_rates",
    "appeal",
    "apply_step",
    "badges",
    "clear_risk",
    "customer_status",
    "detect",
    "is_abusive",
    "item_events",
    "item_flags",
    "item_owner",
    "items_flags",
    "list_flags",
    "load_conduct_model",
    "load_lexicon",
    "load_policy",
    "mask",
    "parse_policy",
    "policy_in_force",
    "protection_figures",
    "read_policy",
    "review",
    "review_labels",
    "review_queue",
    "save_conduct_model",
    "scan_items",
    "set_risk",
    "train_conduct_model",
]

_LAZY = {
    "PERIODS": "otklik.conduct.figures",
    "AgentConduct": "otklik.conduct.figures",
    "agent_flag_rates": "otklik.conduct.figures",
    "protection_figures": "otklik.conduct.figures",
    "MODEL_FILE": "otklik.conduct.model",
    "load_conduct_model": "otklik.conduct.model",
    "review_labels": "otklik.conduct.model",
    "save_conduct_model": "otklik.conduct.model",
    "train_conduct_model": "otklik.conduct.model",
}

__getattr__ = lazy_names(__name__, _LAZY)
