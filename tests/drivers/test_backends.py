"""The same figures from SQLite and PostgreSQL (the topics and tags arrive as JSON text from
the ``current_classifications`` view on both)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine

from otklik.drivers import analyse
from otklik.metrics import Period, get_zone

from .conftest import PLANTED, _fill


def _nps(scores: np.ndarray) -> float:
    return 100 * float(np.mean(scores >= 9) - np.mean(scores <= 6))


def test_impacts_and_money_on_both_engines(engine: Engine) -> None:
    _fill(engine)
    report = analyse(engine, metric="nps", period=Period.parse("2025-06"), timezone=get_zone("UTC"))
    june = PLANTED.month == 6
    scores = PLANTED.score[june]
    fees = next(row for row in report.rows if row["topic"] == "fees")
    assert fees["impact"] == pytest.approx(
        _nps(scores) - _nps(scores[~PLANTED.member[june, 0]]), abs=1e-3
    )
    assert fees["revenue_at_risk"]["churned_n"] > 0
    assert report.rows[0]["topic"] == "fees"
