"""The honest comparison: the LLM and the trained model scored on the same labelled file.

``otklik model eval --method llm`` trains the usual model on ``--train`` (method ``auto``) and
asks the LLM's classify prompt for every ``--test`` text; both are scored on the same rows
with the same metric functions. The file's labels are matched to the taxonomy's types,
sentiments or topics (ids or ru/en titles, any case); ``target`` says which, or it is the one
that names most of the labels. An LLM failure counts as a wrong prediction (``(failed)``):
what a team would get, not what it would like. Latency is per text: the LLM's mean request
time (cached answers excluded), the model's prediction time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from otklik.classify import NO_TOPIC, Taxonomy, label_vocabulary
from otklik.errors import ConfigError
from otklik.llm.client import Failure, LlmClient
from otklik.llm.labelling import TextToClassify, classify_texts

__all__ = ["FAILED", "evaluate_llm", "match_target"]

FAILED = "(failed)"
_TARGETS = ("type", "sentiment", "topic")


def match_target(taxonomy: Taxonomy, labels: list[str], target: str | None = None) -> str:
    """The taxonomy part the labels name (type, sentiment or topic).

    Raises ConfigError when ``target`` is unknown or a label is not in it.
    """
    if target is not None and target not in _TARGETS:
        raise ConfigError(f"unknown target {target!r}: use type, sentiment or topic")
    distinct = sorted(set(labels))
    if target is None:
        hits = {
            name: sum(label.lower() in label_vocabulary(taxonomy, name) for label in distinct)
            for name in _TARGETS
        }
        target = max(_TARGETS, key=lambda name: hits[name])
    vocabulary = label_vocabulary(taxonomy, target)
    unknown = [label for label in distinct if label.lower() not in vocabulary]
    if target == "topic":
        unknown = [label for label in unknown if label != NO_TOPIC]
    if unknown:
        raise ConfigError(
            f"the labels {', '.join(map(repr, unknown[:5]))} are not {target}s of the taxonomy "
            "(the LLM answers with taxonomy ids; relabel the file or pass another taxonomy)"
        )
    return target


def evaluate_llm(
    train: Path,
    test: Path,
    *,
    client: LlmClient,
    taxonomy: Taxonomy,
    text_column: str,
    label_column: str,
    target: str | None = None,
    seed: int = 0,
    baseline_method: str = "auto",
    prompts_dir: Path | None = None,
    predictions: Path | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Score the LLM and the trained model on ``test``; returns both, side by side.

    Shape: ``{"target", "n_test", "llm": {accuracy, macro_f1, failed, cost, prompt_tokens,
    completion_tokens, latency_s_per_text, model, prompt_versions}, "trained": {accuracy,
    macro_f1, latency_s_per_text, fit_seconds, method, n_train}}``. With ``predictions``, a CSV
    with ``text, label, predicted`` (the LLM's) is written.
    """
    from otklik.classify.evaluation import evaluate, read_labelled, score, write_predictions

    texts, raw_labels = read_labelled(test, text_column=text_column, label_column=label_column)
    chosen = match_target(taxonomy, raw_labels, target)
    vocabulary = label_vocabulary(taxonomy, chosen)
    truth = [vocabulary.get(label.lower(), label) for label in raw_labels]
    results = classify_texts(
        client,
        taxonomy,
        [TextToClassify(text) for text in texts],
        directory=prompts_dir,
        progress=progress,
    )
    predicted: list[str] = []
    for result in results:
        if isinstance(result, Failure):
            predicted.append(FAILED)
        elif chosen == "topic":
            predicted.append(result.value.topics[0] if result.value.topics else NO_TOPIC)
        else:
            predicted.append(getattr(result.value, chosen))
    if predictions is not None:
        write_predictions(Path(predictions), texts, truth, predicted)
    usage = client.usage.as_dict()
    trained = evaluate(
        train,
        test,
        text_column=text_column,
        label_column=label_column,
        seed=seed,
        method=baseline_method,
    )
    reasons = Counter(r.reason.split(" (after")[0] for r in results if isinstance(r, Failure))
    return {
        "target": chosen,
        "n_test": len(texts),
        "llm": {
            **score(truth, predicted),
            "failed": usage["failed"],
            "failure_reasons": dict(reasons.most_common(5)),
            "cost": usage["cost"],
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
            "requests": usage["requests"],
            "latency_s_per_text": usage["mean_latency_s"],
            "model": client.model,
            "prompt_versions": sorted({r.prompt_version for r in results}),
        },
        "trained": {
            "accuracy": trained["accuracy"],
            "macro_f1": trained["macro_f1"],
            "latency_s_per_text": round(1 / trained["predict_per_second"], 6)
            if trained["predict_per_second"]
            else None,
            "fit_seconds": trained["fit_seconds"],
            "method": trained["method"],
            "n_train": trained["n_train"],
            "cost": 0.0,
        },
    }
