"""Metrics on the user's warehouse: one generated contact log (fixed seed) written to the otklik
ledger, to Parquet files read by DuckDB and by Spark (local mode), and to a plain PostgreSQL
table with other column names and types; each engine, read through its mapping file, gives the
numbers an independent oracle computes here from the generated rows (plain Python, numpy and
scipy), and the same rows as the ledger. Mapping mistakes come back as one-line errors."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from otklik.cli import app, main
from otklik.errors import ConfigError, MetricError
from otklik.ledger import make_engine, upgrade, write_customers, write_items
from otklik.metrics import MetricRow, WarehouseSource, compute, connect, open_warehouse
from tests.conftest import postgres_schema
from tests.metrics.conftest import DUCKDB_DEPRECATION, SPARK_SOCKETS

pytestmark = DUCKDB_DEPRECATION

# ---------------------------------------------------------------------------------------------
# The generated warehouse: a contact log and a client table, in the warehouse's own terms.

SEED = 20241117
START = datetime(2024, 1, 1, tzinfo=UTC)
CHANNELS = ("app", "web", "call", "chat", None)
REGIONS = ("msk", "spb", "ekb")
QUESTIONS = {"NPS": (0, 10), "CSAT": (1, 5), "CES": (1, 7)}


@dataclass(frozen=True)
class Warehouse:
    log: list[dict[str, Any]]  # event_id, created, rec_type, question, answer, chan, client, …
    clients: list[dict[str, Any]]  # client, since, left_on, arpu, tier


def _generate() -> Warehouse:
    rng = random.Random(SEED)
    log: list[dict[str, Any]] = []

    def moment() -> datetime:
        return START + timedelta(
            seconds=rng.randrange(182 * 86400), microseconds=rng.randrange(10**6)
        )

    def add(**fields: Any) -> None:
        row = {
            "event_id": len(log) + 1,
            "created": moment(),
            "question": None,
            "answer": None,
            "chan": rng.choice(CHANNELS),
            "client": None,
            "talk_sec": None,
            "region_code": rng.choice(REGIONS),
            "team_name": rng.choice(("alpha", "beta")),
            "agent_name": rng.choice(("a1", "a2", "a3", "a4")),
        }
        row.update(fields)
        log.append(row)

    for _ in range(700):  # survey answers; a few without a score
        question = rng.choice(tuple(QUESTIONS))
        low, high = QUESTIONS[question]
        answer = None if rng.random() < 0.03 else rng.randint(low, high)
        add(rec_type="S", question=question, answer=answer, client=rng.randrange(200))
    for _ in range(60):  # employees: never in customer NPS/CSAT/CES
        add(rec_type="E", question="NPS", answer=rng.randint(0, 10))
    for _ in range(650):  # contacts: handle time, a customer for most (repeats for FCR)
        add(
            rec_type="C",
            client=None if rng.random() < 0.1 else rng.randrange(60),
            talk_sec=None if rng.random() < 0.05 else rng.randint(20, 900),
        )
    # Period boundaries: midnight of 1 February UTC belongs to February.
    add(rec_type="S", question="NPS", answer=10, created=datetime(2024, 2, 1, tzinfo=UTC))
    add(
        rec_type="S",
        question="NPS",
        answer=0,
        created=datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    clients = []
    for client in range(120):
        since = date(2023, 6, 1) + timedelta(days=rng.randrange(330))
        left = since + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.4 else None
        clients.append(
            {
                "client": client,
                "since": since,
                "left_on": left,
                "arpu": round(rng.uniform(5, 500), 2),
                "tier": rng.choice(("retail", "sme")),
            }
        )
    return Warehouse(log, clients)


KINDS = {"S": "survey", "C": "contact", "E": "employee"}
SCALES = {"NPS": "nps", "CSAT": "csat5", "CES": "ces7"}

PARQUET_MAPPING = """\
parquet: contacts.parquet
columns:
  occurred_at: created
  kind: rec_type
  scale: question
  score: answer
  channel: chan
  customer_id: client
  handle_time_s: talk_sec
  region: region_code
  team: team_name
  agent: agent_name
