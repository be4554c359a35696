"""What the app keeps between requests (on ``app.state.web``), built in the lifespan."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from otklik.auth import LoginThrottle
from otklik.config import Settings
from otklik.jobs import ArrivalDesk, bump_counter
from otklik.web.auth import SessionCodec
from otklik.web.metrics_worker import MetricsWorker
from otklik.web.retrain_job import RetrainJob
from otklik.web.uploads import UploadStore

__all__ = ["HEAVY_TTL_S", "TTLCache", "WebState"]

HEAVY_TTL_S = 600.0
"""How long page figures that take seconds to compute at 1M items (the topics report, the
drivers analysis) are kept when nothing is written through the app; other writers (the CLI)
show within this time, and an expired figure is served while recomputed in the background."""

T = TypeVar("T")


class _Pending:
    """A missing entry being computed by one thread; others wait for ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: Any = None


class TTLCache:
    """Small results (distinct values, item counts per channel) kept for ``ttl_s`` seconds.

    Cleared whenever the app itself writes (an upload, items posted to the API), so what a
    user just imported shows at once; other writers show within ``ttl_s``. With ``version``
    (the store's ``data_version``, bumped by every web worker's writes, read at most every
    ``version_every_s``), a write by another worker clears it too. With
    ``refresh_in_background`` an entry older than ``ttl_s`` (but not cleared) is still served
    while one background thread computes its successor, so no request waits for an expiry
    (those threads take turns: one computes at a time). A missing entry is computed once:
    whoever asks for it while another thread computes it waits for that value.
    """

    def __init__(
        self,
        ttl_s: float,
        *,
        version: Callable[[], int] | None = None,
        version_every_s: float = 1.0,
        refresh_in_background: bool = False,
    ) -> None:
        self.ttl_s = ttl_s
        self.version = version
        self.version_every_s = version_every_s
        self.refresh_in_background = refresh_in_background
        self._seen: tuple[float, int] | None = None
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every clear: a refresh begun before it is dropped
        self._refreshing: set[Hashable] = set()
        # One background refresh computes at a time: the figures of a page expire together
        # (the explore page's ten filter lists, the overview's four), and ten scans at once
        # on a small machine starve the requests being served meanwhile.
        self._refresh_slot = threading.Lock()
        self._pending: dict[Hashable, _Pending] = {}  # misses being computed now

    def _check_version(self, now: float) -> None:
        if self.version is None:
            return
        if self._seen is not None and now - self._seen[0] < self.version_every_s:
            return
        current = self.version()
        with self._lock:
            if self._seen is not None and self._seen[1] != current:
                self._data.clear()
                self._generation += 1
            self._seen = (now, current)

    def get(self, key: Hashable, make: Callable[[], T], *, ttl_s: float | None = None) -> T:
        """The value kept under ``key``, else ``make()``'s; ``ttl_s`` overrides the cache's
        expiry for this entry (figures that take seconds to compute are kept longer; a write
        still drops them at once)."""
        now = time.monotonic()
        self._check_version(now)
        with self._lock:
            found = self._data.get(key)
        if found is not None and now - found[0] < (self.ttl_s if ttl_s is None else ttl_s):
            value: T = found[1]
            return value
        if found is not None and self.refresh_in_background:
            self._refresh(key, make)
            stale: T = found[1]
            return stale
        return self._make(key, make)

    def _make(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` for a missing entry, once: a request asking for what another thread
        (the start-up precomputation, another request) is computing now waits for that value
        instead of computing it a second time beside it; if that computation fails, it
        computes (and fails) itself."""
        with self._lock:
            pending = self._pending.get(key)
            owner = pending is None
            if pending is None:
                pending = self._pending[key] = _Pending()
            generation = self._generation
        if not owner:
            pending.done.wait()
            if pending.ok:
                shared: T = pending.value
                return shared
            return make()
        try:
            value = make()
        except BaseException:
            with self._lock:
                self._pending.pop(key, None)
            pending.done.set()
            raise
        with self._lock:
            # Fresh from when it was made (a figure that takes longer than ttl_s to compute is
            # not expired on arrival); a write meanwhile: not kept, the next request recomputes.
            if self._generation == generation:
                self._data[key] = (time.monotonic(), value)
            self._pending.pop(key, None)
        pending.value, pending.ok = value, True
        pending.done.set()
        return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)

    def _refresh(self, key: Hashable, make: Callable[[], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)
            generation = self._generation

        def run() -> None:
            try:
                with self._refresh_slot:
                    value = make()
            except Exception:  # the next request computes it again and shows the error
                with self._lock:
                    self._data.pop(key, None)
                return
            finally:
                with self._lock:
                    self._refreshing.discard(key)
            with self._lock:
                if self._generation == generation:
                    self._data[key] = (time.monotonic(), value)

        threading.Thread(target=run, name="otklik-cache-refresh", daemon=True).start()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._generation += 1


@dataclass
class WebState:
    settings: Settings
    engine: Engine
    sessions: SessionCodec
    throttle: LoginThrottle
    metrics: MetricsWorker
    templates: Jinja2Templates
    cache: TTLCache = field(default_factory=lambda: TTLCache(60.0))
    uploads: UploadStore = field(default_factory=UploadStore)
    retrain: RetrainJob = field(default_factory=RetrainJob)
    arrivals: ArrivalDesk | None = None  # new items → the jobs (otklik.jobs)
    shared: bool = False  # state kept in the store for several web workers
    # Incident detection after data arrives (OTKLIK_INCIDENTS_DETECT_ON_IMPORT; throttled,
    # in the background).
    watch: Callable[[], object] | None = None

    def data_changed(self) -> None:
        self.cache.clear()
        if self.shared:
            bump_counter(self.engine)
        if self.watch is not None:
            self.watch()

    def arrived(self, run_id: int) -> None:
        """An import run (an upload, items posted to the API) wrote items: to the jobs."""
        if self.arrivals is not None:
            self.arrivals.run_arrived(run_id)

    def arrived_items(self, item_ids: Sequence[int]) -> None:
        """These items were written (survey answers): to the jobs."""
        if self.arrivals is not None:
            self.arrivals.items_arrived(item_ids)

    def close(self) -> None:
        self.metrics.close()
        if self.arrivals is not None:
            self.arrivals.close()
