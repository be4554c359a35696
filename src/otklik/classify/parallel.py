"""Reading a run's distinct texts in worker processes and in this one while it stores answers.

What :func:`~otklik.classify.run.classify_items` works out per distinct text — the rules'
reading and conclusion, the shipped models' answers, the conduct check — is a pure function of
the text (its language, score band and kind) and of the rules and models, which the workers
inherit by ``fork``. The main process reads batches from the store, sends each batch's texts it
has not read yet to the workers a few batches ahead, and puts their answers into the run's
caches; its own pass over the batch then finds those answers there, reads the texts it kept
for itself, makes the labels, writes them and routes. Nothing a worker does touches the store,
so the answers, the stored rows and the cases are the same as in one process
(``tests/classify/test_fast_run.py``).

The main process is one of the readers. It reads the first few texts itself before the workers
start (so the shipped models, the conduct lexicon and the rules' caches it loads for them are
there before the fork, and every worker inherits them instead of loading its own), and while
the answers of the batch it needs next are not ready it takes back the newest chunk of texts no
worker has started and reads it, instead of waiting: work moves to whoever is free. On two
cores, one worker and this process share the reading (two workers beside this process were
three busy processes on two cores: 13 % more CPU for the same run, and no faster).

``fork`` is needed (Linux; not Windows, and not macOS's default): elsewhere, or for a small run,
:func:`processes_for` answers 1 and the run stays in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import weakref
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
# Rows in one request to a worker: a batch's chunk this process can take back if no worker has
# started it (smaller chunks balance finer; each request costs the models' fixed steps).
_CHUNK = 1000
# Batches sent ahead beyond one per worker: the workers always have the next one queued.
_AHEAD = 2
# Items of the first batch this process reads before the workers start: the rules' caches, the
# shipped models and the conduct lexicon it loads for them are then the workers' too (fork).
_WARM = 50

ItemKey = tuple[str, str | None, str | None, bool]  # text, language, score band, exit or not


def processes_for(requested: int, pending: int) -> int:
    """How many processes read the texts of a run of ``pending`` items, this one included
    (``processes - 1`` workers): ``requested`` when above 1, and for 0 (auto) one per CPU core,
    at most ``MAX_AUTO_PROCESSES``, when the run has at least ``AUTO_MIN_ITEMS`` items; 1 (no
    workers) without ``fork``.

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
    claims: Any = None  # the run's _Claims, shared with the workers (fork)


class _Claims:
    """Who reads each chunk: the first of a worker and this process to claim it.

    A claim is a file made with ``O_CREAT | O_EXCL`` in a folder of the run's own: the kernel
    lets exactly one process make it, and no lock is held between two steps. (A lock in shared
    memory, which this once was, stays held for good when its holder is killed inside it — a
    worker killed by the OOM killer or a signal — and the next claim then waits forever.)
    The folder is removed by :meth:`close`, or when this object is collected.
    """

    def __init__(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="otklik-claims-")
        self._next = 0
        # Only by the process that made it: a forked worker's copy must never remove it.
        self._cleanup = weakref.finalize(self, _remove_folder, self._folder, os.getpid())

    def new(self) -> int:
        """A fresh chunk number, unclaimed."""
        number, self._next = self._next, self._next + 1
        return number

    def claim(self, number: int) -> bool:
        """Whether the calling process now reads chunk ``number`` (False: another has it)."""
        try:
            handle = os.open(
                os.path.join(self._folder, str(number)), os.O_CREAT | os.O_EXCL | os.O_WRONLY
            )
        except FileExistsError:
            return False
        os.close(handle)
        return True

    def close(self) -> None:
        """Remove the claims' folder (called once the workers have stopped)."""
        self._cleanup()