values:
  source: dwh
recode:
  kind: {S: survey, C: contact, E: employee}
  scale: {NPS: nps, CSAT: csat5, CES: ces7}
customers:
  parquet: clients.parquet
  columns:
    customer_id: client
    started_at: since
    churned_at: left_on
    revenue: arpu
    segment: tier
"""


# ---------------------------------------------------------------------------------------------
# The independent oracle: figures straight from the generated rows.

Z = float(stats.norm.ppf(0.975))
Figure = tuple[int, float, float | None, float | None]  # n, value, ci_low, ci_high
Key = tuple[date | None, tuple[Any, ...]]


def _month(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return 100 * ci.low, 100 * ci.high


def _mean(values: list[float]) -> Figure:
    x = np.array(values, dtype=float)
    if len(x) < 2 or x.std() == 0:
        return len(x), float(x.mean()), None, None
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return len(x), float(x.mean()), float(low), float(high)


def _nps(scores: list[int]) -> Figure:
    n = len(scores)
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    value = 100 * (promoters - detractors) / n
    # adjusted Wald (Rocks 2016): n + 3, promoters and detractors + 3/4
    pp, pd = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    se = 100 * math.sqrt((pp + pd - (pp - pd) ** 2) / (n + 3))
    low = max(-100.0, 100 * (pp - pd) - Z * se)
    high = min(100.0, 100 * (pp - pd) + Z * se)
    return n, value, min(low, value), max(high, value)


def _share(flags: list[bool]) -> Figure:
    k, n = sum(flags), len(flags)
    return (n, 100 * k / n, *_wilson(k, n))


def _resolved(log: list[dict[str, Any]]) -> dict[int, bool]:
    """Per contact (event_id) with a client: no other contact of the client in (t, t + 7 d]."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for row in log:
        if row["rec_type"] == "C" and row["client"] is not None:
            times[row["client"]].append(row["created"])
    return {
        row["event_id"]: not any(
            row["created"] < t <= row["created"] + timedelta(days=7) for t in times[row["client"]]
        )
        for row in log
        if row["rec_type"] == "C" and row["client"] is not None
    }


def oracle(
    metric: str, wh: Warehouse, by: str, segment: str | None, shift: timedelta = timedelta()
) -> dict[Key, Figure]:
    """The metric per (month or None, segment value) from the warehouse rows; ``shift`` moves
    every moment (a reporting zone with a fixed offset)."""
    column = {"channel": "chan", "region": "region_code", None: None}[segment]
    if metric == "churn_rate":
        return _churn(wh, by)
    rows: list[dict[str, Any]]
    picks: dict[str, tuple[Callable[[dict[str, Any]], bool], Callable[[list[Any]], Figure]]]
    resolved = _resolved(wh.log) if metric == "fcr" else {}
    picks = {
        "nps": (lambda r: r["question"] == "NPS" and r["rec_type"] == "S", _nps),
        "csat": (
            lambda r: r["question"] == "CSAT" and r["rec_type"] == "S",
            lambda v: _share([s >= 4 for s in v]),
        ),
        "ces": (lambda r: r["question"] == "CES" and r["rec_type"] == "S", _mean),
        "aht": (lambda r: r["rec_type"] == "C" and r["talk_sec"] is not None, _mean),
        "fcr": (lambda r: r["event_id"] in resolved, _share),
    }
    chosen, figure = picks[metric]
    rows = [
        r for r in wh.log if chosen(r) and (metric in ("aht", "fcr") or r["answer"] is not None)
    ]
    groups: dict[Key, list[Any]] = defaultdict(list)
    for r in rows:
        period = _month(r["created"] + shift) if by == "month" else None
        key = (period, (r[column],) if column else ())
        value = {"aht": r["talk_sec"], "fcr": resolved.get(r["event_id"])}.get(metric, r["answer"])
        groups[key].append(value)
    return {key: figure(values) for key, values in groups.items()}


