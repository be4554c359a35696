"""Where metrics run: the ledger's store (SQLite, PostgreSQL) or a warehouse engine via Ibis.

What each engine can do is declared here, not discovered at run time. Two operations differ:

* shifting a timestamp by N days (the FCR window): SQL intervals everywhere except SQLite
  before 3.46, where Ibis cannot add intervals; there otklik shifts the ISO text the ledger
  stores (``date(day, '+N days') || time``), which is exact to the microsecond;
* local time in the reporting zone (periods): engines shift a UTC timestamp by a per-row
  offset taken from a ``CASE`` over the zone's offset changes (see ``metrics.periods``);
  PostgreSQL, DuckDB and Spark add an interval of that many seconds, SQLite uses its own
  ``datetime(value, '+N seconds')``, which needs no time-zone database;
* window functions (quantiles and FCR need ``row_number``/``lead``): all four engines have
  them. Quantiles are taken from ranks, not from an engine's percentile function (SQLite has
  none, Spark's default one is approximate), so every engine returns the same order statistic.

An engine not declared here is refused with :class:`~otklik.errors.UnsupportedOperation`
rather than trusted to give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.common.exceptions import TableNotFound
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from otklik.errors import ConfigError, MetricError, StoreError, UnsupportedOperation
from otklik.ledger import normalize_url
from otklik.metrics.spec import TableRole

if TYPE_CHECKING:
    from otklik.metrics.query import Query

__all__ = [
    "CAPABILITIES",
    "Capabilities",
    "MetricSource",
    "connect",
]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What otklik relies on from an engine, declared per Ibis backend name."""

    backend: str
    window_functions: bool
    timestamp_shift: str  # "interval" or "sqlite_text"


CAPABILITIES: Mapping[str, Capabilities] = {
    "sqlite": Capabilities("sqlite", window_functions=True, timestamp_shift="sqlite_text"),
    "postgres": Capabilities("postgres", window_functions=True, timestamp_shift="interval"),
    "duckdb": Capabilities("duckdb", window_functions=True, timestamp_shift="interval"),
    "pyspark": Capabilities("pyspark", window_functions=True, timestamp_shift="interval"),
}


def _naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_SQLITE_READERS: dict[str, Callable[[Any], Any]] = {
    "Timestamp": _timestamp,
    "Date": _date,
    "Boolean": bool,
}


@ibis.udf.scalar.builtin(name="date")
def _sqlite_date(value: str, modifier: str) -> str:  # type: ignore[empty-body]
    """SQLite's own ``date(value, modifier)``."""


@ibis.udf.scalar.builtin(name="datetime")
def _sqlite_datetime(value: str, modifier: str) -> str:  # type: ignore[empty-body]
    """SQLite's own ``datetime(value, modifier)``."""


