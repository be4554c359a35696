"""What the app keeps between requests (on ``app.state.web``), built in the lifespan."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from otklik.auth import LoginThrottle
from otklik.config import Settings
from otklik.web.auth import SessionCodec
from otklik.web.metrics_worker import MetricsWorker
from otklik.web.retrain_job import RetrainJob
from otklik.web.uploads import UploadStore

__all__ = ["TTLCache", "WebState"]

T = TypeVar("T")


class TTLCache:
    """Small results (distinct values, item counts per channel) kept for ``ttl_s`` seconds.

    Cleared whenever the app itself writes (an upload, items posted to the API), so what a
    user just imported shows at once; other writers show within ``ttl_s``.
    """

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            found = self._data.get(key)
        if found is not None and now - found[0] < self.ttl_s:
            value: T = found[1]
            return value
        value = make()
        with self._lock:
            self._data[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


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
    # Incident detection after data arrives (OTKLIK_INCIDENTS_DETECT_ON_IMPORT; throttled,
    # in the background).
    watch: Callable[[], object] | None = None

    def data_changed(self) -> None:
        self.cache.clear()
        if self.watch is not None:
            self.watch()

    def close(self) -> None:
        self.metrics.close()
