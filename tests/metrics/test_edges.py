"""Figures at the edges: NPS at ±100 with two answers, means without spread, an infinite
duration in the data — every one honest ("not enough data" where no method is) and every JSON
output valid JSON. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from otklik.cli import main
from otklik.ledger import make_engine, upgrade, write_items
from otklik.metrics import (
    NON_FINITE,
    NOT_ENOUGH_DATA,
    Slice,
    compare,
    compute,
)
from otklik.metrics.stats import Z


def _store(path: Path, items: list[dict[str, Any]]) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    rows = [{"external_id": f"e{i}", "channel": "web", **item} for i, item in enumerate(items)]
    write_items(engine, run_id=None, source="edges", items=rows)
    engine.dispose()
    return url


def _nps(at: datetime, score: float) -> dict[str, Any]:
    return {"kind": "survey", "scale": "nps", "score": score, "occurred_at": at}


@pytest.fixture
def two_and_two(tmp_path: Path) -> str:
    """The issue's case: 2 answers of 10 in January, 2 of 0 in February."""
    return _store(
        tmp_path / "e.db",
        [
            _nps(datetime(2025, 1, 10, 12), 10),
            _nps(datetime(2025, 1, 20, 12), 10),
            _nps(datetime(2025, 2, 10, 12), 0),
            _nps(datetime(2025, 2, 20, 12), 0),
        ],
    )


def _load(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_nps_at_the_boundary_has_a_real_interval(two_and_two: str) -> None:
    january, february = compute("nps", two_and_two, by="month", timezone="UTC")
    # Rocks: n' = 5, p'P = 2.75/5 = 0.55, p'D = 0.15, NPS' = 0.40, Var = (0.70 − 0.16)/5.
    low = 100 * (0.40 - Z * math.sqrt(0.108))
    assert january.value == 100.0 and january.ci_high == 100.0
    assert january.ci_low == pytest.approx(low)
    assert february.value == -100.0 and february.ci_low == -100.0
    assert february.ci_high == pytest.approx(-low)


def test_two_against_two_is_not_enough_data(
    two_and_two: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = compare(
        "nps", two_and_two, Slice.period("2025-01"), Slice.period("2025-02"), timezone="UTC"
    )
    assert result.difference == -200.0
    assert result.p_value is None and result.significant is None
    assert result.verdict == NOT_ENOUGH_DATA
    args = ["metrics", "compare", "nps", "--period", "2025-01", "--period", "2025-02"]
    assert main([*args, "--db", two_and_two]) == 0
    out = capsys.readouterr().out
    assert "not enough data" in out and "significant at" not in out
    assert main([*args, "--db", two_and_two, "--format", "json"]) == 0
    shown = _load(capsys.readouterr().out)
    assert shown["verdict"] == NOT_ENOUGH_DATA and shown["p_value"] is None


def test_five_a_side_is_tested(tmp_path: Path) -> None:
    # 5 tens against 5 zeros: adjusted NPS' = ±(5.75 − 0.75)/8 = ±0.625, Var = (0.8125 −
    # 0.390625)/8 each, z = −1.25/√(2·0.052734) = −3.849: significant.
    url = _store(
        tmp_path / "f.db",
        [_nps(datetime(2025, 1, d, 12), 10) for d in range(1, 6)]
        + [_nps(datetime(2025, 2, d, 12), 0) for d in range(1, 6)],
    )
    result = compare("nps", url, Slice.period("2025-01"), Slice.period("2025-02"), timezone="UTC")
    z = -1.25 / math.sqrt(2 * (0.8125 - 0.390625) / 8)
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert result.significant is True


def test_a_mean_without_spread_has_no_interval(tmp_path: Path) -> None:
    url = _store(
        tmp_path / "m.db",
        [
            {"kind": "survey", "scale": "csat5", "score": 5.0, "occurred_at": datetime(2025, 1, d)}
            for d in (1, 2, 3)
        ],
    )
    (row,) = compute("csi", url, timezone="UTC")
    assert (row.value, row.n, row.ci_low, row.ci_high) == (5.0, 3, None, None)


def test_an_infinite_duration_gives_valid_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contacts = [
        {"kind": "contact", "handle_time_s": value, "occurred_at": datetime(2025, 1, 5 + i)}
        for i, value in enumerate((120.0, 60.0, math.inf))
    ]
    url = _store(tmp_path / "inf.db", contacts)
    (row,) = compute("aht", url, timezone="UTC")
    assert row.value is None and NON_FINITE in row.flags
    json.dumps(row.to_dict(), allow_nan=False)
    assert main(["metrics", "aht", "--db", url, "--format", "json"]) == 0
    (shown,) = _load(capsys.readouterr().out)
    assert shown["value"] is None and shown["ci_low"] is None and NON_FINITE in shown["flags"]
    assert main(["metrics", "aht", "--db", url]) == 0
    assert "inf" not in capsys.readouterr().out.lower().replace("info", "")
