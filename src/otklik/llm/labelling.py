"""Classifying with the LLM: the ``classify`` prompt over items or plain texts.

:class:`LlmLabeller` is the ``labeller`` hook of :func:`otklik.classify.classify_items`: it
masks each item's text (:func:`~otklik.llm.privacy.mask_for_llm`), asks the prompt in the
item's language (Russian for ``ru``, English otherwise), validates the answer against the
taxonomy (a type, sentiment or topic it lacks is a malformed answer) and returns the labels it
got. Items it could not label keep their rules/model label; their reasons are in
:attr:`LlmLabeller.failures`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from otklik.classify import ExternalLabel, ItemRow, Taxonomy, detect_language
from otklik.llm.client import Answer, Failure, Job, LlmClient
from otklik.llm.privacy import mask_for_llm
from otklik.llm.prompts import load_prompt
from otklik.llm.schemas import ClassifyAnswer

__all__ = ["LLM_CONFIDENCE", "LlmLabeller", "TextToClassify", "classify_job", "classify_texts"]

# An LLM gives no calibrated probability; its labels are stored with this neutral confidence
# (the review queue shows them after the rules' and models' uncertain ones).
LLM_CONFIDENCE = 0.5


@dataclass(frozen=True)
class TextToClassify:
    text: str
    language: str | None = None
    kind: str | None = None
    score: float | None = None


def _topics_block(taxonomy: Taxonomy, language: str) -> str:
    return "\n".join(f"  - {node.id}: {node.title(language)}" for node in taxonomy.flat_topics())


def _check(taxonomy: Taxonomy) -> Callable[[Any], str | None]:
    types = set(taxonomy.type_names)
    sentiments = set(taxonomy.sentiments)
    topics = set(taxonomy.topic_ids())

    def check(answer: ClassifyAnswer) -> str | None:
        if answer.type not in types:
            return f"type {answer.type!r} is not one of {', '.join(sorted(types))}"
        if answer.sentiment not in sentiments:
            return f"sentiment {answer.sentiment!r} is not one of {', '.join(sorted(sentiments))}"
        unknown = [topic for topic in answer.topics if topic not in topics]
        if unknown:
            return f"topic {unknown[0]!r} is not in the taxonomy"
        return None

    return check


def classify_job(taxonomy: Taxonomy, item: TextToClassify, *, directory: Path | None = None) -> Job:
    """The question for one text: masked, in the text's language's prompt."""
    language = item.language or detect_language(item.text)[0]
    prompt = load_prompt("classify", language or "en", directory=directory)
    score = "—" if item.score is None else f"{item.score:g}"
    return Job(
        prompt=prompt,
        values={
            "types": ", ".join(taxonomy.type_names),
            "sentiments": ", ".join(taxonomy.sentiments),
            "topics": _topics_block(taxonomy, prompt.language),
            "kind": item.kind or "—",
            "score": score,
            "text": mask_for_llm(item.text),
        },
        schema=ClassifyAnswer,
        check=_check(taxonomy),
    )


def classify_texts(
    client: LlmClient,
    taxonomy: Taxonomy,
    texts: Sequence[TextToClassify],
    *,
    directory: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache_only: bool = False,
) -> list[Answer[ClassifyAnswer] | Failure]:
    """One answer or failure per text, in order (``settings.concurrency`` at a time)."""
    jobs = [classify_job(taxonomy, item, directory=directory) for item in texts]
    return client.ask_many(jobs, progress=progress, cache_only=cache_only)


class LlmLabeller:
    """The ``labeller`` hook: LLM labels for the items of a batch that have text.

    ``cache_only`` stores what was reviewed without asking again.
    """

    def __init__(
        self,
        client: LlmClient,
        taxonomy: Taxonomy,
        *,
        directory: Path | None = None,
        cache_only: bool = False,
    ) -> None:
        self.client = client
        self.taxonomy = taxonomy
        self.directory = directory
        self.cache_only = cache_only
        self.failures: list[tuple[int, str]] = []
        self.prompt_versions: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, batch: Sequence[ItemRow]) -> dict[int, ExternalLabel]:
        chosen = [item for item in batch if item.text and item.text.strip()]
        texts = [TextToClassify(i.text or "", i.language, i.kind, i.score) for i in chosen]
        results = classify_texts(
            self.client,
            self.taxonomy,
            texts,
            directory=self.directory,
            cache_only=self.cache_only,
        )
        found: dict[int, ExternalLabel] = {}
        with self._lock:
            for item, result in zip(chosen, results, strict=True):
                self.prompt_versions.add(result.prompt_version)
                if isinstance(result, Failure):
                    self.failures.append((item.id, result.reason))
                    continue
                answer: ClassifyAnswer = result.value
                found[item.id] = ExternalLabel(
                    type=answer.type,
                    sentiment=answer.sentiment,
                    topics=list(dict.fromkeys(answer.topics)),
                    method="llm",
                    version=f"llm:{self.client.model}|{result.prompt_version}",
                    confidence=LLM_CONFIDENCE,
                    details={
                        "model": self.client.model,
                        "prompt_version": result.prompt_version,
                        "summary": answer.summary,
                        "cached": result.cached,
                    },
                )
        return found