def _remove_folder(folder: str, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


_WORKER: _Worker | None = None  # set in each worker process by the initializer


def _start(worker: _Worker) -> None:
    global _WORKER
    _WORKER = worker


def _read(number: int, rows: list[ItemText]) -> Read:
    """In a worker: the answers for chunk ``number`` of ``rows`` (see the module docstring);
    none when this process claimed the chunk first."""
    assert _WORKER is not None, "_read runs in a ParallelReader's worker"
    if _WORKER.claims is not None and not _WORKER.claims.claim(number):
        return Read()
    return _read_with(_WORKER, rows)


def _read_with(worker: _Worker, rows: list[ItemText]) -> Read:
    """The answers for ``rows`` with ``worker``'s rules, models and caches."""
    from otklik.classify.run import _predict_shipped
    from otklik.conduct import detect

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


@dataclass
class _Chunk:
    """Rows sent to a worker in one request, which this process may claim first."""

    future: Future[Read]
    number: int
    rows: list[ItemText]
    taken: bool = False  # claimed and read by this process


@dataclass
class _Sent:
    """A batch in flight: its keys sent to the workers, and its chunks."""

    batch: list[ItemRow]
    keys: list[ItemKey] = field(default_factory=list)
    chunks: list[_Chunk] = field(default_factory=list)


class ParallelReader:
    """``workers`` forked processes that read batches' texts ahead of the run, beside this one.

    Each text the workers read always goes to the same worker (by its hash), so a worker's
    caches — the rules' reading of a text, its words' lemmas, the shipped models' word rows —
    serve every later batch with that text, whatever its score band. ``submit(rows)`` returns
    the futures of :class:`Read`, one per chunk of at most ``_CHUNK`` rows of a worker;
    ``close()`` stops the workers. ``sentiment``/``type``: whether the run uses the shipped
    sentiment and type models; ``conduct``: whether it checks conduct. ``taken``: how many
    chunks this process took back from the workers' queues and read itself.
    """

    def __init__(
        self, rules: RuleSet, workers: int, *, sentiment: bool, type: bool, conduct: bool
    ) -> None:
        if workers < 1:
            raise ValueError(f"a ParallelReader needs at least one worker, not {workers}")
        self.workers = workers
        self.broken = False  # a worker died: the rest of the run is read in this process
        self.taken = 0
        self._pending: set[ItemKey] = set()  # sent to the workers, answers not received yet
        self._claims = _Claims()
        context = multiprocessing.get_context("fork")
        worker = _Worker(rules, sentiment, type, conduct, claims=self._claims)
        self._own = _Worker(rules, sentiment, type, conduct)  # for the chunks taken back
        self._warm = False
        self._pools = [
            ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_start, initargs=(worker,)
            )
            for _ in range(workers)
        ]

    def submit(self, rows: Sequence[ItemText]) -> list[Future[Read]]:
        """Send ``rows`` to the workers (each text to its worker, in chunks)."""
        return [chunk.future for chunk in self.submit_chunks(rows)]

    def ahead(self, batches: Iterable[list[ItemRow]], caches: RunCaches) -> Iterator[list[ItemRow]]:
        """``batches`` again, each once the answers for its texts are in ``caches``.

        This process reads the first ``_WARM`` items itself (the workers start after them, with
        what it loaded); up to ``workers + _AHEAD`` batches are sent ahead, each item whose
        answer ``caches`` does not hold and no batch in flight carries, each (text, language,
        score band, kind) once, in chunks of at most ``_CHUNK``. While the answers of the batch
        due are not ready, this process takes back the newest chunk no worker has started and
        reads it itself instead of waiting. When a worker dies (killed, out of memory), the
        batches still to come are yielded without answers, and the caller reads them itself
        (``broken`` says so).
        """
        waiting: deque[_Sent] = deque()
        for batch in batches:
            if not self._warm:  # load here what the workers then inherit
                self._warm = True
                self._read_here(batch[:_WARM], caches)
            waiting.append(_Sent(batch) if self.broken else self._send(batch, caches))
            if len(waiting) > self.workers + _AHEAD:
                yield self._receive(waiting.popleft(), waiting, caches)
        while waiting:
            yield self._receive(waiting.popleft(), waiting, caches)

    def _send(self, batch: list[ItemRow], caches: RunCaches) -> _Sent:
        rows: dict[ItemKey, ItemText] = {}
        for item in batch:
            row = (item.text, item.language, item.score, item.scale, item.kind)
            key = analysis_key(row)
            if key not in caches.analyses and key not in self._pending:
                rows.setdefault(key, row)
        try:
            chunks = self.submit_chunks(list(rows.values()))
        except BrokenProcessPool:
            self.broken = True
            return _Sent(batch)
        self._pending.update(rows)
        return _Sent(batch, list(rows), chunks)

    def submit_chunks(self, rows: Sequence[ItemText]) -> list[_Chunk]:
        """As :meth:`submit`, each future with its number and rows."""
        shards: list[list[ItemText]] = [[] for _ in self._pools]
        for row in rows:
            shards[hash(row[0]) % len(shards)].append(row)
        chunks = []
        for pool, shard in zip(self._pools, shards, strict=True):
            for start in range(0, len(shard), _CHUNK):
                number, part = self._claims.new(), shard[start : start + _CHUNK]
                chunks.append(_Chunk(pool.submit(_read, number, part), number, part))
        return chunks

    def _receive(self, due: _Sent, later: deque[_Sent], caches: RunCaches) -> list[ItemRow]:
        for chunk in due.chunks:
            if self.broken:
                break
            while not chunk.future.done() and self._take_back(later, caches):
                pass
            if chunk.taken:  # read here while a later batch was due
                continue
            if self._claims.claim(chunk.number):  # no worker has started it
                self._read_chunk(chunk, caches)
                continue
            try:
                caches.add(chunk.future.result())
            except BrokenProcessPool:
                self.broken = True
        self._pending.difference_update(due.keys)
        return due.batch

    def _read_here(self, batch: list[ItemRow], caches: RunCaches) -> None:
        rows: dict[ItemKey, ItemText] = {}
        for item in batch:
            row = (item.text, item.language, item.score, item.scale, item.kind)
            rows.setdefault(analysis_key(row), row)
        caches.add(_read_with(self._own, list(rows.values())))

    def _read_chunk(self, chunk: _Chunk, caches: RunCaches) -> None:
        chunk.taken = True
        self.taken += 1
        caches.add(_read_with(self._own, chunk.rows))

    def _take_back(self, later: deque[_Sent], caches: RunCaches) -> bool:
        """Read here the newest chunk of ``later`` batches that no worker has started; False
        when there is none."""
        for sent in reversed(later):
            for chunk in reversed(sent.chunks):
                if chunk.taken or chunk.future.done():
                    continue
                if self._claims.claim(chunk.number):
                    self._read_chunk(chunk, caches)
                    return True
        return False

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._claims.close()