def _churn(wh: Warehouse, by: str) -> dict[Key, Figure]:
    out: dict[Key, Figure] = {}
    for month in range(1, 7):
        start, end = date(2024, month, 1), date(2024, month + 1, 1)
        base = [
            c
            for c in wh.clients
            if c["since"] < start and (c["left_on"] is None or c["left_on"] >= start)
        ]
        if base:
            lost = [c["left_on"] is not None and c["left_on"] < end for c in base]
            out[(start, ())] = _share(lost)
    return out


def figures(rows: list[MetricRow]) -> dict[Key, Figure]:
    return {
        (row.period, tuple(row.segment.values())): (row.n, row.value, row.ci_low, row.ci_high)
        for row in rows
    }


def assert_figures(got: dict[Key, Figure], want: dict[Key, Figure], label: str) -> None:
    assert sorted(got, key=str) == sorted(want, key=str), f"{label}: groups differ"
    for key, (n, *numbers) in want.items():
        g_n, *g_numbers = got[key]
        assert g_n == n, f"{label} {key}: n {g_n} != {n}"
        for a, b in zip(g_numbers, numbers, strict=True):
            if a is None or b is None:
                assert a is b, f"{label} {key}: {a} != {b}"
            else:
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), f"{label} {key}: {a} != {b}"


CASES: list[tuple[str, str, str | None]] = [
    (metric, by, segment)
    for metric in ("nps", "csat", "ces", "aht", "fcr")
    for by, segment in (("month", None), ("month", "channel"), ("all", "region"))
] + [("churn_rate", "month", None)]


def _compute(source: Any, metric: str, by: str, segment: str | None) -> list[MetricRow]:
    extra: dict[str, Any] = {}
    if metric == "churn_rate":
        extra = {"start": date(2024, 1, 1), "end": date(2024, 7, 1)}
    segments = [segment] if segment else []
    return compute(metric, source, by=by, segments=segments, **extra)


# ---------------------------------------------------------------------------------------------
# The four places the same data lives.


@pytest.fixture(scope="module")
def wh() -> Warehouse:
    return _generate()


def _ledger_items(wh: Warehouse) -> list[dict[str, Any]]:
    return [
        {
            "external_id": str(r["event_id"]),
            "kind": KINDS[r["rec_type"]],
            "channel": r["chan"],
            "occurred_at": r["created"].astimezone(UTC).replace(tzinfo=None),
            "customer_id": None if r["client"] is None else str(r["client"]),
            "score": None if r["answer"] is None else float(r["answer"]),
            "scale": SCALES.get(r["question"] or ""),
            "handle_time_s": None if r["talk_sec"] is None else float(r["talk_sec"]),
            "region": r["region_code"],
            "team": r["team_name"],
            "agent": r["agent_name"],
        }
        for r in wh.log
    ]


