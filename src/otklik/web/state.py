"""What the app keeps between requests (on ``app.state.web``), built in the lifespan."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from otklik.auth import LoginThrottle
from otklik.config import Settings
from otklik.jobs import ArrivalDesk, bump_counter
from otklik.web.auth import SessionCodec
from otklik.web.metrics_worker import MetricsWorker
from otklik.web.retrain_job import RetrainJob
from otklik.web.uploads import UploadStore

__all__ = ["HEAVY_TTL_S", "REFRESH_WAIT_S", "Marked", "TTLCache", "WebState"]

HEAVY_TTL_S = 600.0
"""How long page figures that take seconds to compute at 1M items (the topics report, the
drivers analysis) are kept when nothing is written through the app; other writers (the CLI)
show within this time, and an expired figure is served while recomputed in the background."""

REFRESH_WAIT_S = 0.8
"""How long a page that can say "figures as of HH:MM, refreshing…" waits for a refresh in
progress after a write before it shows the previous figures with that line."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Marked(Generic[T]):
    """A cached value and, when it predates a write (the app's or, with several workers,
    another worker's), when it was computed (UTC): the page must then say so."""

    value: T
    as_of: datetime | None = None


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

    Figures that take seconds (``keep=True``: KPI scorecards, EX, conduct, topics, drivers,
    overview) are **recomputed in the background after a write** (with
    ``refresh_after_write``), one at a time, in the order they were last asked for, once the
    writes have paused for ``settle_s`` (a burst of labels costs one recomputation, not one
    each). Until its successor is ready such a figure is gone for :meth:`get`, which waits
    for the recomputation in progress (or computes it), so a caller never gets numbers that
    ignore the write; :meth:`get_marked` may instead return the previous value with the time
    it was computed (see there). Figures not asked for in ``keep_idle_s`` are not refreshed.
    """

    def __init__(
        self,
        ttl_s: float,
        *,
        version: Callable[[], int] | None = None,
        version_every_s: float = 1.0,
        refresh_in_background: bool = False,
        refresh_after_write: bool = False,
        settle_s: float = 1.0,
        keep_idle_s: float = 1800.0,
    ) -> None:
        self.ttl_s = ttl_s
        self.refresh_after_write = refresh_after_write
        self.settle_s = settle_s
        self.keep_idle_s = keep_idle_s
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
        self._made: dict[Hashable, datetime] = {}  # when each kept value's computation began
        # keep=True entries: their makers, most recently asked for first, and when asked for
        self._keep: OrderedDict[Hashable, tuple[Callable[[], Any], float]] = OrderedDict()
        self._previous: dict[Hashable, tuple[datetime, Any]] = {}  # values predating a write
        self._changed = threading.Condition(self._lock)  # a write happened
        self._last_write = 0.0
        self._refresher: threading.Thread | None = None
        self._closed = False

    def _check_version(self, now: float) -> None:
        if self.version is None:
            return
        if self._seen is not None and now - self._seen[0] < self.version_every_s:
            return
        current = self.version()
        with self._lock:
            changed = self._seen is not None and self._seen[1] != current
            if changed:
                self._invalidate()
            self._seen = (now, current)
        if changed:
            self._start_refresher()

    def get(
        self,
        key: Hashable,
        make: Callable[[], T],
        *,
        ttl_s: float | None = None,
        keep: bool = False,
    ) -> T:
        """The value kept under ``key``, else ``make()``'s; ``ttl_s`` overrides the cache's
        expiry for this entry (figures that take seconds to compute are kept longer; a write
        still drops them at once); ``keep``: recomputed in the background after a write (see
        the class)."""
        now = time.monotonic()
        self._check_version(now)
        with self._lock:
            if keep:
                self._keep[key] = (make, now)
                self._keep.move_to_end(key, last=False)
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
        began = datetime.now(UTC)
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
                self._made[key] = began
                self._previous.pop(key, None)
            elif key in self._keep:  # newer than what was kept, though a write came since
                kept = self._previous.get(key)
                if kept is None or kept[0] < began:
                    self._previous[key] = (began, value)
            self._pending.pop(key, None)
        pending.value, pending.ok = value, True
        pending.done.set()
        return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._made[key] = datetime.now(UTC)

    def get_marked(
        self,
        key: Hashable,
        make: Callable[[], T],
        *,
        ttl_s: float | None = None,
        wait_s: float = REFRESH_WAIT_S,
    ) -> Marked[T]:
        """:meth:`get` with ``keep=True`` for a page that can say its figures are being
        refreshed. After a write, when the entry's recomputation is in progress, it waits
        for it up to ``wait_s``; when that is not enough (or the recomputation has not begun),
        it returns the value from before the write with ``as_of`` set to when that value's
        computation began, and the page must show it ("figures as of HH:MM, refreshing…").
        Without a value from before the write it is :meth:`get` (computed, never stale).

        Why not always wait: at 1M items a KPI report takes tens of seconds under load, so
        waiting would make the first request after every import or label that slow; why not
        silently show the old figures: a user who just imported would read numbers that
        ignore the import. The previous figures *with* their time are honest and instant.
        """
        now = time.monotonic()
        self._check_version(now)
        with self._lock:
            self._keep[key] = (make, now)
            self._keep.move_to_end(key, last=False)
            found = self._data.get(key)
            previous = self._previous.get(key) if found is None else None
            pending = self._pending.get(key)
        if previous is None:
            return Marked(self.get(key, make, ttl_s=ttl_s, keep=True))
        self._start_refresher()
        if pending is not None and pending.done.wait(wait_s) and pending.ok:
            with self._lock:
                fresh = self._data.get(key)
            if fresh is not None:
                value: T = fresh[1]
                return Marked(value)
        return Marked(previous[1], previous[0])

    def _invalidate(self) -> None:
        """Drop every entry (under the lock); keep=True values are kept aside as the previous
        figures, to be recomputed in the background."""
        for key in self._keep if self.refresh_after_write else ():  # else none recomputes it
            found = self._data.get(key)
            if found is not None:
                self._previous[key] = (self._made.get(key, datetime.now(UTC)), found[1])
        self._data.clear()
        self._made.clear()
        self._generation += 1
        self._last_write = time.monotonic()
        self._changed.notify_all()

    def _start_refresher(self) -> None:
        if not self.refresh_after_write:
            return
        with self._lock:
            if self._refresher is not None or not self._keep or self._closed:
                return
            self._refresher = threading.Thread(
                target=self._refresh_kept, name="otklik-cache-after-write", daemon=True
            )
            self._refresher.start()

    def _next_kept(self) -> tuple[Hashable, Callable[[], Any]] | None:
        """The next keep=True entry to recompute once writes have settled (under the lock),
        None when all are current; forgets those not asked for in ``keep_idle_s``."""
        while True:
            if self._closed:
                return None
            quiet = time.monotonic() - self._last_write
            if quiet < self.settle_s:
                self._changed.wait(self.settle_s - quiet)
                continue
            now = time.monotonic()
            for key, (make, used) in list(self._keep.items()):
                if now - used > self.keep_idle_s:
                    del self._keep[key]
                    self._previous.pop(key, None)
                elif key not in self._data and key not in self._pending:
                    return key, make
            return None

    def _refresh_kept(self) -> None:
        """The background recomputation after writes: one figure at a time, until every
        keep=True figure is current."""
        while True:
            with self._lock:
                found = self._next_kept()
                if found is None:
                    self._refresher = None
                    return
            key, make = found
            try:
                with self._refresh_slot:
                    self._make(key, make)
            except Exception:  # the next request computes it and shows the error
                with self._lock:
                    self._keep.pop(key, None)
                    self._previous.pop(key, None)

    def close(self) -> None:
        """Stop recomputing after writes (the app is shutting down); a recomputation in
        progress finishes."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()

    def join_refresh(self) -> None:
        """Wait until the background recomputation after writes has finished (tests,
        benchmarks)."""
        while True:
            with self._lock:
                thread = self._refresher
            if thread is None:
                return
            thread.join()

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
                    self._made[key] = began

        began = datetime.now(UTC)
        threading.Thread(target=run, name="otklik-cache-refresh", daemon=True).start()

    def clear(self) -> None:
        """A write: every entry is dropped; keep=True figures are recomputed in the
        background (with ``refresh_after_write``)."""
        with self._lock:
            self._invalidate()
        self._start_refresher()


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
        self.cache.close()
        self.metrics.close()
        if self.arrivals is not None:
            self.arrivals.close()
