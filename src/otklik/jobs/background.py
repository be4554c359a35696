"""Arrivals from a long-running process (the web app): never processed on the request.

:class:`ArrivalDesk` takes the ids of new items and, by ``OTKLIK_JOBS``, queues them (one
procrastinate app with a small pool, opened on first use) or runs the steps on one background
thread of this process (SQLite: the request that wrote the items is answered at once).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from otklik.config import Settings
from otklik.jobs.arrivals import Mode, items_of_run, mode_of, run_inline

__all__ = ["ArrivalDesk"]

log = logging.getLogger("otklik.jobs")
_STOP = object()


class ArrivalDesk:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.mode: Mode = mode_of(engine, settings)
        self._queue: Any = None
        self._lock = threading.Lock()
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def run_arrived(self, run_id: int) -> None:
        """The items an import run (an upload, an API post) wrote have arrived."""
        if self.mode != "off":
            self.items_arrived(items_of_run(self.engine, run_id))

    def items_arrived(self, item_ids: Sequence[int]) -> None:
        ids = [int(i) for i in item_ids]
        if not ids or self.mode == "off":
            return
        try:
            if self.mode == "queue":
                self._queued().defer_arrival(ids)
            else:
                self._thread_started()
                self._work.put(ids)
        except Exception:  # the items are stored; `otklik classify` catches up on them
            log.exception("could not hand %d new items to the jobs", len(ids))

    def _queued(self) -> Any:
        with self._lock:
            if self._queue is None:
                from otklik.jobs.queue import Queue

                self._queue = Queue.for_store(self.engine, self.settings).open()
            return self._queue

    def _thread_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="otklik-jobs", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            ids = self._work.get()
            if ids is _STOP:
                return
            batch = list(ids)
            while True:  # arrivals that queued up meanwhile go through together
                try:
                    more = self._work.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._work.put(_STOP)
                    break
                batch.extend(more)
            try:
                run_inline(self.engine, self.settings, batch)
            except Exception:
                log.exception("processing %d new items failed", len(batch))

    def drain(self, timeout: float = 30.0) -> None:
        """Finish what is waiting (tests, shutdown), then keep going."""
        if self._thread is None:
            return
        self._work.put(_STOP)
        self._thread.join(timeout)
        with self._lock:
            self._thread = None

    def close(self) -> None:
        self.drain()
        with self._lock:
            if self._queue is not None:
                self._queue.close()
                self._queue = None
