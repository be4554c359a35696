"""Metrics for the web app, computed on one worker thread with rollups attached.

An Ibis SQLite connection may only be used by the thread that opened it, and the rollup cube
is built once per process; so every metric call of the app runs on a single worker thread that
owns the :class:`~otklik.metrics.MetricSource`. Request threads hand it work and wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine

from otklik.metrics import (
    Comparison,
    MetricRow,
    MetricSource,
    Slice,
    compare,
    compute,
    connect,
    enable_rollups,
)

__all__ = ["MetricsWorker"]

T = TypeVar("T")


class MetricsWorker:
    def __init__(
        self,
        engine: Engine,
        *,
        dimensions: Sequence[str],
        check_every_s: float,
        timezone: str = "UTC",
    ) -> None:
        self._engine = engine
        self.timezone = timezone
        self._dimensions = tuple(dimensions)
        self._check_every_s = check_every_s
        self._source: MetricSource | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="otklik-metrics")

    def _here(self) -> MetricSource:
        if self._source is None:
            source = connect(self._engine)
            source.timezone = self.timezone  # KPIs and every figure run here use the app's zone
            enable_rollups(
                source,
                dimensions=self._dimensions,
                check_every_s=self._check_every_s,
                timezone=self.timezone,
                store=self._engine,
            )
            self._source = source
        return self._source

    def call(self, work: Callable[[MetricSource], T]) -> T:
        """Run ``work(source)`` on the worker thread and return its result."""
        return self._executor.submit(lambda: work(self._here())).result()

    def warm(self) -> Future[None]:
        """Load the rollup cube from the store and top it up (or build it when there is none)
        in the background, so the first dashboard is fast."""

        def build() -> None:
            source = self._here()
            if source.rollups is not None:
                source.rollups.refresh()

        return self._executor.submit(build)

    def compute(
        self,
        metric: str,
        *,
        by: str = "all",
        segments: Sequence[str] = (),
        filters: Mapping[str, Any] | None = None,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        **params: Any,
    ) -> list[MetricRow]:
        return self.call(
            lambda source: compute(
                metric,
                source,
                by=by,
                segments=segments,
                filters=filters,
                start=start,
                end=end,
                timezone=self.timezone,
                **params,
            )
        )

    def compare(
        self, metric: str, a: Slice, b: Slice, *, filters: Mapping[str, Any] | None = None
    ) -> Comparison:
        return self.call(
            lambda source: compare(metric, source, a, b, filters=filters, timezone=self.timezone)
        )

    def close(self) -> None:
        def shut() -> None:
            if self._source is not None:
                self._source.close()
                self._source = None

        self._executor.submit(shut).result()
        self._executor.shutdown(wait=True)
