"""Reading a run's distinct texts in worker processes while the main process stores answers.

What :func:`~otklik.classify.run.classify_items` works out per distinct text — the rules'
reading and conclusion, the shipped models' answers, the conduct check — is a pure function of
the text (its language, score band and kind) and of the rules and models, which the workers
inherit by ``fork``. The main process reads batches from the store, sends each batch's texts it
has not read yet to the workers a few batches ahead, and puts their answers into the run's
caches; its own pass over the batch then finds every answer there and only makes the labels,
writes them and routes. Nothing a worker does touches the store, so the answers, the stored
rows and the cases are the same as in one process (``tests/classify/test_fast_run.py``).

``fork`` is needed (Linux; not Windows, and not macOS's default): elsewhere, or for a small run,
:func:`processes_for` answers 1 and the run stays in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from otklik.classify.rules import Analysis, ItemText, RuleSet, analysis_key
from otklik.classify.store import ItemRow

__all__ = [
    "AUTO_MIN_ITEMS",
    "MAX_AUTO_PROCESSES",
    "ParallelReader",
    "Read",
    "RunCaches",
    "processes_for",
]

# ``processes=0`` (auto) uses workers only for runs of at least this many items: below it,
# starting them costs more than they save.
AUTO_MIN_ITEMS = 20_000
MAX_AUTO_PROCESSES = 4
_CACHE_SIZE = 200_000  # texts a worker's conduct answers hold before they are emptied

ItemKey = tuple[str, str | None, str | None, bool]  # text, language, score band, exit or not


def processes_for(requested: int, pending: int) -> int:
    """How many worker processes a run of ``pending`` items uses: ``requested`` when above 1,
    and for 0 (auto) one per CPU core, at most ``MAX_AUTO_PROCESSES``, when the run has at
    least ``AUTO_MIN_ITEMS`` items; 1 (no workers) without ``fork``.

    Raises ValueError for a negative ``requested``.
    """
    if requested < 0:
        raise ValueError(f"processes must be 0 (auto) or more, not {requested}")
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if requested:
        return requested
    if pending < AUTO_MIN_ITEMS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_AUTO_PROCESSES, cores or 1))


@dataclass
class Read:
    """A worker's answers for one batch: what the run's caches hold, by their keys."""

    analyses: dict[ItemKey, Analysis] = field(default_factory=dict)
    sentiments: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    types: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    flags: dict[str | None, Any] = field(default_factory=dict)


@dataclass
class RunCaches:
    """The caches of one run of classify_items, which the workers' answers fill.

    ``analyses``: RuleSet.analyse_many's cache; ``sentiments``/``types``: the shipped models'
    answers by (language, text); ``flags``: the conduct check's answers by text (scan_items'
    memo). Each is emptied before it would pass ``limit`` entries.
    """

    analyses: dict[Any, Any] = field(default_factory=dict)
    sentiments: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    types: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    flags: dict[Any, Any] = field(default_factory=dict)
    limit: int = 200_000

    def add(self, read: Read) -> None:
        pairs: list[tuple[dict[Any, Any], dict[Any, Any]]] = [
            (self.analyses, read.analyses),
            (self.sentiments, read.sentiments),
            (self.types, read.types),
            (self.flags, read.flags),
        ]
        for cache, found in pairs:
            if len(cache) + len(found) > self.limit:
                cache.clear()
            cache.update(found)


@dataclass
class _Worker:
    rules: RuleSet
    sentiment: bool
    type: bool
    conduct: bool
    analyses: dict[Any, Any] = field(default_factory=dict)
    sentiments: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    types: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    flags: dict[str | None, Any] = field(default_factory=dict)


_WORKER: _Worker | None = None  # set in each worker process by the initializer


def _start(worker: _Worker) -> None:
    global _WORKER
    _WORKER = worker


def _read(rows: list[ItemText]) -> Read:
    """In a worker: the answers for ``rows`` (see the module docstring)."""
    from otklik.classify.run import _predict_shipped
    from otklik.conduct import detect

    worker = _WORKER
    assert worker is not None, "_read runs in a ParallelReader's worker"
    found = Read()
    analyses = worker.rules.analyse_many(rows, worker.analyses)
    texts: list[tuple[str, str | None]] = []
    answers: list[Analysis] = []
    for row, analysis in zip(rows, analyses, strict=True):
        found.analyses[analysis_key(row)] = analysis
        text = row[0]
        if text and text.strip():
            texts.append((text, analysis.language))
            answers.append(analysis)
    for wanted, target, cache, into in (
        (worker.sentiment, "sentiment", worker.sentiments, found.sentiments),
        (worker.type, "type", worker.types, found.types),
    ):
        if not wanted or not texts:
            continue
        said = [a.sentiment if target == "sentiment" else a.type for a in answers]
        for position, answer in _predict_shipped(texts, said, cache, target).items():
            text, language = texts[position]
            into[(str(language), text)] = answer
    if worker.conduct:  # as scan_items checks a text (the run's lexicon, no model)
        for text, *_rest in rows:
            if text not in found.flags:
                flags = worker.flags.get(text)
                if flags is None:
                    if len(worker.flags) >= _CACHE_SIZE:
                        worker.flags.clear()
                    flags = worker.flags[text] = detect(text)
                found.flags[text] = flags
    return found


class ParallelReader:
    """``processes`` forked workers that read batches' texts ahead of the run.

    Each text always goes to the same worker (by its hash), so a worker's caches — the rules'
    reading of a text, its words' lemmas, the shipped models' word rows — serve every later
    batch with that text, whatever its score band. ``submit(rows)`` returns one future of
    :class:`Read` per worker given rows; ``close()`` stops the workers. ``sentiment``/``type``:
    whether the run uses the shipped sentiment and type models; ``conduct``: whether it checks
    conduct.
    """

    def __init__(
        self, rules: RuleSet, processes: int, *, sentiment: bool, type: bool, conduct: bool
    ) -> None:
        self.processes = processes
        self.broken = False  # a worker died: the rest of the run is read in this process
        context = multiprocessing.get_context("fork")
        worker = _Worker(rules, sentiment, type, conduct)
        self._pools = [
            ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_start, initargs=(worker,)
            )
            for _ in range(processes)
        ]

    def submit(self, rows: Sequence[ItemText]) -> list[Future[Read]]:
        shards: list[list[ItemText]] = [[] for _ in self._pools]
        for row in rows:
            shards[hash(row[0]) % len(shards)].append(row)
        pairs = zip(self._pools, shards, strict=True)
        return [pool.submit(_read, shard) for pool, shard in pairs if shard]

    def ahead(self, batches: Iterable[list[ItemRow]], caches: RunCaches) -> Iterator[list[ItemRow]]:
        """``batches`` again, each once the workers' answers for its texts are in ``caches``.

        Up to ``processes + 1`` batches are read ahead; a batch sends only the items whose
        answer ``caches`` does not hold yet, each (text, language, score band, kind) once.
        When a worker dies (killed, out of memory), the batches still to come are yielded
        without answers, and the caller reads them itself (``broken`` says so).
        """
        waiting: deque[tuple[list[ItemRow], list[Future[Read]]]] = deque()
        for batch in batches:
            waiting.append((batch, [] if self.broken else self._send(batch, caches)))
            if len(waiting) > self.processes:
                yield self._receive(*waiting.popleft(), caches)
        while waiting:
            yield self._receive(*waiting.popleft(), caches)

    def _send(self, batch: list[ItemRow], caches: RunCaches) -> list[Future[Read]]:
        rows: dict[ItemKey, ItemText] = {}
        for item in batch:
            row = (item.text, item.language, item.score, item.scale, item.kind)
            key = analysis_key(row)
            if key not in caches.analyses:
                rows.setdefault(key, row)
        try:
            return self.submit(list(rows.values()))
        except BrokenProcessPool:
            self.broken = True
            return []

    def _receive(
        self, batch: list[ItemRow], futures: list[Future[Read]], caches: RunCaches
    ) -> list[ItemRow]:
        for future in futures:
            if self.broken:
                break
            try:
                caches.add(future.result())
            except BrokenProcessPool:
                self.broken = True
        return batch

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
