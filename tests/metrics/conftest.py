"""The same small dataset on every engine: the ledger's store on SQLite and PostgreSQL (written
through ``otklik.ledger``), DuckDB and Spark (tables created from the same rows).

Stores are built once per session: metrics only read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from sqlalchemy import Engine, insert

from otklik.ledger import (
    Invitation,
    Survey,
    make_engine,
    upgrade,
    write_customers,
    write_items,
)
from otklik.metrics import MetricSource, connect
from tests.conftest import postgres_schema
from tests.metrics import dataset

ITEM_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "source": pa.string(),
    "external_id": pa.string(),
    "kind": pa.string(),
    "channel": pa.string(),
    "occurred_at": pa.timestamp("us"),
    "customer_id": pa.string(),
    "score": pa.float64(),
    "scale": pa.string(),
    "text": pa.string(),
    "language": pa.string(),
    "product": pa.string(),
    "region": pa.string(),
    "team": pa.string(),
    "agent": pa.string(),
    "owner_team": pa.string(),
    "touchpoint": pa.string(),
    "handle_time_s": pa.float64(),
    "wait_time_s": pa.float64(),
    "transfers": pa.int64(),
    "resolved": pa.bool_(),
    "ended_by": pa.string(),
    "revenue": pa.float64(),
    "import_run_id": pa.int64(),
}
CUSTOMER_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "customer_id": pa.string(),
    "source": pa.string(),
    "started_at": pa.timestamp("us"),
    "churned_at": pa.timestamp("us"),
    "revenue": pa.float64(),
    "product": pa.string(),
    "region": pa.string(),
    "segment": pa.string(),
    "content_hash": pa.string(),
    "import_run_id": pa.int64(),
}
INVITATION_TYPES: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "survey_id": pa.int64(),
    "survey": pa.string(),
    "survey_type": pa.string(),
    "customer_id": pa.string(),
    "sent_at": pa.timestamp("us"),
    "expires_at": pa.timestamp("us"),
    "answered_at": pa.timestamp("us"),
    "channel": pa.string(),
    "mechanic": pa.string(),
}


@dataclass(frozen=True)
class Data:
    items: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    invitations: list[dict[str, Any]]


@pytest.fixture(scope="session")
def data() -> Data:
    blank = dict.fromkeys(ITEM_TYPES)
    items = [
        {**blank, **row, "source": "test", "id": i + 1} for i, row in enumerate(dataset.items())
    ]
    customers = [{**row, "source": "crm", "id": i + 1} for i, row in enumerate(dataset.customers())]
    return Data(items, customers, dataset.invitations())


def load_store(engine: Engine, data: Data) -> None:
    """Write the dataset through the ledger's own writer, one transaction per batch (surveys
    and invitations straight into their tables)."""
    upgrade(engine)
    for offset in range(0, len(data.items), 500):
        batch = [
            {k: v for k, v in row.items() if k not in ("id", "source", "import_run_id")}
            for row in data.items[offset : offset + 500]
        ]
        write_items(engine, run_id=None, source="test", items=batch)
    write_customers(
        engine,
        run_id=None,
        source="crm",
        customers=[
            {k: v for k, v in row.items() if k not in ("id", "source", "import_run_id")}
            for row in data.customers
        ],
    )
    with engine.begin() as conn:
        conn.execute(
            insert(Survey),
            [
                {
                    "id": survey_id,
                    "name": name,
                    "type": type_,
                    "texts": {},
                    "active": True,
                    "created_at": dataset.START,
                }
                for survey_id, name, type_ in dataset.SURVEYS
            ],
        )
        conn.execute(insert(Invitation), [{**row, "forced": False} for row in data.invitations])


def arrow(rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table(
        {name: pa.array([row.get(name) for row in rows], type_) for name, type_ in types.items()}
    )


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory, data: Data) -> Path:
    path = tmp_path_factory.mktemp("store") / "otklik.db"
    engine = make_engine(f"sqlite:///{path}")
    load_store(engine, data)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_source(sqlite_store: Path) -> Iterator[MetricSource]:
    with connect(f"sqlite:///{sqlite_store}") as source:
        yield source


@pytest.fixture
def sqlite_copy(sqlite_store: Path, tmp_path: Path) -> str:
    """A private copy of the loaded SQLite store, for tests that write to it."""
    target = tmp_path / "copy.db"
    shutil.copy(sqlite_store, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_source(data: Data) -> Iterator[MetricSource]:
    with postgres_schema("m") as url:
        engine = make_engine(url)
        try:
            load_store(engine, data)
            with connect(engine) as source:
                yield source
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def duckdb_source(data: Data) -> Iterator[MetricSource]:
    con = ibis.duckdb.connect()
    for name, rows, types in (
        ("feedback_items", data.items, ITEM_TYPES),
        ("customers", data.customers, CUSTOMER_TYPES),
        ("invitations", data.invitations, INVITATION_TYPES),
    ):
        con.con.from_arrow(arrow(rows, types)).create(name)
    yield connect(con)
    con.disconnect()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for the whole session (UTC, one core, no UI)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark tests need a Java runtime (install a JDK 17)")
    if os.environ.get("CI") == "true":
        # CI installs the dev extra, which has pyspark: with Java there, Spark tests must run.
        import pyspark.sql as sql
    else:
        sql = pytest.importorskip("pyspark.sql", reason="Spark tests need pyspark (extra 'spark')")
    session = (
        sql.SparkSession.builder.master("local[1]")
        .appName("otklik-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")  # tiny data: planning is the cost
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _spark_view(
    spark: Any, name: str, rows: list[dict[str, Any]], types: dict[str, pa.DataType]
) -> None:
    # Arrow timestamps without a zone become Spark TIMESTAMP_NTZ: no zone conversion at all.
    spark.createDataFrame(arrow(rows, types)).createOrReplaceTempView(name)


@pytest.fixture(scope="session")
def spark_source(spark: Any, data: Data) -> MetricSource:
    _spark_view(spark, "feedback_items", data.items, ITEM_TYPES)
    _spark_view(spark, "customers", data.customers, CUSTOMER_TYPES)
    _spark_view(spark, "invitations", data.invitations, INVITATION_TYPES)
    return connect(ibis.pyspark.connect(spark))


# PySpark leaves the sockets it reads results from to the garbage collector.
SPARK_SOCKETS = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)
# Ibis 12 still calls DuckDB's fetch_arrow_table(), which DuckDB 2 deprecates: not ours to fix.
DUCKDB_DEPRECATION = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("duckdb", marks=DUCKDB_DEPRECATION),
    ]
)
def source(request: pytest.FixtureRequest) -> MetricSource:
    """The loaded dataset on SQLite, PostgreSQL and DuckDB (Spark has its own tests)."""
    found: MetricSource = request.getfixturevalue(f"{request.param}_source")
    return found
