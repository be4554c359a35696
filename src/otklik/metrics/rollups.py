"""Rollups: daily sufficient statistics kept in memory so dashboards answer in milliseconds.

A dashboard asks for 12 months × segments of several metrics at once. Every additive metric
(NPS, eNPS, CSAT, CSI, CES, AHT, transfer and agent-hang-up rates) is a function of counts and
sums, and counts and sums of days add up to weeks, months, quarters and years exactly. So one
scan of the ledger builds a cube: per day × kind × the chosen dimensions, every such metric's
n and sums (default parameters). A query whose segments and filters are among the dimensions,
whose range is whole days and whose parameters are the defaults is answered from the cube;
anything else goes to the engine. Both paths give the same numbers (tests hold them to it).
Days are local days of the cube's reporting zone; a query in another zone goes to the engine.

Freshness: before answering, the cube compares the store's ``max(id)`` and number of items
with what it covers, and the per-day versions in ``metric_rollup_changes`` (bumped by database
triggers whenever an item is updated in a field a metric reads, or deleted: migration 0020)
with the versions it has absorbed. New ids are scanned and added; the local days around a
changed UTC day are dropped and scanned again; if the count still disagrees (an insert that
committed after a higher id had been scanned, so its id is below the cube's top), the cube is
rebuilt from scratch. The number of items is ``count(*)``, except on a PostgreSQL store from
migration 0022 on, where ``count(*)`` reads the whole table: there it is the sum of
``metric_rollup_counts``, which statement triggers keep equal to ``count(*)`` in every
snapshot (read in the same statement as ``max(id)``; an index look-up and a few rows). Like
the day versions, it relies on the triggers firing: a bulk load with triggers disabled (a
logical-replication replica, ``pg_restore --disable-triggers``) leaves it behind, and the cube
then rebuilds on every check. Quantiles, FCR and churn are not additive over time and always run on
the engine.

Persistence: with ``store`` (the store's SQLAlchemy engine) the cube lives in the table
``metric_rollups`` as well, keyed by a hash of its zone, dimensions and the code that defines
its numbers (an edit to a metric's definition makes a new key, never a stale answer). A
fresh process —
the CLI, a new web worker — loads it (tens of milliseconds), tops it up as above and stores the
result back, so only the first process after a large change pays for a scan.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from ibis.common.exceptions import TableNotFound
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from otklik.errors import MetricError
from otklik.ledger.models_rollups import ROLLUP_COUNTS_TABLE, MetricRollup, MetricRollupChange
from otklik.metrics.backends import MetricSource
from otklik.metrics.catalogue import CATALOGUE, get_metric
from otklik.metrics.expressions import ADDITIVE_STATS, ROWS, cube_expr
from otklik.metrics.groups import Group
from otklik.metrics.periods import Grain, get_zone, period_start
from otklik.metrics.query import SEGMENT_FIELDS, Query
from otklik.metrics.spec import MetricSpec, TableRole

__all__ = ["DEFAULT_DIMENSIONS", "Rollups", "enable_rollups"]

DEFAULT_DIMENSIONS: tuple[str, ...] = ("channel",)
FORMAT = "otklik-rollup-1"  # bump when the stored cube's layout changes
MAX_DIRTY_RANGES = 64  # more separate runs of changed days than this: rebuild instead
MAX_COUNT_ROWS = 256  # more rows in metric_rollup_counts than this: fold them into slot 0
_CHANGES = MetricRollupChange.__tablename__


def _rollup_specs(names: Sequence[str] | None) -> list[MetricSpec]:
    if names is None:
        return [spec for spec in CATALOGUE.values() if spec.rollup]
    specs = [get_metric(name) for name in names]
    for spec in specs:
        if not spec.rollup:
            raise MetricError(f"{spec.name} is not additive over days and cannot be rolled up")
    return specs


class Rollups:
    """The cube of one :class:`MetricSource`, in memory and (with ``store``) in the store;
    thread-safe."""

    def __init__(
        self,
        source: MetricSource,
        *,
        dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
        metrics: Sequence[str] | None = None,
        check_every_s: float = 0.0,
        timezone: str | tzinfo | None = None,
        store: Engine | None = None,
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
        self.store = store
        self._cube: pa.Table | None = None
        self._seen: tuple[int, int] | None = None  # (top id, items) the cube covers
        self._versions: dict[str, int] = {}  # changed UTC day → version absorbed
        self._key: str | None = None
        self._tracked: bool | None = None  # whether the source has metric_rollup_changes
        self._counted: bool | None = None  # whether the items are counted by metric_rollup_counts
        self._counts_table: Any = None  # its Ibis table, looked up once
        self._changes_table: Any = None  # metric_rollup_changes' Ibis table, looked up once
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.builds = 0  # full scans
        self.increments = 0  # top-ups (new ids, changed days)
        self.loads = 0  # cubes read from the store
        self.saves = 0  # cubes written to the store

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

    @property
    def key(self) -> str:
        """The cube's name in ``metric_rollups``: a hash of the layout, the zone, the
        dimensions, the metrics and the source of the modules that define their numbers (an
        edit to any metric's definition makes a new key, never a stale answer)."""
        if self._key is None:
            parts = [FORMAT, self.zone.key, ",".join(self.dimensions), ",".join(self.specs)]
            digest = hashlib.sha256("\n".join(parts).encode())
            for text in _definition_sources():
                digest.update(text)
            self._key = digest.hexdigest()
        return self._key

    def _fingerprint(self) -> tuple[int, int]:
        """(``max(id)``, number of items), read in one statement (one snapshot)."""
        t = self.source.table(TableRole.ITEMS)
        # coalesce: on an empty store max(id) is NULL, which Arrow refuses for a non-null id
        top = t.id.max().coalesce(0)
        counts = self._counts()
        if counts is None:
            [row] = self.source.execute(t.aggregate(top=top, rows=t.count()))
            return (int(row["top"]), int(row["rows"]))
        tally = counts.aggregate(rows=counts["items"].sum().coalesce(0), slots=counts.count())
        [row] = self.source.execute(t.aggregate(top=top).cross_join(tally))
        if int(row["slots"]) > MAX_COUNT_ROWS:
            self._fold_counts()
        return (int(row["top"]), int(row["rows"]))

    def _counts(self) -> Any:
        """The table ``metric_rollup_counts`` where it counts this source's items (a PostgreSQL
        store from migration 0022 on), else None (looked up once)."""
        if self._counted is None:
            self._counted = False
            if self.source.backend == "postgres" and (
                self.source.tables[TableRole.ITEMS.value] == TableRole.ITEMS.value
            ):
                try:
                    self._counts_table = self.source.con.table(ROLLUP_COUNTS_TABLE)
                    self._counted = True
                except TableNotFound:
                    pass
        return self._counts_table if self._counted else None

    def _fold_counts(self) -> None:
        """Fold the rows of ``metric_rollup_counts`` into slot 0 (the sum stays: one
        statement), skipping rows a running transaction holds; needs ``store``."""
        if self.store is None:
            return
        counts = ROLLUP_COUNTS_TABLE
        try:
            with self.store.begin() as conn:
                conn.exec_driver_sql(
                    f"WITH gone AS (DELETE FROM {counts} WHERE slot IN (SELECT slot FROM "
                    f"{counts} WHERE slot <> 0 FOR UPDATE SKIP LOCKED) RETURNING items) "
                    f"INSERT INTO {counts} (slot, items) SELECT 0, coalesce(sum(items), 0) "
                    f"FROM gone ON CONFLICT (slot) DO UPDATE SET items = {counts}.items + "
                    "excluded.items"
                )
        except DBAPIError:
            return  # read-only or busy: the next check folds them

    def _change_versions(self) -> dict[str, int]:
        """Version per changed UTC day (ISO date); empty where the source keeps no log."""
        if self._tracked is False:
            return {}
        if self._changes_table is None:
            try:
                self._changes_table = self.source.con.table(_CHANGES)
            except TableNotFound:
                self._tracked = False
                return {}
            self._tracked = True
        t = self._changes_table
        rows = self.source.execute(t.select("day", "version"))
        return {_iso(row["day"]): int(row["version"]) for row in rows}

    def _scan(
        self,
        *,
        after_id: int | None = None,
        upto_id: int | None = None,
        ranges: Sequence[tuple[datetime, datetime]] = (),
    ) -> pa.Table:
        expr = cube_expr(
            self.source,
            list(self.specs.values()),
            self.dimensions,
            after_id,
            zone=self.zone,
            upto_id=upto_id,
            ranges=ranges,
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
        if self._cube is None and self.store is not None:
            self._load()
        # Read the marks before the items: whatever changes after this is seen next time.
        top, count = self._fingerprint()
        versions = self._change_versions()
        self._checked_at = now
        dirty = sorted(day for day, v in versions.items() if self._versions.get(day) != v)
        if self._cube is not None and not dirty and self._seen == (top, count):
            return
        if self._cube is not None and self._seen is not None:
            cube = self._top_up(self._cube, self._seen[0], top, dirty)
            if cube is not None and _items(cube) == count:
                self._cube, self._seen, self._versions = cube, (top, count), versions
                self.increments += 1
                self._save()
                return
        cube = self._scan(upto_id=top)
        self._cube, self._seen, self._versions = cube, (top, _items(cube)), versions
        self.builds += 1
        self._save()

    def _top_up(
        self, cube: pa.Table, seen_top: int, top: int, dirty: Sequence[str]
    ) -> pa.Table | None:
        """``cube`` plus the items with ids in (seen_top, top], with the local days around
        the ``dirty`` UTC days scanned again; None when there are too many runs of them."""
        days = sorted({date.fromisoformat(day) for day in dirty})
        ranges = _runs(days)
        if len(ranges) > MAX_DIRTY_RANGES:
            return None
        # A UTC day overlaps the local days before and after it in any zone (|offset| < 24
        # h), and those local days lie within two UTC days either side.
        local = sorted({day + timedelta(days=k) for day in days for k in (-1, 0, 1)})
        redo = pa.array(local, pa.date32())
        parts = [cube]
        if local:
            parts = [cube.filter(pc.invert(pc.is_in(cube["day"], value_set=redo)))]
        if top > seen_top:
            added = self._scan(after_id=seen_top, upto_id=top)
            if local:
                added = added.filter(pc.invert(pc.is_in(added["day"], value_set=redo)))
            parts.append(added)
        if ranges:
            windows = [
                (_midnight(first - timedelta(days=2)), _midnight(last + timedelta(days=3)))
                for first, last in ranges
            ]
            again = self._scan(upto_id=top, ranges=windows)
            parts.append(again.filter(pc.is_in(again["day"], value_set=redo)))
        return self._merge(parts)

    def _merge(self, parts: Sequence[pa.Table]) -> pa.Table:
        cube = parts[0]
        if len(parts) == 1:
            return cube
        keys = ["day", *self.dimensions]
        values = [name for name in cube.column_names if name not in keys]
        both = pa.concat_tables(
            [cube, *(part.select(cube.column_names).cast(cube.schema) for part in parts[1:])]
        )
        merged = both.group_by(keys, use_threads=False).aggregate([(v, "sum") for v in values])
        names = {f"{v}_sum": v for v in values}
        merged = merged.rename_columns([names.get(n, n) for n in merged.column_names])
        return merged.select(cube.column_names).cast(cube.schema)

    def _load(self) -> None:
        """The stored cube, if there is one for this key (else nothing happens)."""
        assert self.store is not None
        try:
            with self.store.connect() as conn:
                row = conn.execute(
                    select(
                        MetricRollup.top_id,
                        MetricRollup.items,
                        MetricRollup.versions,
                        MetricRollup.cube,
                    ).where(MetricRollup.key == self.key)
                ).one_or_none()
        except DBAPIError:
            self.store = None  # a store before migration 0020: keep the cube in memory only
            return
        if row is None:
            return
        with pa.ipc.open_stream(row.cube) as reader:
            self._cube = reader.read_all()
        self._seen = (int(row.top_id), int(row.items))
        self._versions = {str(day): int(v) for day, v in dict(row.versions).items()}
        self.loads += 1

    def _save(self) -> None:
        if self.store is None or self._cube is None or self._seen is None:
            return
        sink = pa.BufferOutputStream()
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.ipc.new_stream(sink, self._cube.schema, options=options) as writer:
            writer.write_table(self._cube)
        values: dict[str, Any] = {
            "key": self.key,
            "zone": self.zone.key,
            "dimensions": ",".join(self.dimensions),
            "top_id": self._seen[0],
            "items": self._seen[1],
            "versions": self._versions,
            "built_at": datetime.now(UTC).replace(tzinfo=None),
            "cube": sink.getvalue().to_pybytes(),
        }
        if self.store.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        statement = upsert(MetricRollup).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["key"],
            set_={name: statement.excluded[name] for name in values if name != "key"},
        )
        try:
            with self.store.begin() as conn:
                conn.execute(statement)
        except DBAPIError:
            return  # the store is busy or read-only: the next refresh stores it
        self.saves += 1

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


def _definition_sources() -> list[bytes]:
    """The source of every module a cube's numbers depend on (catalogue, expressions, specs,
    periods, scales, this module); read each time (about a millisecond)."""
    from otklik import types
    from otklik.metrics import catalogue, expressions, periods, spec

    modules = [catalogue, expressions, periods, spec, types, sys.modules[__name__]]
    return [Path(inspect.getfile(module)).read_bytes() for module in modules]


def _items(cube: pa.Table) -> int:
    return int(pc.sum(cube[ROWS]).as_py() or 0) if cube.num_rows else 0


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day - runs[-1][1] <= timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def enable_rollups(
    source: MetricSource,
    *,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    metrics: Sequence[str] | None = None,
    check_every_s: float = 0.0,
    timezone: str | tzinfo | None = None,
    store: Engine | None = None,
) -> Rollups:
    """Attach a :class:`Rollups` to ``source``: later ``compute`` calls it covers use it.

    ``timezone`` is the zone whose local days the cube keeps (None: ``OTKLIK_TIMEZONE``).
    ``store`` is the store's engine when ``source`` is that store: the cube is then read from
    and written to ``metric_rollups`` (a fresh process answers without scanning the items)."""
    rollups = Rollups(
        source,
        dimensions=dimensions,
        metrics=metrics,
        check_every_s=check_every_s,
        timezone=timezone,
        store=store,
    )
    source.rollups = rollups
    return rollups
