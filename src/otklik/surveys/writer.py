"""The web app's collector: one thread that writes queued answers in batches.

Concurrent answers queue up while a batch is being written, so the store sees one transaction
per batch instead of one per request (SQLite has one writer anyway), and no write transaction
is ever held across a web request. A request is answered only after its batch is committed.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from otklik.errors import SurveyError
from otklik.surveys.collect import Recorded, Submission, store_answers
from otklik.surveys.links import LinkSigner

__all__ = ["AnswerWriter"]

log = logging.getLogger("otklik.surveys")

Outcome = Recorded | SurveyError | Exception
_STOP = object()


class AnswerWriter:
    """One thread that writes queued answers in batches (one transaction per batch).

    :meth:`record` is awaited by the web app's request handlers; it resolves once the answer's
    batch is committed, with a :class:`Recorded` or the :class:`LinkError` of that answer.
    A batch that fails as a whole is retried answer by answer, so one bad answer cannot take
    the others down with it.
    """

    def __init__(
        self,
        engine: Engine,
        signer: LinkSigner,
        *,
        batch_max: int = 256,
        on_items: Callable[[list[int]], None] | None = None,
        after_batch: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.after_batch = after_batch  # e.g. incident detection (it throttles itself)
        self.signer = signer
        self.batch_max = batch_max
        self.on_items = on_items  # called with the new items' ids after each commit
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="otklik-answers", daemon=True)
        self._thread.start()

    def submit(self, submission: Submission, done: Callable[[Outcome], None]) -> None:
        self._queue.put((submission, done))

    async def record(self, submission: Submission) -> Recorded:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()

        def done(outcome: Outcome) -> None:
            loop.call_soon_threadsafe(_resolve, future, outcome)

        self.submit(submission, done)
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.batch_max:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(entry is _STOP for entry in batch)
            work = [entry for entry in batch if entry is not _STOP]
            if work:
                self._write(work)
            if stop:
                return

    def _write(self, work: list[tuple[Submission, Callable[[Outcome], None]]]) -> None:
        outcomes: list[Outcome]
        try:
            with self.engine.begin() as conn:
                outcomes = list(store_answers(conn, self.signer, [s for s, _ in work]))
        except Exception:
            log.exception("a batch of %d answers failed; writing them one by one", len(work))
            outcomes = [self._write_one(submission) for submission, _ in work]
        # The new items are handed on (queued) before anyone is told their answer is recorded.
        written = [outcome.item_id for outcome in outcomes if isinstance(outcome, Recorded)]
        if written and self.on_items is not None:
            try:
                self.on_items(written)
            except Exception:
                log.exception("handing %d answers to the jobs failed", len(written))
        for (_, done), outcome in zip(work, outcomes, strict=True):
            done(outcome)
        if self.after_batch is not None:
            try:
                self.after_batch()
            except Exception:
                log.exception("the after-batch hook failed")

    def _write_one(self, submission: Submission) -> Outcome:
        try:
            with self.engine.begin() as conn:
                return store_answers(conn, self.signer, [submission])[0]
        except Exception as exc:
            log.exception("answer to invitation %d failed", submission.claims.invitation_id)
            return exc


def _resolve(future: asyncio.Future[Outcome], outcome: Outcome) -> None:
    if not future.done():
        future.set_result(outcome)
