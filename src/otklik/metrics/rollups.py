"""Rollups: daily sufficient statistics kept in memory so dashboards answer in milliseconds.

A dashboard asks for 12 months × segments of several metrics at once. Every additive metric
(NPS, eNPS, CSAT, CSI, CES, AHT, transfer and agent-hang-up rates) is a function of counts and
sums, and counts and sums of days add up to weeks, months, quarters and years exactly. So one
scan of the ledger builds a cube: per day × kind × the chosen dimensions, every such metric's
n and sums (default parameters). A query whose segments and filters are among the dimensions,
whose range is whole days and whose parameters are the defaults is answered from the cube;
anything else goes to the engine. Both paths give the same numbers (tests hold them to it).
Days are local days of the cube's reporting zone; a query in another zone goes to the engine.

Freshness: the ledger only appends items, so before answering the cube compares the store's
``max(id)`` and ``count(*)`` with what it has seen, adds the new ids' statistics, and rebuilds
from scratch if rows were removed or rewritten. Quantiles, FCR and churn are not additive over
time and always run on the engine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from datetime import time as clock

import pyarrow as pa
import pyarrow.compute as pc

from otklik.errors import MetricError
from otklik.metrics.backends import MetricSource
from otklik.metrics.catalogue import CATALOGUE, get_metric
from otklik.metrics.expressions import ADDITIVE_STATS, ROWS, cube_expr
from otklik.metrics.groups import Group
from otklik.metrics.periods import Grain, get_zone, period_start
from otklik.metrics.query import SEGMENT_FIELDS, Query
from otklik.metrics.spec import MetricSpec, TableRole

__all__ = ["DEFAULT_DIMENSIONS", "Rollups", "enable_rollups"]

DEFAULT_DIMENSIONS: tuple[str, ...] = ("channel",)


def _rollup_specs(names: Sequence[str] | None) -> list[MetricSpec]:
    if names is None:
        return [spec for spec in CATALOGUE.values() if spec.rollup]
    specs = [get_metric(name) for name in names]
    for spec in specs:
        if not spec.rollup:
            raise MetricError(f"{spec.name} is not additive over days and cannot be rolled up")
    return specs


class Rollups:
    """The in-memory cube of one :class:`MetricSource`; thread-safe."""

    def __init__(
        self,
        source: MetricSource,
        *,
        dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
        metrics: Sequence[str] | None = None,
        check_every_s: float = 0.0,
        timezone: str | tzinfo | None = None,
    ) -> None:
        allowed = SEGMENT_FIELDS[TableRole.ITEMS]
        unknown = [name for name in dimensions if name not in allowed]
        if unknown:
            raise MetricError(
                f"cannot roll up by {', '.join(unknown)} (fields: {', '.join(allowed)})"
            )
        self.source = source
        self.dimensions: tuple[str, ...] = ("kind", *(d for d in dimensions if d != "kind"))
        self.specs = {spec.name: spec for spec in _rollup_specs(metrics)}
        self.check_every_s = check_every_s
        self.zone = get_zone(timezone)
        self._cube: pa.Table | None = None
        self._seen: tuple[int, int] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.builds = 0
        self.increments = 0

    def covers(self, query: Query) -> bool:
        spec = query.spec
        if spec.name not in self.specs or not spec.is_default(query.params):
            return False
        if query.zone.key != self.zone.key:
            return False
        fields = {*query.segments, *(name for name, _ in query.filters)}
        if not fields <= set(self.dimensions):
            return False
        return all(
            moment is None or self._local(moment).time() == clock(0)
            for moment in (query.start, query.end)
        )

    def _local(self, moment: datetime) -> datetime:
        """Naive UTC ``moment`` as naive local time in the cube's zone."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)

    def _fingerprint(self) -> tuple[int, int]:
        t = self.source.table(TableRole.ITEMS)
        # coalesce: on an empty store max(id) is NULL, which Arrow refuses for a non-null id
        [row] = self.source.execute(t.aggregate(top=t.id.max().coalesce(0), rows=t.count()))
        return (int(row["top"]), int(row["rows"]))

    def _scan(self, after_id: int | None) -> pa.Table:
        expr = cube_expr(
            self.source, list(self.specs.values()), self.dimensions, after_id, zone=self.zone
        )
        table = self.source.to_arrow(expr)
        index = table.schema.get_field_index("day")
        return table.set_column(index, "day", pc.cast(table["day"], pa.date32()))

    def refresh(self) -> None:
        """Bring the cube up to date with the store (a no-op when nothing changed)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._cube is not None and now - self._checked_at < self.check_every_s:
            return
        seen = self._fingerprint()
        self._checked_at = now
        if self._cube is not None and self._seen == seen:
            return
        if self._cube is not None and self._seen is not None and seen[1] >= self._seen[1]:
            delta = self._scan(after_id=self._seen[0])
            added = int(pc.sum(delta[ROWS]).as_py() or 0)
            if self._seen[1] + added == seen[1]:
                self._cube = self._merge(self._cube, delta)
                self._seen = seen
                self.increments += 1
                return
        self._cube = self._scan(after_id=None)
        self._seen = seen
        self.builds += 1

    def _merge(self, cube: pa.Table, delta: pa.Table) -> pa.Table:
        keys = ["day", *self.dimensions]
        values = [name for name in cube.column_names if name not in keys]
        both = pa.concat_tables([cube, delta.select(cube.column_names).cast(cube.schema)])
        merged = both.group_by(keys, use_threads=False).aggregate([(v, "sum") for v in values])
        names = {f"{v}_sum": v for v in values}
        return merged.rename_columns([names.get(n, n) for n in merged.column_names]).select(
            cube.column_names
        )

    def collect(self, query: Query) -> list[Group]:
        """Sufficient statistics per group for a query :meth:`covers` (refreshes first)."""
        with self._lock:
            self._refresh()
            cube = self._cube
        assert cube is not None
        spec = query.spec
        prefix = f"{spec.name}__"
        stats = ["n", *ADDITIVE_STATS[spec.statistic]]
        mask = pc.greater(cube[prefix + "n"], 0)
        if query.start is not None:
            mask = pc.and_(
                mask, pc.greater_equal(cube["day"], pa.scalar(self._local(query.start).date()))
            )
        if query.end is not None:
            mask = pc.and_(mask, pc.less(cube["day"], pa.scalar(self._local(query.end).date())))
        for name, values in query.filters:
            present = [value for value in values if value is not None]
            match = pc.is_in(cube[name], pa.array(present, pa.string()))
            if len(present) < len(values):
                match = pc.or_(match, pc.is_null(cube[name]))
            mask = pc.and_(mask, pc.fill_null(match, False))
        part = cube.filter(mask)
        keys = list(query.segments)
        if query.grain is not Grain.ALL:
            part = part.append_column("_period", _periods(part["day"], query.grain))
            keys.insert(0, "_period")
        columns = [prefix + name for name in stats]
        grouped = part.group_by(keys, use_threads=False).aggregate(
            [(column, "sum") for column in columns]
        )
        groups = []
        for row in grouped.to_pylist():
            sums = {name: float(row[f"{prefix}{name}_sum"] or 0) for name in stats}
            if sums["n"] <= 0:
                continue
            segment = {field: row[field] for field in query.segments}
            groups.append(Group(row.get("_period"), segment, sums))
        return groups


def _periods(days: pa.ChunkedArray, grain: Grain) -> pa.Array:
    distinct = pc.unique(days)
    starts = pa.array([period_start(day, grain) for day in distinct.to_pylist()], pa.date32())
    return pc.take(starts, pc.index_in(days, distinct))


def enable_rollups(
    source: MetricSource,
    *,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    metrics: Sequence[str] | None = None,
    check_every_s: float = 0.0,
    timezone: str | tzinfo | None = None,
) -> Rollups:
    """Attach a :class:`Rollups` to ``source``: later ``compute`` calls it covers use it.

    ``timezone`` is the zone whose local days the cube keeps (None: ``OTKLIK_TIMEZONE``)."""
    rollups = Rollups(
        source,
        dimensions=dimensions,
        metrics=metrics,
        check_every_s=check_every_s,
        timezone=timezone,
    )
    source.rollups = rollups
    return rollups
