"""Classifying the ledger: every item gets type, topics, sentiment, language, tags and an owner.

The rules always run (they also give language, pillars and churn reasons); where a trained model
exists for a target (``type.model``, ``sentiment.model`` or ``topic.model`` in the model
folder), its prediction replaces the rules' for items with text. Where the team has no sentiment
(type) model, the model shipped with otklik for the item's language
(:mod:`otklik.classify.pretrained`) gives the sentiment (type) as ``auto`` chose for that target
and language from the evaluation: always (``shipped``), or only where the rules find nothing —
no sentiment, type ``other`` — and the model is sure (``hybrid``).
A ``labeller`` (the LLM, see :mod:`otklik.llm`) replaces type, sentiment and topics of the items
it answers for; the items it could not answer keep the rules' or the model's label. Human labels
are never touched.

Each stored classification says which method produced each part: ``scores[part]["method"]`` is
``rules``, ``model`` (the team's trained model), ``shipped`` or ``llm`` for ``type``,
``sentiment`` and ``topics`` (read back by :func:`~otklik.classify.store.current_labels` as
``methods``, a human correction of a part shown as ``human``); the stored ``method`` column sums
it up: ``llm`` for the LLM's answers, ``model`` when any part came from a model (trained or
shipped), else ``rules``. The report's ``by_method`` counts the items by the methods of their
parts (:func:`method_mix`: ``rules``, ``rules+shipped`` when the sentiment or the type came
from the shipped model and the rest from the rules, ``model+rules``, ``llm``…) and ``by_part``
the method of each part.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from otklik.classify.coherence import UNADDRESSED_KINDS, sentiment_of_type
from otklik.classify.estimator import TARGETS
from otklik.classify.parallel import ParallelReader, RunCaches, processes_for
from otklik.classify.rules import NO_TOPIC, Analysis, AnalysisCache, RuleSet, default_rules
from otklik.classify.store import (
    ItemRow,
    MachineLabel,
    count_classified,
    iter_items,
    write_machine_labels,
)
from otklik.classify.taxonomy import Taxonomy

__all__ = [
    "ClassifyReport",
    "ExternalLabel",
    "Labeller",
    "Progress",
    "TrainedModel",
    "classify_items",
    "load_trained_models",
    "method_mix",
    "model_path",
    "owner_of",
]

Progress = Callable[[int, int], None]  # (items done, items to do)
OnBatch = Callable[[list[int]], None]  # called with the ids of each written batch


@dataclass(frozen=True)
class ExternalLabel:
    """Type, sentiment and topics from outside the rules and models (an LLM's answer).

    ``method`` is stored as the classification's method (``llm``), ``version`` as its
    ``model_version`` (at most 100 characters), ``details`` under ``scores[method]``.
    """

    type: str
    sentiment: str
    topics: list[str]
    method: str
    version: str
    confidence: float
    details: dict[str, Any] = field(default_factory=dict)


# Called with each batch; answers {item id: label} for the items it could label.
Labeller = Callable[[Sequence[ItemRow]], dict[int, ExternalLabel]]


@dataclass
class TrainedModel:
    target: str
    model: Any  # a fitted estimator with predict_proba and classes_
    version: str


@dataclass
class ClassifyReport:
    classified: int = 0
    pending_before: int = 0
    total_items: int = 0
    seconds: float = 0.0
    by_method: Counter[str] = field(default_factory=Counter)
    by_part: dict[str, Counter[str]] = field(default_factory=dict)
    by_type: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    models: dict[str, str] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.classified / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "classified": self.classified,
            "total_items": self.total_items,
            "seconds": round(self.seconds, 3),
            "items_per_second": round(self.per_second, 1),
            "by_method": dict(self.by_method),
            "by_part": {part: dict(counts) for part, counts in self.by_part.items()},
            "by_type": dict(self.by_type.most_common()),
            "by_language": dict(self.by_language.most_common()),
            "models": self.models,
        }


def load_trained_models(model_dir: Path | None) -> dict[str, TrainedModel]:
    """The models saved by ``otklik model train`` under ``model_dir``, by target."""
    if model_dir is None or not model_dir.is_dir():
        return {}
    found: dict[str, TrainedModel] = {}
    for target in TARGETS:
        path = model_path(model_dir, target)
        if not path.exists():
            continue
        from otklik.classify.artefacts import load_model  # scikit-learn only when a model exists

        model, metadata = load_model(path)
        digest = str(metadata.get("training_hash") or "")[:12] if isinstance(metadata, dict) else ""
        found[target] = TrainedModel(target, model, f"{target}:{digest or 'unknown'}")
    return found


def model_path(model_dir: Path, target: str) -> Path:
    """Where ``otklik model train`` saves the model of ``target``."""
    return model_dir / f"{target}.model"


def owner_of(taxonomy: Taxonomy, topics: Sequence[str]) -> str:
    """The team owning the first (strongest) topic, else the taxonomy's default owner."""
    owners = {node.id: node.owner for node in taxonomy.flat_topics()}
    for topic in topics:
        if topic in owners:
            return owners[topic]
    return taxonomy.default_owner


def _predict(
    models: dict[str, TrainedModel], texts: list[str]
) -> dict[str, list[tuple[str, float]]]:
    predictions: dict[str, list[tuple[str, float]]] = {}
    for target, trained in models.items():
        if not texts:
            predictions[target] = []
            continue
        proba = trained.model.predict_proba(texts)
        classes = [str(name) for name in trained.model.classes_]
        best = proba.argmax(axis=1)
        predictions[target] = [
            (classes[int(column)], float(proba[row, int(column)]))
            for row, column in enumerate(best)
        ]
    return predictions


def _predict_shipped(
    texts: list[tuple[str, str | None]],
    rules_sentiments: Sequence[str] | None = None,
    cache: dict[tuple[str, str], tuple[str, float]] | None = None,
    target: str = "sentiment",
) -> dict[int, tuple[str, float]]:
    """``target`` (sentiment or type) from the shipped model of each text's language, where
    ``auto`` prefers it; keyed by position in ``texts``.

    With ``rules_sentiments`` (the rules' answer for ``target`` of each text), a language whose
    method is ``hybrid`` sends the model only the texts the rules found nothing in (``neutral``,
    ``other``): elsewhere :func:`~otklik.classify.pretrained.hybrid_pick` keeps the rules' answer
    whatever the model says, so the result is the same and the model reads a fraction of the
    texts — unless the language's ``hybrid`` lets a sure model overrule the rules (an
    ``override`` in ``auto.json``), when it reads them all.

    With a ``cache`` ((language, text) → answer, one per run), the model reads each distinct
    text once: a text's row of n-grams and its scores do not depend on the other texts of the
    batch, so the answers are the same.
    """
    from otklik.classify.pretrained import (
        SILENT,
        hybrid_override,
        preferred_method,
        shipped_model,
    )

    silent = SILENT.get(target, "neutral")
    by_language: dict[str, list[int]] = {}
    methods: dict[str, str | None] = {}
    for position, (_text, language) in enumerate(texts):
        if not language:
            continue
        if language not in methods:
            methods[language] = preferred_method(target, language)
            if methods[language] == "hybrid" and hybrid_override(target, language) is not None:
                methods[language] = "hybrid-override"
        method = methods[language]
        if method == "hybrid" and rules_sentiments is not None:
            if rules_sentiments[position] != silent:
                continue
        elif method == "hybrid-override":
            pass
        elif method != "shipped" and method != "hybrid":
            continue
        by_language.setdefault(language, []).append(position)
    found: dict[int, tuple[str, float]] = {}
    for language, positions in by_language.items():
        model = shipped_model(target, language)
        if model is None:  # pragma: no cover - preferred_method checked it
            continue
        if cache is None:
            proba = model.predict_proba([texts[p][0] for p in positions])
            for position, row in zip(positions, proba, strict=True):
                best = int(row.argmax())
                found[position] = (str(model.classes[best]), float(row[best]))
            continue
        unread = list(
            dict.fromkeys(t for p in positions if (language, t := texts[p][0]) not in cache)
        )
        if unread:
            if len(cache) + len(unread) > _SHIPPED_CACHE_SIZE:
                cache.clear()
            for text, row in zip(unread, model.predict_proba(unread), strict=True):
                best = int(row.argmax())
                cache[(language, text)] = (str(model.classes[best]), float(row[best]))
        for position in positions:
            found[position] = cache[(language, texts[position][0])]
    return found


_SHIPPED_CACHE_SIZE = 200_000
# The sentiment methods that work without a team's labels: only their answer follows the type.
_DAY_ONE = frozenset({"rules", "shipped"})
_LABEL_CACHE_SIZE = 200_000


def _shipped_or_rules(
    analysis: Analysis, shipped: tuple[str, float], language: str, target: str = "sentiment"
) -> tuple[str, float, bool]:
    from otklik.classify.pretrained import ready_pick

    if target == "type":
        return ready_pick(
            target,
            language,
            analysis.type,
            analysis.type_confidence,
            shipped,
            rules_turned=analysis.type_turned,
            rules_settled=analysis.settled,
        )
    return ready_pick(
        target,
        language,
        analysis.sentiment,
        analysis.sentiment_confidence,
        shipped,
        rules_settled=analysis.settled,
    )


PARTS: tuple[str, ...] = ("type", "sentiment", "topics")


def method_mix(scores: dict[str, Any] | None, fallback: str | None = None) -> str | None:
    """The methods that produced a classification's parts, sorted and joined with ``+``
    (``rules``, ``rules+shipped``, ``model+rules``, ``llm``): what ``by_method`` counts.

    ``scores`` is a stored classification's ``scores`` (``scores[part]["method"]``); a part
    without one (rows written before per-part methods) counts as ``fallback``, the stored
    ``method``.
    """
    found = set()
    for part in PARTS:
        entry = (scores or {}).get(part)
        method = entry.get("method") if isinstance(entry, dict) else None
        if method or fallback:
            found.add(str(method or fallback))
    return "+".join(sorted(found)) or fallback


def _label(
    item: ItemRow,
    analysis: Analysis,
    predicted: dict[str, tuple[str, float]],
    rules: RuleSet,
    owners: dict[str, str],
    shipped: tuple[str, float] | None = None,
    shipped_type: tuple[str, float] | None = None,
) -> MachineLabel:
    scores: dict[str, Any] = {}
    kind_type, type_conf, type_method = analysis.type, analysis.type_confidence, "rules"
    if "type" in predicted:
        (kind_type, type_conf), type_method = predicted["type"], "model"
    elif shipped_type is not None:
        kind_type, type_conf, used = _shipped_or_rules(
            analysis, shipped_type, str(analysis.language), "type"
        )
        type_method = "shipped" if used else "rules"
    sentiment, sentiment_conf, sentiment_method = (
        analysis.sentiment,
        analysis.sentiment_confidence,
        "rules",
    )
    if "sentiment" in predicted:
        (sentiment, sentiment_conf), sentiment_method = predicted["sentiment"], "model"
    elif shipped is not None:
        sentiment, sentiment_conf, used = _shipped_or_rules(
            analysis, shipped, str(analysis.language)
        )
        sentiment_method = "shipped" if used else "rules"
    if sentiment_method in _DAY_ONE:  # a team's model or a person's label is left as it is
        follows = sentiment_of_type(kind_type, sentiment, item.kind)
        if follows is not None:  # a complaint is negative, praise positive (coherence.py)
            sentiment, sentiment_conf, sentiment_method = follows, type_conf, type_method
    topics, topic_conf, topic_method = analysis.topics, analysis.topic_confidence, "rules"
    if "topic" in predicted:
        top, topic_conf = predicted["topic"]
        topics, topic_method = ([] if top == NO_TOPIC else [top]), "model"
    scores["type"] = {"confidence": round(type_conf, 4), "method": type_method}
    scores["sentiment"] = {"confidence": round(sentiment_conf, 4), "method": sentiment_method}
    scores["topics"] = {"confidence": round(topic_conf, 4), "method": topic_method}
    scores["language"] = {"confidence": round(analysis.language_confidence, 4)}
    tags: dict[str, Any] = {}
    if analysis.pillars:
        tags["pillars"] = analysis.pillars
    if analysis.churn_reasons:
        tags["churn_reasons"] = analysis.churn_reasons
    owner = next((owners[t] for t in topics if t in owners), rules.taxonomy.default_owner)
    return MachineLabel(
        item_id=item.id,
        type=kind_type,
        sentiment=sentiment,
        topics=topics,
        tags=tags,
        language=analysis.language,
        owner_team=owner,
        method="rules" if {type_method, sentiment_method, topic_method} == {"rules"} else "model",
        confidence=round(min(type_conf, sentiment_conf), 4),
        scores=scores,
    )


def classify_items(
    engine: Engine,
    *,
    reclassify: bool = False,
    rules: RuleSet | None = None,
    models: dict[str, TrainedModel] | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
    on_batch: OnBatch | None = None,
    labeller: Labeller | None = None,
    item_ids: Sequence[int] | None = None,
    use_shipped: bool = True,
    per_item: bool = False,
    processes: int = 1,
) -> ClassifyReport:
    """Classify items with no machine label (every item with ``reclassify``); only those of
    ``item_ids`` when given.

    With a ``labeller``, its answers replace type, sentiment and topics (see ExternalLabel).
    ``use_shipped=False`` keeps the shipped models out (rules and the team's models only).

    Each distinct text is read once per run (rules, shipped model, conduct check): items with
    the same text, language, score band and kind get the same answers. ``per_item=True`` reads
    every item on its own instead (no answers shared between items): the plain path, slower,
    kept as the reference the fast one is tested against.

    ``processes``: processes that read the distinct texts (rules, shipped models, conduct
    check), this one included: ``processes - 1`` workers read them a few batches ahead while
    this one reads its share and stores the answers (:mod:`otklik.classify.parallel`; the same
    answers); 1 reads them all here, 0 picks by the run's size and the machine's cores
    (:func:`~otklik.classify.parallel.processes_for`). ValueError for a negative number.
    """
    rules = rules or default_rules()
    models = models or {}
    shipped_on = use_shipped and "sentiment" not in models
    shipped_type_on = use_shipped and "type" not in models
    owners = {node.id: node.owner for node in rules.taxonomy.flat_topics()}
    version = ";".join(trained.version for trained in models.values()) or None
    report = ClassifyReport(models={t: m.version for t, m in models.items()})
    report.total_items, report.pending_before = count_classified(
        engine, reclassify=reclassify, item_ids=item_ids
    )
    # answers per distinct text, shared by the batches of this run (see the docstring)
    caches = RunCaches()
    workers = 1 if per_item else processes_for(processes, report.pending_before)
    reader = (
        ParallelReader(rules, workers - 1, sentiment=shipped_on, type=shipped_type_on, conduct=True)
        if workers > 1
        else None
    )
    batches = iter_items(engine, reclassify=reclassify, batch_size=batch_size, item_ids=item_ids)
    started = time.perf_counter()
    try:
        report = _classify_batches(
            engine,
            reader.ahead(batches, caches) if reader is not None else batches,
            report,
            rules=rules,
            models=models,
            owners=owners,
            version=version,
            shipped_on=shipped_on,
            shipped_type_on=shipped_type_on,
            caches=None if per_item else caches,
            labeller=labeller,
            on_batch=on_batch,
            progress=progress,
        )
    finally:
        if reader is not None:
            reader.close()
    report.seconds = time.perf_counter() - started
    return report


def _classify_batches(
    engine: Engine,
    batches: Iterable[list[ItemRow]],
    report: ClassifyReport,
    *,
    rules: RuleSet,
    models: dict[str, TrainedModel],
    owners: dict[str, str],
    version: str | None,
    shipped_on: bool,
    shipped_type_on: bool,
    caches: RunCaches | None,
    labeller: Labeller | None,
    on_batch: OnBatch | None,
    progress: Progress | None,
) -> ClassifyReport:
    """classify_items' loop over the batches; ``caches`` None reads every item on its own."""
    read: AnalysisCache | None = None if caches is None else caches.analyses
    from_model = None if caches is None else caches.sentiments
    from_type_model = None if caches is None else caches.types
    conduct: dict[Any, Any] | None = None if caches is None else caches.flags
    # labels made, by their reading and the models' answers (labels share their lists and
    # dicts: they are only written; the LLM's answers, which change a label, are not kept)
    made_before: dict[tuple[Any, ...], tuple[Analysis, MachineLabel, str, tuple[str, ...]]] = {}
    for batch in batches:
        if read is None:
            analyses = [
                rules.analyse(
                    item.text,
                    language=item.language,
                    score=item.score,
                    scale=item.scale,
                    kind=item.kind,
                )
                for item in batch
            ]
        else:
            analyses = rules.analyse_many(
                ((item.text, item.language, item.score, item.scale, item.kind) for item in batch),
                read,
            )
        with_text = [i for i, item in enumerate(batch) if item.text and item.text.strip()]
        row_of = {position: row for row, position in enumerate(with_text)}
        predictions = _predict(models, [batch[i].text or "" for i in with_text])
        external = labeller(batch) if labeller is not None else {}
        shipped = (
            _predict_shipped(
                [(batch[i].text or "", analyses[i].language) for i in with_text],
                [analyses[i].sentiment for i in with_text],
                from_model,
            )
            if shipped_on
            else {}
        )
        shipped_types = (
            _predict_shipped(
                [(batch[i].text or "", analyses[i].language) for i in with_text],
                [analyses[i].type for i in with_text],
                from_type_model,
                target="type",
            )
            if shipped_type_on
            else {}
        )
        labels = []
        for position, (item, analysis) in enumerate(zip(batch, analyses, strict=True)):
            predicted: dict[str, tuple[str, float]] = {}
            if position in row_of:
                row = row_of[position]
                predicted = {target: found[row] for target, found in predictions.items()}
            from_shipped = shipped.get(row_of[position]) if position in row_of else None
            type_shipped = shipped_types.get(row_of[position]) if position in row_of else None
            # the same reading and the same models' answers make the same label: made once
            key = (
                id(analysis),
                from_shipped,
                type_shipped,
                item.kind in UNADDRESSED_KINDS,  # the sentiment follows the type elsewhere
                *sorted(predicted.items()),
            )
            remember = caches is not None and item.id not in external
            made = made_before.get(key) if remember else None
            if made is not None and made[0] is analysis:
                label = replace(made[1], item_id=item.id)
                mix, part_methods = made[2], made[3]
            else:
                label = _label(item, analysis, predicted, rules, owners, from_shipped, type_shipped)
                versions = [version] if predicted and version else []
                for part in ("type", "sentiment"):
                    if label.scores[part]["method"] == "shipped":
                        versions.append(f"shipped:{part}-{analysis.language}")
                label.model_version = ";".join(versions) or None
                if item.id in external:
                    _apply(label, external[item.id], owners, rules)
                mix = method_mix(label.scores, label.method) or label.method
                part_methods = tuple(str(label.scores[part]["method"]) for part in PARTS)
                if remember:
                    if len(made_before) >= _LABEL_CACHE_SIZE:
                        made_before.clear()
                    made_before[key] = (analysis, label, mix, part_methods)
            labels.append(label)
            report.by_method[mix] += 1
            for part, part_method in zip(PARTS, part_methods, strict=True):
                counts = report.by_part.get(part)
                if counts is None:
                    counts = report.by_part[part] = Counter()
                counts[part_method] += 1
            report.by_type[label.type] += 1
            report.by_language[label.language or "unknown"] += 1
        write_machine_labels(engine, labels)
        # conduct: checked on arrival (imported here: conduct's figures import kpi → routing
        # → this module)
        from otklik.conduct import scan_items

        scan_items(engine, [item.id for item in batch], memo=conduct)
        report.classified += len(labels)
        if on_batch is not None:
            on_batch([item.id for item in batch])
        if progress is not None:
            progress(report.classified, report.pending_before)
    return report


def _apply(
    label: MachineLabel, answer: ExternalLabel, owners: dict[str, str], rules: RuleSet
) -> None:
    label.type, label.sentiment, label.topics = answer.type, answer.sentiment, answer.topics
    label.method, label.confidence = answer.method, answer.confidence
    label.model_version = answer.version[:100]
    for part in ("type", "sentiment", "topics"):
        label.scores[part] = {"confidence": answer.confidence, "method": answer.method}
    label.scores[answer.method] = answer.details
    label.owner_team = next(
        (owners[t] for t in answer.topics if t in owners), rules.taxonomy.default_owner
    )
