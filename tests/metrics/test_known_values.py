"""Known values: the R package ``NPS`` example and two real public datasets.

Expected figures come from the sources (README files, the R package) or are computed here
from the raw files with numpy, never from otklik's output.
"""

from __future__ import annotations

import bisect
import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from otklik.ledger import make_engine, upgrade, write_items
from otklik.metrics import MetricSource, compute, connect
from otklik.metrics.stats import nps_interval, nps_se
from tests.bank_log import bank_calls, bank_rows, call_time
from tests.conftest import SHARED_DATA

NPS_FILE = SHARED_DATA / "nps_verbatims_textsummary" / "verbatim.csv"


def _num(value: float | None) -> float:
    assert value is not None
    return value


def _store(path: Path, rows: list[dict[str, Any]], source: str) -> MetricSource:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    for offset in range(0, len(rows), 5000):
        write_items(engine, run_id=None, source=source, items=rows[offset : offset + 5000])
    engine.dispose()
    return connect(f"sqlite:///{path}")


def test_r_nps_package_example(tmp_path: Path) -> None:
    # R package NPS: nps(c(0, 7, 7, 9, 9, 9)) = 0.333, nps_se = 0.304 (on the 0..1 scale).
    scores = [0, 7, 7, 9, 9, 9]
    assert nps_se(3, 1, 6) == pytest.approx(30.4, abs=0.05)
    value, _ = nps_interval(3, 1, 6)
    assert value == pytest.approx(33.3, abs=0.05)
    rows = [
        {
            "external_id": str(i),
            "kind": "survey",
            "scale": "nps",
            "score": float(s),
            "occurred_at": datetime(2024, 5, 1, 12),
        }
        for i, s in enumerate(scores)
    ]
    with _store(tmp_path / "r.db", rows, "r") as source:
        (row,) = compute("nps", source)
    assert round(_num(row.value), 1) == 33.3
    assert row.n == 6
    assert row.flags == ("small_sample",)
    # Rocks (2016) adjusted Wald: n' = 9, p'P = 3.75/9, p'D = 1.75/9, centre 2/9,
    # se = √((5.5/9 − (2/9)²)/9) = 0.24983 → 22.22 ± 48.97 = −26.74 … +71.19.
    assert row.ci_low == pytest.approx(-26.74, abs=0.01)
    assert row.ci_high == pytest.approx(71.19, abs=0.01)


def _nps_file() -> list[dict[str, str]]:
    with NPS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def nps_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSource]:
    rows = []
    for i, record in enumerate(_nps_file()):
        if not record["NPS_SCORE"].strip():
            continue
        rows.append(
            {
                "external_id": str(i),
                "kind": "survey",
                "scale": "nps",
                "score": float(record["NPS_SCORE"]),
                "touchpoint": record["SURVEY_SUB_TYPE"],
                "occurred_at": datetime.strptime(
                    record["CUSTOMER_RESPONSE_DATE"], "%d/%m/%Y %H:%M"
                ),
                "text": record["text"],
                "language": "en",
            }
        )
    source = _store(tmp_path_factory.mktemp("nps") / "nps.db", rows, "textsummary")
    yield source
    source.close()


def test_nps_verbatims_give_minus_24_69(nps_source: MetricSource) -> None:
    records = [r for r in _nps_file() if r["NPS_RATING"].strip()]
    classes = [r["NPS_RATING"] for r in records]
    by_class = 100 * (classes.count("Promoter") - classes.count("Detractor")) / len(classes)
    (row,) = compute("nps", nps_source)
    assert row.n == 2353 == len(classes)
    assert round(_num(row.value), 2) == -24.69
    assert row.value == pytest.approx(by_class, abs=1e-9)
    assert _num(row.ci_low) < _num(row.value) < _num(row.ci_high)


def test_nps_verbatims_by_month_and_touchpoint(nps_source: MetricSource) -> None:
    counts: dict[tuple[date | None, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in _nps_file():
        if not r["NPS_RATING"].strip():
            continue
        moment = datetime.strptime(r["CUSTOMER_RESPONSE_DATE"], "%d/%m/%Y %H:%M")
        c = counts[(date(moment.year, moment.month, 1), r["SURVEY_SUB_TYPE"])]
        c[0] += 1
        c[1] += r["NPS_RATING"] == "Promoter"
        c[2] += r["NPS_RATING"] == "Detractor"
    rows = compute("nps", nps_source, by="month", segments=["touchpoint"])
    assert {(row.period, row.segment["touchpoint"]) for row in rows} == set(counts)
    for row in rows:
        n, p, d = counts[(row.period, row.segment["touchpoint"])]
        assert row.n == n
        assert row.value == pytest.approx(100 * (p - d) / n, abs=1e-9)
        assert ("small_sample" in row.flags) == (n < 30)


@pytest.fixture(scope="module")
def bank_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricSource]:
    rows = bank_rows()
    source = _store(tmp_path_factory.mktemp("bank") / "bank.db", rows, "anonymous-bank")
    yield source
    source.close()


def test_bank_handle_time(bank_source: MetricSource) -> None:
    answered = np.array([float(c["ser_time"]) for c in bank_calls() if c["outcome"] == "AGENT"])
    (aht,) = compute("aht", bank_source)
    assert round(_num(aht.value), 2) == 176.35  # README: AGENT calls, mean ser_time 176.35 s
    assert aht.value == pytest.approx(answered.mean(), rel=1e-12)
    assert aht.n == len(answered) == 27162
    (median,) = compute("aht_median", bank_source)
    assert median.value == 107.0  # README: median 107 s
    (p90,) = compute("aht_p90", bank_source)
    assert p90.value == pytest.approx(float(np.quantile(answered, 0.9)), abs=1e-9)
    assert _num(median.ci_low) <= _num(median.value) <= _num(median.ci_high)


def test_bank_fcr_from_customer_ids(bank_source: MetricSource) -> None:
    calls = [c for c in bank_calls() if c["outcome"] != "PHANTOM" and c["customer_id"] != "0"]
    times: dict[str, list[datetime]] = defaultdict(list)
    for c in calls:
        times[c["customer_id"]].append(call_time(c))
    for moments in times.values():
        moments.sort()
    window = timedelta(days=7)
    resolved = 0
    for c in calls:
        moments, t = times[c["customer_id"]], call_time(c)
        later = bisect.bisect_right(moments, t)
        resolved += not (later < len(moments) and moments[later] <= t + window)
    (fcr,) = compute("fcr", bank_source)
    assert fcr.n == len(calls)
    assert fcr.value == pytest.approx(100 * resolved / len(calls), abs=1e-9)
    assert "censored" in fcr.flags  # February's last week has no following week in the file
    (repeat,) = compute("repeat_rate", bank_source)
    assert repeat.value == pytest.approx(100 - _num(fcr.value), abs=1e-9)
    weeks = compute("fcr", bank_source, by="week")
    assert "censored" not in weeks[0].flags and "censored" in weeks[-1].flags
