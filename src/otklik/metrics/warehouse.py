"""Metrics on the user's warehouse: an existing table, read through a column-mapping file.

A mapping file (YAML, ``docs/warehouse.md``) says where the table is (a PostgreSQL or DuckDB
URL, Parquet files read by DuckDB, or Spark in local or cluster mode) and which of its columns
is each ledger field (the date, the score, its scale, the kind, the channel, the customer, the
handle time, the segments…), with constants for fields the table does not have and value
recodings (``NPS`` → ``nps``). :func:`open_warehouse` checks the file against the table's real
schema (unknown columns, wrong types, missing required fields, an unreachable engine: each a
one-line :class:`~otklik.errors.ConfigError` with the file, line and what to change) and returns
a :class:`WarehouseSource`: a :class:`~otklik.metrics.MetricSource` whose ``feedback_items``
(and ``customers``) are an Ibis projection of the user's table into the ledger's columns. The
catalogue's expressions then run there unchanged, in the warehouse engine, and give the ledger's
numbers (tests/metrics/test_warehouse.py holds DuckDB, PostgreSQL and Spark to an oracle).

    >>> from otklik.metrics import compute, open_warehouse
    >>> with open_warehouse("warehouse.yaml") as source:
    ...     rows = compute("nps", source, by="month", segments=["channel"])

Times: a timestamp with a time zone is converted to UTC in the engine; a timestamp without one
is read as UTC; a date as its midnight in UTC. Periods are cut in the file's ``timezone``
(default: the setting ``OTKLIK_TIMEZONE``).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from pydantic import BaseModel, ConfigDict, field_validator

from otklik.errors import ConfigError, MetricError, OtklikError
from otklik.metrics.backends import MetricSource, _connect_url
from otklik.metrics.periods import get_zone
from otklik.metrics.query import Query
from otklik.metrics.spec import MetricSpec, Statistic, TableRole
from otklik.types import SCALES, EndedBy, Kind
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    check_config,
    issues_error,
    read_yaml,
    unknown_name,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "ITEM_FIELDS",
    "SparkOptions",
    "TableMapping",
    "WarehouseMapping",
    "WarehouseSource",
    "fields_read",
    "is_mapping_file",
    "load_mapping",
    "open_warehouse",
]

FieldType = Literal["timestamp", "string", "number", "integer", "boolean"]

ITEM_FIELDS: Mapping[str, FieldType] = {
    "occurred_at": "timestamp",
    "kind": "string",
    "channel": "string",
    "source": "string",
    "customer_id": "string",
    "score": "number",
    "scale": "string",
    "language": "string",
    "product": "string",
    "region": "string",
    "team": "string",
    "agent": "string",
    "owner_team": "string",
    "touchpoint": "string",
    "handle_time_s": "number",
    "wait_time_s": "number",
    "transfers": "integer",
    "resolved": "boolean",
    "ended_by": "string",
    "revenue": "number",
}
"""The ledger's item fields a mapping can fill, and the kind of value each holds."""

CUSTOMER_FIELDS: Mapping[str, FieldType] = {
    "customer_id": "string",
    "started_at": "timestamp",
    "churned_at": "timestamp",
    "revenue": "number",
    "product": "string",
    "region": "string",
    "segment": "string",
    "source": "string",
}
"""The ledger's customer fields (churn metrics) a mapping's ``customers:`` section can fill."""

_REQUIRED: Mapping[TableRole, tuple[tuple[str, bool], ...]] = {
    # (field, may it be a constant under values:)
    TableRole.ITEMS: (("occurred_at", False), ("kind", True)),
    TableRole.CUSTOMERS: (("customer_id", False), ("started_at", False), ("churned_at", False)),
}
_VOCABULARY: Mapping[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in Kind),
    "scale": tuple(SCALES),
    "ended_by": tuple(e.value for e in EndedBy),
}
_IBIS_TYPES: Mapping[FieldType, dt.DataType] = {
    "timestamp": dt.Timestamp(),
    "string": dt.string,
    "number": dt.float64,
    "integer": dt.int64,
    "boolean": dt.boolean,
}
_WANTED: Mapping[FieldType, str] = {
    "timestamp": "a timestamp or a date",
    "string": "text or an integer",
    "number": "a number",
    "integer": "a number",
    "boolean": "a boolean or an integer (0/1)",
}
Constant = str | int | float | bool