@pytest.fixture(scope="module")
def ledger_url(wh: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> str:
    """(a) the otklik ledger (SQLite), written through its own writers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_items(engine, run_id=None, source="dwh", items=_ledger_items(wh))
    write_customers(
        engine,
        run_id=None,
        source="crm",
        customers=[
            {
                "customer_id": str(c["client"]),
                "started_at": datetime.combine(c["since"], datetime.min.time()),
                "churned_at": (
                    None
                    if c["left_on"] is None
                    else datetime.combine(c["left_on"], datetime.min.time())
                ),
                "revenue": c["arpu"],
                "segment": c["tier"],
                "content_hash": f"h{c['client']}",
            }
            for c in wh.clients
        ],
    )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def parquet_dir(wh: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """(b) Parquet files (times with a zone, integer answers and ids, dates for clients) and
    the mapping file beside them (parquet paths are relative to it)."""
    folder = tmp_path_factory.mktemp("parquet")
    log_types = {
        "event_id": pa.int64(),
        "created": pa.timestamp("us", tz="UTC"),
        "rec_type": pa.string(),
        "question": pa.string(),
        "answer": pa.int16(),
        "chan": pa.string(),
        "client": pa.int64(),
        "talk_sec": pa.int32(),
        "region_code": pa.string(),
        "team_name": pa.string(),
        "agent_name": pa.string(),
    }
    client_types = {
        "client": pa.int64(),
        "since": pa.date32(),
        "left_on": pa.date32(),
        "arpu": pa.float64(),
        "tier": pa.string(),
    }
    for name, rows, types in (
        ("contacts.parquet", wh.log, log_types),
        ("clients.parquet", wh.clients, client_types),
    ):
        table = pa.table({c: pa.array([r[c] for r in rows], t) for c, t in types.items()})
        pq.write_table(table, folder / name)
    (folder / "warehouse.yaml").write_text(PARQUET_MAPPING, encoding="utf-8")
    return folder


POSTGRES_MAPPING = """\
url: {url}
table: {schema}.obrashcheniya
columns:
  occurred_at: data_vremya
  kind: tip
  scale: vopros
  score: otsenka
  channel: kanal
  customer_id: klient
  handle_time_s: dlitelnost
  region: filial
  team: komanda
  agent: operator
recode:
  kind: {{S: survey, C: contact, E: employee}}
  scale: {{NPS: nps, CSAT: csat5, CES: ces7}}
customers:
  table: {schema}.klienty
  columns:
    customer_id: klient
    started_at: s_daty
    churned_at: ushel
    revenue: dohod
    segment: tarif
"""


@pytest.fixture(scope="module")
def postgres_mapping(
    wh: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """(c) plain PostgreSQL tables in a schema of their own, with other names and types
    (timestamptz, smallint, bigint, numeric), read through a mapping file."""
    with postgres_schema("wh") as url:
        schema = url.rsplit("search_path%3D", 1)[1]
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    f'CREATE TABLE "{schema}".obrashcheniya (nomer bigint primary key, '
                    "data_vremya timestamptz not null, tip text, vopros text, otsenka smallint, "
                    "kanal text, klient bigint, dlitelnost integer, filial text, komanda text, "
                    "operator text)"
                )
            )
            conn.execute(
                text(
                    f'CREATE TABLE "{schema}".klienty (klient bigint, s_daty date, ushel date, '
                    "dohod numeric(12, 2), tarif text)"
                )
            )
            conn.execute(
                text(
                    f'INSERT INTO "{schema}".obrashcheniya VALUES (:event_id, :created, '
                    ":rec_type, :question, :answer, :chan, :client, :talk_sec, :region_code, "
                    ":team_name, :agent_name)"
                ),
                wh.log,
            )
            conn.execute(
                text(
                    f'INSERT INTO "{schema}".klienty VALUES (:client, :since, :left_on, :arpu, '
                    ":tier)"
                ),
                wh.clients,
            )
        engine.dispose()
        path = tmp_path_factory.mktemp("pg") / "warehouse.yml"
        plain = url.split("?", 1)[0]  # no search_path: the mapping names the schema
        # the URL comes from the environment (${VAR}), as a password would
        mapping = POSTGRES_MAPPING.format(url="${OTKLIK_WAREHOUSE_URL}", schema=schema)
        path.write_text(mapping, encoding="utf-8")
        yield path, plain


# ---------------------------------------------------------------------------------------------
# Every engine against the oracle, and against the ledger.


def _label(case: tuple[str, str, str | None]) -> str:
    return "-".join(str(part) for part in case)


@pytest.mark.parametrize("case", CASES, ids=[_label(c) for c in CASES])
def test_ledger_and_duckdb_parquet_match_the_oracle(
    wh: Warehouse, ledger_url: str, parquet_dir: Path, case: tuple[str, str, str | None]
) -> None:
    metric, by, segment = case
    want = oracle(metric, wh, by, segment)
    ledger = _compute(ledger_url, metric, by, segment)
    assert_figures(figures(ledger), want, f"ledger {metric}")
    with open_warehouse(parquet_dir / "warehouse.yaml") as source:
        assert source.backend == "duckdb"
        rows = _compute(source, metric, by, segment)
    assert_figures(figures(rows), want, f"duckdb {metric}")
    assert [r.to_dict() for r in rows] == [r.to_dict() for r in ledger]


@pytest.mark.postgres
def test_postgres_table_with_other_names_matches_the_oracle(
    wh: Warehouse,
    ledger_url: str,
    postgres_mapping: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, url = postgres_mapping
    monkeypatch.setenv("OTKLIK_WAREHOUSE_URL", url)
    with connect(path) as source:  # a .yml path opens the warehouse
        assert isinstance(source, WarehouseSource) and source.backend == "postgres"
        for metric, by, segment in CASES:
            rows = _compute(source, metric, by, segment)
            assert_figures(figures(rows), oracle(metric, wh, by, segment), f"pg {metric}")
            ledger = _compute(ledger_url, metric, by, segment)
            assert [r.to_dict() for r in rows] == [r.to_dict() for r in ledger]


@pytest.mark.spark
@pytest.mark.slow  # ~40 s on a loaded 2-core machine (16 Spark queries)
@SPARK_SOCKETS
def test_spark_over_the_parquet_matches_the_oracle(
    spark: Any, wh: Warehouse, parquet_dir: Path, tmp_path: Path
) -> None:
    """Spark in local mode (the session-wide one: ``engine: spark`` joins it) reads the same
    Parquet files through the same mapping."""
    mapping = tmp_path / "spark.yaml"
    text_ = PARQUET_MAPPING.replace("parquet: ", f"parquet: {parquet_dir}/")
    mapping.write_text("engine: spark\nspark: {master: 'local[1]'}\n" + text_, encoding="utf-8")
    with open_warehouse(mapping) as source:
        assert source.backend == "pyspark"
        for metric, by, segment in CASES:
            rows = _compute(source, metric, by, segment)
            assert_figures(figures(rows), oracle(metric, wh, by, segment), f"spark {metric}")
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_the_mapping_time_zone_cuts_the_periods(wh: Warehouse, parquet_dir: Path) -> None:
    """``timezone: Asia/Tokyo`` (UTC+9 all year): a row's month is that of its time + 9 h."""
    mapping = parquet_dir / "tokyo.yaml"
    mapping.write_text("timezone: Asia/Tokyo\n" + PARQUET_MAPPING, encoding="utf-8")
    with open_warehouse(mapping) as source:
        rows = compute("nps", source, by="month", segments=["channel"])
    assert {row.timezone for row in rows} == {"Asia/Tokyo"}
    assert_figures(figures(rows), oracle("nps", wh, "month", "channel", timedelta(hours=9)), "jp")


def test_cli_metrics_and_kpi_report_run_on_the_warehouse(
    ledger_url: str, parquet_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    mapping = str(parquet_dir / "warehouse.yaml")
    args = ["metrics", "nps", "--by", "month", "--segment", "channel", "--format", "json"]
    on_wh = runner.invoke(app, [*args, "--source", mapping])
    on_ledger = runner.invoke(app, [*args, "--db", ledger_url])
    assert on_wh.exit_code == 0, on_wh.output
    assert json.loads(on_wh.output) == json.loads(on_ledger.output)
    assert len(json.loads(on_wh.output)) > 12
    table = runner.invoke(app, ["metrics", "aht", "--source", mapping, "--channel", "call"])
    assert table.exit_code == 0 and "aht — Average handle time" in table.output
    sql = runner.invoke(app, ["metrics", "csat", "--source", mapping, "--sql"])
    assert sql.exit_code == 0 and "read_parquet" not in sql.output and "question" in sql.output
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(
        "version: 1\nkpis:\n"
        "  - {name: aht, metric: aht, target: 400, owner: contact_center, guardrails: "
        "[{metric: repeat_rate, tolerance: 2}]}\n"
        "  - {name: nps, metric: nps, target: 0, owner: cx, guardrails: "
        "[{metric: csat, tolerance: 5}]}\n",
        encoding="utf-8",
    )
    report = ["kpi", "report", "--period", "2024-05", "--kpis", str(kpis), "--format", "json"]
    kpi_wh = runner.invoke(app, [*report, "--source", mapping])
    kpi_ledger = runner.invoke(app, [*report, "--db", ledger_url])
    assert kpi_wh.exit_code == 0, kpi_wh.output
    assert json.loads(kpi_wh.output) == json.loads(kpi_ledger.output)
    assert [k["kpi"] for k in json.loads(kpi_wh.output)["kpis"]] == ["aht", "nps"]


# ---------------------------------------------------------------------------------------------
# Mapping mistakes: one line each, saying what to change; never a traceback.


def _error(tmp_path: Path, parquet_dir: Path, body: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(body.replace("PARQUET", str(parquet_dir)), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        open_warehouse(path)
    return str(caught.value).replace(str(path), "bad.yaml")


def test_unknown_column_is_named_with_a_suggestion(tmp_path: Path, parquet_dir: Path) -> None:
    body = PARQUET_MAPPING.replace("parquet: contacts", "parquet: PARQUET/contacts").replace(
        "parquet: clients", "parquet: PARQUET/clients"
    )
    message = _error(tmp_path, parquet_dir, body.replace("score: answer", "score: answr"))
    assert message.startswith(
        "bad.yaml:6: columns.score: unknown column of contacts.parquet 'answr'; "
        "did you mean 'answer'? (columns: "
    )
    assert "\n" not in message


def test_wrong_type_says_what_the_field_needs(tmp_path: Path, parquet_dir: Path) -> None:
    body = PARQUET_MAPPING.replace("parquet: contacts", "parquet: PARQUET/contacts").replace(
        "parquet: clients", "parquet: PARQUET/clients"
    )
    message = _error(
        tmp_path, parquet_dir, body.replace("handle_time_s: talk_sec", "handle_time_s: chan")
    )
    assert message == (
        "bad.yaml:9: columns.handle_time_s: column 'chan' is string, but handle_time_s needs "
        "a number: map another column or convert it in a view"
    )
    body = body.replace("occurred_at: created", "occurred_at: rec_type")
    assert "column 'rec_type' is string, but occurred_at needs a timestamp or a date" in _error(
        tmp_path, parquet_dir, body
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "parquet: PARQUET/contacts.parquet\ncolumns: {kind: rec_type}\n",
            "bad.yaml:2: columns: missing required mapping occurred_at: add it under columns:",
        ),
        (
            "parquet: PARQUET/contacts.parquet\ncolumns: {occurred_at: created}\n",
            "bad.yaml:2: columns: missing required mapping kind: add it under columns: (or one "
            "value for every row under values:)",
        ),
        (
            "parquet: PARQUET/contacts.parquet\ncolumns: {occurred_at: created, scor: answer}\n"
            "values: {kind: survey}\n",
            "bad.yaml:2: columns.scor: unknown item field 'scor'; did you mean 'score'?",
        ),
        (
            "parquet: PARQUET/contacts.parquet\ncolumns: {occurred_at: created}\n"
            "values: {kind: surveys}\n",
            "bad.yaml:3: values.kind: unknown kind 'surveys'; did you mean 'survey'?",
        ),
        (
            "parquet: PARQUET/contacts.parquet\ncolumns: {occurred_at: created, kind: rec_type, "
            "scale: question}\nrecode:\n  scale: {NPS: npss}\n",
            "bad.yaml:4: recode.scale.NPS: unknown scale 'npss'; did you mean 'nps'?",
        ),
        (
            "table: contacts\ncolumns: {occurred_at: created}\nvalues: {kind: survey}\n",
            "bad.yaml:1: (top): say where the table is: url: postgresql://… or duckdb:///FILE, "
            "parquet: FILES, or engine: spark",
        ),
        (
            "url: sqlite:///otklik.db\ntable: feedback_items\ncolumns: {occurred_at: created}\n"
            "values: {kind: survey}\n",
            "bad.yaml:1: url: engine 'sqlite' is not supported for a warehouse",
        ),
        (
            "parquet: PARQUET/nothing.parquet\ncolumns: {occurred_at: created}\n"
            "values: {kind: survey}\n",
            "bad.yaml:1: parquet: cannot read ",
        ),
        (
            "url: postgresql://nobody@127.0.0.1:1/nothing\ntable: cx.contacts\n"
            "columns: {occurred_at: created}\nvalues: {kind: survey}\n",
            "bad.yaml:1: url: cannot reach the warehouse (",
        ),
        (
            "url: duckdb:///PARQUET/empty.duckdb\ntable: cx.contacts\n"
            "columns: {occurred_at: created}\nvalues: {kind: survey}\n",
            "bad.yaml:2: table: table 'cx.contacts' is not in the duckdb warehouse (",
        ),
        (
            "url: postgresql://analyst:${OTKLIK_NO_SUCH_VARIABLE}@dwh/cx\ntable: cx.contacts\n"
            "columns: {occurred_at: created}\nvalues: {kind: survey}\n",
            "bad.yaml:1: url: environment variable OTKLIK_NO_SUCH_VARIABLE is not set",
        ),
        (
            "parquet: PARQUET/contacts.parquet\ntimezone: Mars/Base\n"
            "columns: {occurred_at: created}\nvalues: {kind: survey}\n",
            "bad.yaml:2: timezone: ",
        ),
    ],
    ids=[
        "no-date",
        "no-kind",
        "unknown-field",
        "bad-constant",
        "bad-recode",
        "nowhere",
        "sqlite",
        "no-parquet",
        "unreachable",
        "no-table",
        "no-variable",
        "bad-zone",
    ],
)
def test_mapping_mistakes_are_one_line_each(
    tmp_path: Path, parquet_dir: Path, body: str, expected: str
) -> None:
    message = _error(tmp_path, parquet_dir, body)
    assert message.startswith(expected), message
    assert "\n" not in message and "Traceback" not in message


def test_a_metric_on_an_unmapped_field_says_what_to_map(parquet_dir: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "surveys.yaml"
    mapping.write_text(
        f"parquet: {parquet_dir}/contacts.parquet\n"
        "columns: {occurred_at: created, score: answer, scale: question}\n"
        "values: {kind: survey}\nrecode: {scale: {NPS: nps}}\n",
        encoding="utf-8",
    )
    with open_warehouse(mapping) as source:
        assert compute("nps", source, by="all")[0].n > 0
        for metric, needs in (("aht", "handle_time_s"), ("fcr", "customer_id")):
            with pytest.raises(MetricError, match=f"{metric} needs {needs}, which "):
                compute(metric, source)
        with pytest.raises(MetricError, match="needs channel, which"):
            compute("nps", source, segments=["channel"])
        with pytest.raises(MetricError, match="add a customers: section"):
            compute("churn_rate", source, by="month")
        with pytest.raises(MetricError, match="run it on the store with --db"):
            compute("response_rate", source)


def test_cli_errors_are_one_line_and_exit_codes(
    parquet_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"parquet: {parquet_dir}/contacts.parquet\ncolumns: {{occurred_at: when}}\n"
        "values: {kind: survey}\n",
        encoding="utf-8",
    )
    assert main(["metrics", "nps", "--source", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:2: columns.occurred_at: unknown column of ")
    assert "Traceback" not in err
    good = str(parquet_dir / "warehouse.yaml")
    assert main(["metrics", "transfer_rate", "--source", good]) == 5
    assert "transfer_rate needs transfers" in capsys.readouterr().err
    assert main(["metrics", "nps", "--source", good, "--db", "sqlite:///x.db"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["metrics", "nps", "--source", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot be read" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Rows the importer would quarantine are left out on the warehouse too, and counted.

_HOSTILE = [
    # (created, kind, scale, score, ended_by) — the first four are the only valid rows
    (datetime(2025, 3, 1, 9, tzinfo=UTC), "S", "NPS", 9.0, None),
    (datetime(2025, 3, 2, 9, tzinfo=UTC), "S", "NPS", 10.0, None),
    (datetime(2025, 3, 3, 9, tzinfo=UTC), "S", "NPS", 0.0, None),
    (datetime(2025, 3, 4, 9, tzinfo=UTC), "S", "NPS", 7.0, "customer"),
    (datetime(2025, 3, 5, 9, tzinfo=UTC), "S", "NPS", 11.0, None),  # outside 0–10
    (datetime(2025, 3, 6, 9, tzinfo=UTC), "S", "NPS", float("nan"), None),  # not a number
    (datetime(2025, 3, 7, 9, tzinfo=UTC), "S", "NPS", 9.5, None),  # not whole
    (datetime(2025, 3, 8, 9, tzinfo=UTC), "S", "NPS", -3.0, None),  # outside 0–10
    (datetime(2025, 3, 9, 9, tzinfo=UTC), "S", "NPS", float("inf"), None),  # infinite
    (None, "S", "NPS", 10.0, None),  # no time
    (datetime(2025, 3, 10, 9, tzinfo=UTC), "X", "NPS", 10.0, None),  # kind not recoded
    (datetime(2025, 3, 11, 9, tzinfo=UTC), None, "NPS", 10.0, None),  # no kind
    (datetime(2025, 3, 12, 9, tzinfo=UTC), "S", "Q", 3.0, None),  # scale not recoded
    (datetime(2025, 3, 13, 9, tzinfo=UTC), "S", "NPS", 10.0, "bogus"),  # ended_by unknown
]
_HOSTILE_MAPPING = """\
parquet: hostile.parquet
columns: {occurred_at: created, kind: rec_type, scale: question, score: answer,
          ended_by: who_ended}
recode:
  kind: {S: survey}
  scale: {NPS: nps}
"""


@pytest.fixture
def hostile_mapping(tmp_path: Path) -> Path:
    columns = ("created", "rec_type", "question", "answer", "who_ended")
    types = (pa.timestamp("us", tz="UTC"), pa.string(), pa.string(), pa.float64(), pa.string())
    table = pa.table(
        {
            c: pa.array([r[i] for r in _HOSTILE], t)
            for i, (c, t) in enumerate(zip(columns, types, strict=True))
        }
    )
    pq.write_table(table, tmp_path / "hostile.parquet")
    path = tmp_path / "hostile.yaml"
    path.write_text(_HOSTILE_MAPPING, encoding="utf-8")
    return path


def test_rows_the_importer_would_refuse_are_left_out_and_counted(hostile_mapping: Path) -> None:
    # valid scores 9, 10, 0, 7: two promoters, one detractor of four answers
    want = 100 * (2 - 1) / 4
    with open_warehouse(hostile_mapping) as source:
        (row,) = compute("nps", source)
        assert row.n == 4 and row.value == pytest.approx(want)
        assert source.left_out() == {
            "occurred_at": 1,
            "kind": 2,  # "X" and no kind
            "scale": 1,
            "score": 5,  # 11, NaN, 9.5, -3, inf
            "ended_by": 1,
        }
        assert source.unknown_values("kind") == ["X"]
        assert source.unknown_values("scale") == ["Q"]
        note = source.left_out_note()
    assert note is not None and "\n" not in note
    assert "(X: map them under recode: kind:)" in note and "5 with a score" in note


def test_the_cli_says_which_rows_were_left_out(hostile_mapping: Path) -> None:
    result = CliRunner().invoke(
        app, ["metrics", "nps", "--source", str(hostile_mapping), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["n"] == 4 and row["value"] == pytest.approx(25.0)
    assert result.stderr.count("\n") == 1 and "rows left out" in result.stderr
    assert "(Q: map them under recode: scale:)" in result.stderr