class MetricSource:
    """An Ibis connection plus the ledger tables' names on it and the engine's capabilities."""

    def __init__(
        self,
        con: BaseBackend,
        *,
        tables: Mapping[str, str] | None = None,
        capabilities: Capabilities | None = None,
        owns: bool = False,
    ) -> None:
        self.con = con
        name = con.name
        if capabilities is None:
            if name not in CAPABILITIES:
                raise UnsupportedOperation(
                    f"engine {name!r} is not declared in otklik.metrics.backends "
                    f"(declared: {', '.join(CAPABILITIES)})"
                )
            capabilities = CAPABILITIES[name]
        self.capabilities = capabilities
        self.tables = {role.value: role.value for role in TableRole} | dict(tables or {})
        self._owns = owns
        self._cache: dict[str, ir.Table] = {}
        self.rollups: Any = None  # a metrics.rollups.Rollups, attached by enable_rollups()
        # The reporting zone of computations on this source that name none (None: the
        # setting OTKLIK_TIMEZONE); the web app sets its own here.
        self.timezone: str | None = None
        # Groups per query while a report is computed (metrics.compute.remembering): a query
        # asked twice in one report runs once. None: nothing kept.
        self.memo: dict[Any, Any] | None = None

    @property
    def backend(self) -> str:
        return self.capabilities.backend

    def _lookup(self, role: TableRole | str) -> ir.Table | None:
        name = self.tables[TableRole(role).value]
        if name not in self._cache:
            try:
                self._cache[name] = self.con.table(name)
            except TableNotFound:
                return None
        return self._cache[name]

    def has_table(self, role: TableRole | str) -> bool:
        return self._lookup(role) is not None

    def table(self, role: TableRole | str, hint: str = "") -> ir.Table:
        found = self._lookup(role)
        if found is None:
            name = self.tables[TableRole(role).value]
            raise MetricError(
                hint
                or f"table {name!r} is not in the {self.backend} database "
                "(run `otklik init` on a store, or pass tables= for a warehouse)"
            )
        return found

    def check(self, query: Query) -> None:
        """Refuse a query this source cannot answer (a no-op here: the ledger has every field;
        a warehouse source refuses fields its mapping does not provide)."""

    def require(self, operation: str) -> None:
        """Refuse an operation the engine is not declared to support."""
        if operation == "window_functions" and not self.capabilities.window_functions:
            raise UnsupportedOperation(
                f"{self.backend} is declared without window functions, which quantiles and "
                "FCR need; run this metric on SQLite ≥ 3.25, PostgreSQL, DuckDB or Spark"
            )

    def within_days(
        self, later: ir.TimestampValue, earlier: ir.TimestampValue, days: int
    ) -> ir.BooleanValue:
        """``later <= earlier + days`` (whole days; times are naive UTC, so no DST)."""
        if self.capabilities.timestamp_shift == "interval":
            return later <= earlier + ibis.interval(days=days)
        text = earlier.cast("string")
        shifted = _sqlite_date(text.substr(0, 10), f"+{days} days").concat(text.substr(10))
        return later.cast("string") <= shifted

    def to_local(
        self, moment: ir.TimestampValue, offsets: Sequence[tuple[datetime, int]]
    ) -> ir.TimestampValue:
        """Naive UTC ``moment`` as naive local time: shifted by the offset (seconds) in force,
        ``offsets`` being (since, offset) pairs ascending, as :func:`periods.utc_offsets`
        gives them (the first applies before its ``since`` too)."""
        if not offsets or (len(offsets) == 1 and offsets[0][1] == 0):
            return moment
        if self.capabilities.timestamp_shift == "interval":
            if len(offsets) == 1:
                return moment + ibis.interval(seconds=offsets[0][1])
            seconds = _cases(moment, [(since, ibis.literal(o)) for since, o in offsets])
            return moment + seconds.as_interval("s")
        modifiers = [(since, ibis.literal(f"{o:+d} seconds")) for since, o in offsets]
        shifted = _sqlite_datetime(moment.cast("string"), _cases(moment, modifiers))
        return shifted.cast("timestamp")

    def execute(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run ``expr`` and return plain Python rows (times as naive UTC)."""
        if self.backend == "sqlite":
            return self._sqlite_rows(expr)
        return [
            {name: _naive_utc(value) for name, value in row.items()}
            for row in self.to_arrow(expr).to_pylist()
        ]

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """Run ``expr`` into an Arrow table."""
        if self.backend == "sqlite":
            return pa.Table.from_pylist(self._sqlite_rows(expr), schema=expr.schema().to_pyarrow())
        if self.backend == "pyspark":
            # Spark ≥ 4 hands Arrow over directly; Ibis's route through pandas (kept for
            # Spark 3.5) trips over pandas 3 deprecations.
            frame = self.con._session.sql(str(self.con.compile(expr)))
            if hasattr(frame, "toArrow"):
                return frame.toArrow()
        return self.con.to_pyarrow(expr)

    def _sqlite_rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        # Ibis reads SQLite results through pandas, which costs time on small results and
        # trips over pandas 3 deprecations; metrics results are small and typed by the schema.
        schema = expr.schema()
        cursor = self.con.raw_sql(str(self.con.compile(expr)))
        try:
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        finally:
            cursor.close()
        readers = [_SQLITE_READERS.get(type(schema[name]).__name__) for name in names]
        return [
            {
                name: value if read is None or value is None else read(value)
                for name, read, value in zip(names, readers, row, strict=True)
            }
            for row in rows
        ]

    def close(self) -> None:
        self._cache.clear()
        if self._owns:
            disconnect = getattr(self.con, "disconnect", None)
            if disconnect is not None:
                disconnect()

    def __enter__(self) -> MetricSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cases(moment: ir.TimestampValue, values: Sequence[tuple[datetime, ir.Value]]) -> ir.Value:
    """The value whose ``since`` is the last one ≤ ``moment`` (the first one before all)."""
    if len(values) == 1:
        return values[0][1]
    branches = [(moment < values[i + 1][0], values[i][1]) for i in range(len(values) - 1)]
    return ibis.cases(*branches, else_=values[-1][1])


def _check_spark(con: BaseBackend) -> None:
    session = getattr(con, "_session", None)
    if session is None:
        return
    zone = session.conf.get("spark.sql.session.timeZone")
    if zone not in ("UTC", "Etc/UTC", "+00:00", "Z"):
        raise ConfigError(
            f"the Spark session's time zone is {zone!r}: set spark.sql.session.timeZone=UTC, "
            "otherwise periods shift by the zone's offset"
        )


def _connect_url(url: str) -> BaseBackend:
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError as exc:
        raise ConfigError(f"cannot parse database URL {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise ConfigError("metrics need a SQLite file, not an in-memory database")
        if not Path(database).exists():
            raise StoreError(f"no store at {database}: run `otklik init` or import data first")
        return ibis.sqlite.connect(database)
    if backend == "postgresql":
        options: dict[str, Any] = {key: value for key, value in parsed.query.items()}
        try:
            return ibis.postgres.connect(
                host=parsed.host,
                port=parsed.port,
                user=parsed.username,
                password=parsed.password,
                database=parsed.database,
                **options,
            )
        except Exception as exc:  # psycopg's errors: the server, the login, the database
            raise StoreError(f"cannot connect to {parsed.render_as_string()}: {exc}") from exc
    if backend == "duckdb":
        return ibis.duckdb.connect(parsed.database or ":memory:")
    raise ConfigError(
        f"metrics cannot open {url!r}: use sqlite:///PATH, postgresql://… or duckdb:///PATH, "
        "or pass an Ibis connection (Spark, DuckDB) to connect()"
    )


def connect(
    target: str | Path | Engine | BaseBackend | MetricSource,
    *,
    tables: Mapping[str, str] | None = None,
) -> MetricSource:
    """A :class:`MetricSource` on a database URL, a SQLAlchemy engine, an Ibis connection or a
    warehouse mapping file (a path ending in ``.yaml``/``.yml``, see ``metrics.warehouse``).

    For a store the URL is the one its engine uses (PostgreSQL query options such as
    ``options=-csearch_path=…`` are passed to the driver). ``tables`` renames the ledger tables
    for a warehouse, e.g. ``{"feedback_items": "cx.feedback"}``.
    """
    if isinstance(target, MetricSource):
        return target
    if isinstance(target, BaseBackend):
        if target.name == "pyspark":
            _check_spark(target)
        return MetricSource(target, tables=tables)
    if isinstance(target, Engine):
        target = target.url.render_as_string(hide_password=False)
    if str(target).lower().endswith((".yaml", ".yml")):
        from otklik.metrics.warehouse import open_warehouse  # it builds on this module

        return open_warehouse(target)
    return MetricSource(_connect_url(str(target)), tables=tables, owns=True)