class TableMapping(BaseModel):
    """One table of the warehouse and how its columns become ledger fields."""

    model_config = ConfigDict(extra="forbid")

    table: str | None = None
    parquet: str | None = None
    columns: dict[str, str] = {}
    values: dict[str, Constant] = {}
    recode: dict[str, dict[str | int, str]] = {}


class SparkOptions(BaseModel):
    """How to start (or join) the Spark session: master and extra ``spark.*`` settings."""

    model_config = ConfigDict(extra="forbid")

    master: str = "local[*]"
    conf: dict[str, str | int | float | bool] = {}


class WarehouseMapping(TableMapping):
    """A mapping file: the engine, the items table (top level) and optionally customers."""

    engine: Literal["postgres", "duckdb", "spark"] | None = None
    url: str | None = None
    timezone: str | None = None
    spark: SparkOptions | None = None
    customers: TableMapping | None = None

    @field_validator("url")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        """``${VAR}`` in the URL comes from the environment: passwords stay out of the file."""
        if value is None:
            return None
        missing = [name for name in re.findall(r"\$\{(\w+)\}", value) if name not in os.environ]
        if missing:
            raise ValueError(f"environment variable {missing[0]} is not set")
        return os.path.expandvars(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                get_zone(value)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return value


def is_mapping_file(target: object) -> bool:
    """Whether ``target`` names a mapping file (a path ending in .yaml or .yml)."""
    return isinstance(target, str | Path) and str(target).lower().endswith((".yaml", ".yml"))


def _engine_of(m: WarehouseMapping) -> str | None:
    if m.engine is not None:
        return m.engine
    if m.url is not None:
        scheme = m.url.split(":", 1)[0].split("+", 1)[0].lower()
        return {"postgresql": "postgres", "postgres": "postgres", "duckdb": "duckdb"}.get(
            scheme, scheme
        )
    if m.parquet is not None:
        return "duckdb"
    return None


def _check_file(m: WarehouseMapping, doc: LocatedYaml) -> list[ConfigIssue]:
    """What can be checked without the engine: where the data is, field names, constants."""
    issues: list[ConfigIssue] = []
    engine = _engine_of(m)
    if engine is None:
        issues.append(
            doc.issue(
                (),
                "say where the table is: url: postgresql://… or duckdb:///FILE, "
                "parquet: FILES, or engine: spark",
            )
        )
    elif engine not in ("postgres", "duckdb", "spark"):
        issues.append(
            doc.issue(
                ("url",),
                f"engine {engine!r} is not supported for a warehouse: use postgresql://…, "
                "duckdb:///FILE, parquet: FILES or engine: spark (the otklik store itself "
                "is read with --db)",
            )
        )
    if engine == "postgres" and m.url is None:
        issues.append(doc.issue(("engine",), "engine: postgres needs url: postgresql://…"))
    if m.url is not None and m.parquet is not None:
        issues.append(doc.issue(("parquet",), "give url: or parquet:, not both"))
    if m.spark is not None and engine != "spark":
        issues.append(doc.issue(("spark",), "spark: settings need engine: spark"))
    sections: list[tuple[tuple[str, ...], TableMapping, TableRole]] = [((), m, TableRole.ITEMS)]
    if m.customers is not None:
        sections.append((("customers",), m.customers, TableRole.CUSTOMERS))
    for prefix, section, role in sections:
        issues += _check_section(doc, prefix, section, role, engine)
    return issues


def _check_section(
    doc: LocatedYaml,
    prefix: tuple[str, ...],
    section: TableMapping,
    role: TableRole,
    engine: str | None,
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    fields = ITEM_FIELDS if role is TableRole.ITEMS else CUSTOMER_FIELDS
    what = "item field" if role is TableRole.ITEMS else "customer field"
    if (section.table is None) == (section.parquet is None):
        issues.append(
            doc.issue(prefix, "name the table: table: SCHEMA.TABLE, or parquet: FILES (not both)")
        )
    elif section.parquet is not None and engine not in ("duckdb", "spark", None):
        issues.append(doc.issue((*prefix, "parquet"), "parquet files are read by DuckDB or Spark"))
    for key in ("columns", "values", "recode"):
        for name in getattr(section, key):
            if name not in fields:
                issues.append(doc.issue((*prefix, key, name), unknown_name(what, name, fields)))
    for name in set(section.columns) & set(section.values):
        issues.append(doc.issue((*prefix, "values", name), f"{name} is mapped to a column already"))
    for name, value in section.values.items():
        kind = fields.get(name)
        if kind is None:
            continue
        if kind == "timestamp":
            issues.append(doc.issue((*prefix, "values", name), f"{name} must be a column"))
        elif kind in ("number", "integer") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            issues.append(doc.issue((*prefix, "values", name), f"{name} must be a number"))
        elif kind == "boolean" and not isinstance(value, bool):
            issues.append(doc.issue((*prefix, "values", name), f"{name} must be true or false"))
        elif kind == "string" and name in _VOCABULARY and str(value) not in _VOCABULARY[name]:
            issues.append(
                doc.issue(
                    (*prefix, "values", name), unknown_name(name, str(value), _VOCABULARY[name])
                )
            )
    for name, codes in section.recode.items():
        if name in fields and fields[name] != "string":
            issues.append(doc.issue((*prefix, "recode", name), "only text fields are recoded"))
        if name in fields and name not in section.columns:
            issues.append(
                doc.issue(
                    (*prefix, "recode", name), f"{name} is recoded but not mapped to a column"
                )
            )
        for code, value in codes.items():
            if name in _VOCABULARY and value not in _VOCABULARY[name]:
                issues.append(
                    doc.issue(
                        (*prefix, "recode", name, code),
                        unknown_name(name, value, _VOCABULARY[name]),
                    )
                )
    for name, constant_ok in _REQUIRED[role]:
        if name in section.columns or (constant_ok and name in section.values):
            continue
        where = "columns: (or one value for every row under values:)" if constant_ok else "columns:"
        issues.append(
            doc.issue(
                (*prefix, "columns"), f"missing required mapping {name}: add it under {where}"
            )
        )
    return issues


def load_mapping(path: str | Path) -> tuple[WarehouseMapping, LocatedYaml]:
    """The mapping file, checked on its own (no engine yet); every problem raises one
    :class:`ConfigError` with a line per issue (``file:line: key: what to change``)."""
    doc = read_yaml(Path(path), what="warehouse mapping")
    mapping, issues = check_config(doc, WarehouseMapping, _check_file)
    if mapping is None:
        raise issues_error(issues)
    return mapping, doc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


def _spark_connection(m: WarehouseMapping, doc: LocatedYaml) -> BaseBackend:
    options = m.spark or SparkOptions()
    try:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(options.master).appName("otklik")
        builder = builder.config("spark.sql.session.timeZone", "UTC")
        for key, value in options.conf.items():
            builder = builder.config(key, str(value))
        session = builder.getOrCreate()
        return ibis.pyspark.connect(session)
    except ImportError as exc:
        message = "Spark needs pyspark: pip install 'otklik[spark]'"
        raise ConfigError(str(doc.issue(("engine",), message))) from exc
    except Exception as exc:  # no Java, a bad master URL: Py4J and Spark's own errors
        raise ConfigError(
            str(
                doc.issue(
                    ("spark",),
                    f"cannot start Spark ({_first_line(exc)}); install a Java 17 runtime "
                    "and check spark.master",
                )
            )
        ) from exc


def _connection(m: WarehouseMapping, doc: LocatedYaml) -> tuple[BaseBackend, bool]:
    """The engine's Ibis connection and whether closing the source should close it (a Spark
    session is left running: another part of the process may share it)."""
    engine = _engine_of(m)
    if engine == "spark":
        return _spark_connection(m, doc), False
    if m.url is None:
        return ibis.duckdb.connect(), True
    try:
        return _connect_url(m.url), True
    except OtklikError as exc:
        raise ConfigError(
            str(
                doc.issue(
                    ("url",),
                    f"cannot reach the warehouse ({_first_line(exc)}); check the URL, the "
                    "login and that the server is running",
                )
            )
        ) from exc


def _split_name(name: str) -> tuple[str | tuple[str, str] | None, str]:
    parts = name.split(".")
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return (parts[0], parts[1]), parts[2]


def _raw_table(
    con: BaseBackend,
    section: TableMapping,
    prefix: tuple[str, ...],
    doc: LocatedYaml,
    base: Path,
    view: str,
) -> ir.Table:
    if section.parquet is not None:
        path = Path(section.parquet).expanduser()
        if not path.is_absolute():
            path = base / path
        try:
            return con.read_parquet(str(path), table_name=view)
        except Exception as exc:  # DuckDB's IOException, Spark's AnalysisException
            raise ConfigError(
                str(
                    doc.issue(
                        (*prefix, "parquet"),
                        f"cannot read {path} ({_first_line(exc)}); check the path "
                        "(relative paths start at the mapping file's folder)",
                    )
                )
            ) from exc
    assert section.table is not None
    database, name = _split_name(section.table)
    try:
        return con.table(name, database=database)
    except Exception as exc:  # TableNotFound, or the engine's own catalog error
        raise ConfigError(
            str(
                doc.issue(
                    (*prefix, "table"),
                    f"table {section.table!r} is not in the {con.name} warehouse "
                    f"({_first_line(exc)}); check table: (SCHEMA.TABLE)",
                )
            )
        ) from exc


def _convert(column: ir.Value, kind: FieldType) -> ir.Value | None:
    """``column`` as the ledger field's type, or None when its type cannot be one."""
    dtype = column.type()
    if kind == "timestamp":
        if dtype.is_timestamp():
            return column.cast(dt.Timestamp()) if dtype.timezone is not None else column
        if dtype.is_date():
            return column.cast(dt.Timestamp())
        return None
    if kind == "number":
        return column.cast(dt.float64) if dtype.is_numeric() else None
    if kind == "integer":
        return column.cast(dt.int64) if dtype.is_numeric() else None
    if kind == "boolean":
        if dtype.is_boolean():
            return column
        return (column != 0) if dtype.is_integer() else None
    if dtype.is_string():
        return column
    return column.cast(dt.string) if dtype.is_integer() else None


def _project(
    raw: ir.Table,
    section: TableMapping,
    fields: Mapping[str, FieldType],
    prefix: tuple[str, ...],
    doc: LocatedYaml,
) -> ir.Table:
    """``raw`` as a table with exactly the ledger's ``fields`` (unmapped ones NULL)."""
    schema = raw.schema()
    issues: list[ConfigIssue] = []
    out: dict[str, ir.Value] = {}
    label = section.table or Path(section.parquet or "").name
    for name, kind in fields.items():
        target = _IBIS_TYPES[kind]
        if name in section.columns:
            column = section.columns[name]
            if column not in schema:
                issues.append(
                    doc.issue(
                        (*prefix, "columns", name),
                        unknown_name(f"column of {label}", column, schema.names, plural="columns"),
                    )
                )
                continue
            value = _convert(raw[column], kind)
            if value is None:
                issues.append(
                    doc.issue(
                        (*prefix, "columns", name),
                        f"column {column!r} is {schema[column]}, but {name} needs "
                        f"{_WANTED[kind]}: map another column or convert it in a view",
                    )
                )
                continue
            codes = section.recode.get(name)
            if codes:
                value = value.substitute({str(k): v for k, v in codes.items()})
            out[name] = value.cast(target)
        elif name in section.values:
            out[name] = ibis.literal(section.values[name]).cast(target)
        else:
            out[name] = ibis.null().cast(target)
    if issues:
        raise issues_error(issues)
    return raw.select(**out)


_LEFT_OUT_REASONS: Mapping[str, str] = {
    "occurred_at": "no time",
    "kind": "a kind that is not otklik's",
    "scale": "a scale that is not otklik's",
    "score": "a score that is not a whole number within its scale",
    "ended_by": "an ended_by that is not otklik's",
}
"""Why a warehouse row is left out, as the importer would quarantine it (ingest/limits.py)."""


def _item_faults(view: ir.Table) -> dict[str, ir.BooleanValue]:
    """Per field, the rows of a ledger-shaped ``view`` the importer would refuse: no time, a
    kind, scale or ended_by outside otklik's vocabulary, a score that is not a whole number
    within its scale (NaN and infinities included). Never NULL, so filters keep their rows."""
    scale, score = view.scale, view.score
    whole_in_scale = ibis.or_(
        *(
            (scale == name) & score.isin(list(range(spec.low, spec.high + 1)))
            for name, spec in SCALES.items()
        )
    )
    faults: dict[str, ir.BooleanValue] = {
        "occurred_at": view.occurred_at.isnull(),
        "kind": view.kind.isnull() | ~view.kind.isin(list(_VOCABULARY["kind"])),
        "scale": scale.notnull() & ~scale.isin(list(_VOCABULARY["scale"])),
        "score": score.notnull() & scale.isin(list(_VOCABULARY["scale"])) & ~whole_in_scale,
        "ended_by": view.ended_by.notnull() & ~view.ended_by.isin(list(_VOCABULARY["ended_by"])),
    }
    return {name: fault.fill_null(False) for name, fault in faults.items()}


class WarehouseSource(MetricSource):
    """A :class:`MetricSource` on the user's tables, seen through a mapping file.

    ``views`` maps a ledger table (``feedback_items``, ``customers``) to the projection of the
    user's table; ``mapped`` says which fields of each come from a column or a constant (a
    metric that reads any other field is refused by :meth:`check` with what to map).
    """

    def __init__(
        self,
        con: BaseBackend,
        views: Mapping[TableRole, ir.Table],
        mapped: Mapping[TableRole, frozenset[str]],
        *,
        label: str,
        timezone: str | None = None,
        owns: bool = True,
    ) -> None:
        super().__init__(con, owns=owns)
        self.mapped = dict(mapped)
        self.label = label
        self.timezone = timezone
        self.unfiltered = dict(views)
        self.views = dict(views)
        items = self.views.get(TableRole.ITEMS)
        if items is not None:
            faults = _item_faults(items)
            self.views[TableRole.ITEMS] = items.filter(~ibis.or_(*faults.values()))

    def left_out(self) -> dict[str, int]:
        """How many rows of the items table each check leaves out (field → rows; a row that
        fails two checks counts under both), as the importer would quarantine them: no
        time, a kind/scale/ended_by outside otklik's vocabulary, a score that is not a whole
        number within its scale. Only fields with at least one such row. One scan."""
        items = self.unfiltered.get(TableRole.ITEMS)
        if items is None:
            return {}
        faults = _item_faults(items)
        counts = self.con.to_pyarrow(
            items.aggregate(**{name: fault.cast("int64").sum() for name, fault in faults.items()})
        ).to_pylist()[0]
        return {name: int(n) for name, n in counts.items() if n}

    def unknown_values(self, field: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` values of ``field`` (kind, scale, ended_by) outside otklik's
        vocabulary, as they are after the mapping's recode:, most frequent first."""
        items = self.unfiltered[TableRole.ITEMS]
        column = items[field]
        bad = items.filter(column.notnull() & ~column.isin(list(_VOCABULARY[field])))
        counted = bad.group_by(value=column).aggregate(n=bad.count())
        rows = self.con.to_pyarrow(counted.order_by(ibis.desc("n")).limit(limit))
        return [str(v) for v in rows.column("value").to_pylist()]

    def left_out_note(self) -> str | None:
        """One line saying which rows were left out and what to change, or None."""
        counts = self.left_out()
        if not counts:
            return None
        parts = []
        for field, n in counts.items():
            part = f"{n} with {_LEFT_OUT_REASONS[field]}"
            if field in _VOCABULARY and field in self.mapped[TableRole.ITEMS]:
                values = self.unknown_values(field)
                if values:
                    part += f" ({', '.join(values)}: map them under recode: {field}:)"
            parts.append(part)
        return f"{self.label}: rows left out, as the importer would quarantine them: " + "; ".join(
            parts
        )

    def _lookup(self, role: TableRole | str) -> ir.Table | None:
        return self.views.get(TableRole(role))

    def check(self, query: Query) -> None:
        """Refuse a query that reads a field or a table the mapping does not provide."""
        spec = query.spec
        role = spec.table
        if role not in self.views:
            if role in _REQUIRED:
                raise MetricError(
                    f"{spec.name} reads customers (customer_id, started_at, churned_at), which "
                    f"{self.label} does not map: add a customers: section (docs/warehouse.md)"
                )
            raise MetricError(
                f"{spec.name} reads the otklik store's {role.value}, which a warehouse mapping "
                "does not provide: run it on the store with --db"
            )
        needed = fields_read(spec, query) - self.mapped[role]
        if needed:
            section = "customers: columns:" if role is TableRole.CUSTOMERS else "columns:"
            raise MetricError(
                f"{spec.name} needs {', '.join(sorted(needed))}, which {self.label} does not "
                f"map: add {'it' if len(needed) == 1 else 'them'} under {section} (or one value "
                "for every row under values:)"
            )


def fields_read(spec: MetricSpec, query: Query | None = None) -> set[str]:
    """The ledger fields a metric (and a query's segments and filters) reads."""
    fields = CUSTOMER_FIELDS if spec.table is TableRole.CUSTOMERS else ITEM_FIELDS
    probe = ibis.table({name: _IBIS_TYPES[kind] for name, kind in fields.items()}, name="probe")
    params = spec.resolve(query.params if query is not None else None)
    exprs: list[ir.Value | None] = [spec.rows(probe, params)]
    if spec.success is not None:
        exprs.append(spec.success(probe, params))
    if spec.value is not None:
        exprs.append(spec.value(probe, params))
    read = {node.name for expr in exprs if expr is not None for node in expr.op().find(ops.Field)}
    read.add(spec.time_column)
    extra = {
        Statistic.NPS: {"score"},
        Statistic.REPEAT: {"kind", "customer_id"},
        Statistic.CHURN: {"started_at", "churned_at"},
        Statistic.REVENUE_CHURN: {"started_at", "churned_at", "revenue"},
    }
    read |= extra.get(spec.statistic, set())
    if query is not None:
        read |= set(query.segments) | {name for name, _ in query.filters}
    return read


def open_warehouse(path: str | Path, *, connection: BaseBackend | None = None) -> WarehouseSource:
    """A :class:`WarehouseSource` from the mapping file at ``path``, checked against the
    engine's real tables. ``connection`` (an Ibis connection) replaces the engine the file
    names, e.g. an existing Spark session's. Raises :class:`ConfigError` (one line per
    problem) for a wrong file, an unreachable engine, a missing table or a wrong column."""
    mapping, doc = load_mapping(path)
    base = Path(path).resolve().parent
    owns = connection is None
    if connection is None:
        con, owns = _connection(mapping, doc)
    else:
        con = connection
    try:
        views: dict[TableRole, ir.Table] = {}
        mapped: dict[TableRole, frozenset[str]] = {}
        sections: list[tuple[tuple[str, ...], TableMapping, TableRole]] = [
            ((), mapping, TableRole.ITEMS)
        ]
        if mapping.customers is not None:
            sections.append((("customers",), mapping.customers, TableRole.CUSTOMERS))
        for prefix, section, role in sections:
            fields = ITEM_FIELDS if role is TableRole.ITEMS else CUSTOMER_FIELDS
            # A view of its own per source: a Spark session is shared by the whole process.
            view = f"otklik_{role.value}_{uuid.uuid4().hex[:8]}"
            raw = _raw_table(con, section, prefix, doc, base, view)
            views[role] = _project(raw, section, fields, prefix, doc)
            mapped[role] = frozenset(section.columns) | frozenset(section.values)
    except BaseException:
        if owns:
            con.disconnect()
        raise
    return WarehouseSource(
        con, views, mapped, label=str(path), timezone=mapping.timezone, owns=owns
    )
