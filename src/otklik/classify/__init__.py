"""Classification: the taxonomy, keyword rules, trained models, language, sentiment and PII.

The trained-model names (``TextClassifier``, ``save_model``, ``load_model``, ``training_hash``,
``evaluate``) load scikit-learn; they are imported on first use so that the CLI and the rules
start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otklik.classify.estimator import TARGETS, ItemText, RulesClassifier
from otklik.classify.labels import (
    LabelImportReport,
    LabelProblem,
    import_labels,
    label_vocabulary,
)
from otklik.classify.parallel import processes_for
from otklik.classify.pii import PLACEHOLDERS, PiiMatch, find_pii, mask_pii
from otklik.classify.relabel import LabelChoices, human_label_of, label_choices, relabel_item
from otklik.classify.retrain import (
    HeldOutScores,
    RetrainReport,
    activate_candidate,
    candidate_report,
    discard_candidate,
    models_in_force,
    retrain_with_comparison,
)
from otklik.classify.rules import NO_TOPIC, Analysis, RuleSet, default_rules
from otklik.classify.run import (
    ClassifyReport,
    ExternalLabel,
    Labeller,
    TrainedModel,
    classify_items,
    load_trained_models,
    owner_of,
)
from otklik.classify.signals import PREFERRED_LANGUAGES, detect_language, score_sentiment
from otklik.classify.store import (
    HumanLabel,
    ItemRow,
    MachineLabel,
    current_labels,
    review_queue,
    write_human_labels,
    write_machine_labels,
)
from otklik.classify.taxonomy import (
    DEFAULT_TAXONOMY,
    FALLBACK_TYPE,
    Taxonomy,
    TopicNode,
    load_taxonomy,
    parse_taxonomy,
    read_taxonomy,
)
from otklik.classify.topics import topic_filter
from otklik.classify.train import TrainReport, train_models
from otklik.lazy import lazy_names
from otklik.yamlconf import ConfigIssue

if TYPE_CHECKING:
    from otklik.classify.artefacts import load_model, read_metadata, save_model, training_hash
    from otklik.classify.evaluation import evaluate
    from otklik.classify.features import embedding_progress
    from otklik.classify.model import TextClassifier, default_embedding_model_path

__all__ = [
    "DEFAULT_TAXONOMY",
    "FALLBACK_TYPE",
    "NO_TOPIC",
    "PLACEHOLDERS",
    "PREFERRED_LANGUAGES",
    "TARGETS",
    "Analysis",
    "ClassifyReport",
    "ConfigIssue",
    "ExternalLabel",
    "HeldOutScores",
    "HumanLabel",
    "ItemRow",
    "ItemText",
    "LabelChoices",
    "LabelImportReport",
    "LabelProblem",
    "Labeller",
    "MachineLabel",
    "PiiMatch",
    "RetrainReport",
    "RuleSet",
    "RulesClassifier",
    "Taxonomy",
    "TextClassifier",
    "TopicNode",
    "TrainReport",
    "TrainedModel",
    "activate_candidate",
    "candidate_report",
    "classify_items",
    "current_labels",
    "default_embedding_model_path",
    "default_rules",
    "detect_language",
    "discard_candidate",
    "embedding_progress",
    "evaluate",
    "find_pii",
    "human_label_of",
    "import_labels",
    "label_choices",
    "label_vocabulary",
    "load_model",
    "load_taxonomy",
    "load_trained_models",
    "mask_pii",
    "models_in_force",
    "owner_of",
    "parse_taxonomy",
    "processes_for",
    "read_metadata",
    "read_taxonomy",
    "relabel_item",
    "retrain_with_comparison",
    "review_queue",
    "save_model",
    "score_sentiment",
    "topic_filter",
    "train_models",
    "training_hash",
    "write_human_labels",
    "write_machine_labels",
]

_LAZY = {
    "TextClassifier": "otklik.classify.model",
    "save_model": "otklik.classify.artefacts",
    "load_model": "otklik.classify.artefacts",
    "training_hash": "otklik.classify.artefacts",
    "evaluate": "otklik.classify.evaluation",
    "read_metadata": "otklik.classify.artefacts",
    "default_embedding_model_path": "otklik.classify.model",
    "embedding_progress": "otklik.classify.features",
}

__getattr__ = lazy_names(__name__, _LAZY)
