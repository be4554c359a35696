"""The small rules, checked against figures worked out here: KPI status, robust z, periods,
the normal model of targets, guardrail states."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from datetime import date

import pytest

from otklik.kpi import (
    GuardrailDef,
    kpi_status,
    previous_span,
    probability_of,
    robust_z,
    span_of,
    target_for,
)
from otklik.kpi.guardrails import judge_check, judge_metric
from otklik.metrics import MetricRow, MetricValue


def _row(value: float | None, n: int, low: float | None, high: float | None) -> MetricRow:
    return MetricRow("x", None, {}, MetricValue(value, n, low, high))


@pytest.mark.parametrize(
    ("row", "target", "lower", "expected"),
    [
        (_row(280.0, 500, 270.0, 290.0), 300.0, True, "met"),
        (_row(310.0, 500, 305.0, 315.0), 300.0, True, "missed"),
        (_row(295.0, 500, 285.0, 305.0), 300.0, True, "not_significant"),  # met by noise
        (_row(305.0, 500, 295.0, 315.0), 300.0, True, "not_significant"),  # missed by noise
        (_row(86.0, 900, 85.5, 86.5), 85.0, False, "met"),
        (_row(84.0, 900, 83.0, 84.9), 85.0, False, "missed"),
        (_row(90.0, 12, 88.0, 91.0), 85.0, False, "small_sample"),
        (_row(None, 0, None, None), 85.0, False, "small_sample"),
        (_row(90.0, 40, None, None), 85.0, False, "not_significant"),
    ],
)
def test_kpi_status(row: MetricRow, target: float, lower: bool, expected: str) -> None:
    assert kpi_status(row, target, lower_is_better=lower, min_n=30) == expected


def test_robust_z_is_median_and_scaled_mad() -> None:
    values = [10.0, 11.0, 12.0, 12.5, 13.0, 14.0, 40.0]
    median = 12.5
    mad = statistics.median([2.5, 1.5, 0.5, 0.0, 0.5, 1.5, 27.5])  # = 1.5
    zs, found_median, scale = robust_z(values)
    assert found_median == median and scale == pytest.approx(1.4826 * mad)
    assert zs[-1] == pytest.approx((40.0 - 12.5) / (1.4826 * 1.5))
    # A sampling-error floor stops near-identical units from producing huge z.
    zs, _, scale = robust_z([5.0, 5.0, 5.0, 5.0, 6.0], [2.0, 2.0, 2.0, 2.0, 2.0])
    assert scale == 2.0 and zs[-1] == pytest.approx(0.5)
    assert robust_z([3.0, 3.0, 3.0])[0] == [0.0, 0.0, 0.0]


def test_periods() -> None:
    assert span_of("2025-Q4").label == "2025-Q4"
    assert previous_span(span_of("2025-Q1")).label == "2024-Q4"
    assert previous_span(span_of("2025-03")).start == date(2025, 2, 1)
    assert previous_span(span_of("2025")).label == "2024"
    custom = previous_span(span_of("2025-01-11..2025-01-20"))
    assert (custom.start, custom.end) == (date(2025, 1, 1), date(2025, 1, 11))


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_normal_model_of_targets() -> None:
    assert probability_of(290, 300, 10, lower_is_better=True) == pytest.approx(_phi(-1.0))
    assert probability_of(90, 85, 2.5, lower_is_better=False) == pytest.approx(1 - _phi(2.0))
    target = target_for(0.3, 300, 10, lower_is_better=True)
    assert _phi((target - 300) / 10) == pytest.approx(0.3)
    assert target_for(0.3, 80, 4, lower_is_better=False) == pytest.approx(80 + 4 * 0.5244, abs=1e-3)


def test_guardrail_states() -> None:
    guard = GuardrailDef(metric="repeat_rate", tolerance=2.0)
    calls: list[int] = []

    def p(value: float | None) -> Callable[[], float | None]:
        def run() -> float | None:
            calls.append(1)
            return value

        return run

    now, before = _row(20.0, 400, 16.2, 24.3), _row(15.0, 400, 11.8, 18.8)
    assert judge_metric(guard, now, before, p(0.01), alpha=0.05).status == "broken"
    assert judge_metric(guard, now, before, p(0.2), alpha=0.05).status == "watch"
    within = _row(16.5, 400, 13.2, 20.4)
    assert judge_metric(guard, within, before, p(0.5), alpha=0.05).status == "ok"
    assert len(calls) == 2  # the test runs only when the change is beyond tolerance
    assert judge_metric(guard, now, None, p(0.5), alpha=0.05).status == "no_data"
    small = judge_metric(guard, _row(30.0, 10, 10.0, 60.0), before, p(0.01), alpha=0.05, min_n=30)
    assert small.status == "small_sample"
    limit = GuardrailDef(metric="agent_hangup_rate", limit=10.0)
    beyond = _row(14.0, 900, 11.9, 16.4)  # the whole interval above the limit
    assert judge_metric(limit, beyond, None, p(None), alpha=0.05).status == "broken"
    maybe = _row(11.0, 100, 6.3, 18.6)  # the point above, the interval reaching below
    assert judge_metric(limit, maybe, None, p(None), alpha=0.05).status == "watch"
    gone = judge_metric(guard, None, None, p(None), alpha=0.05, unavailable="no invitations")
    assert (gone.status, gone.note) == ("no_data", "no invitations")
    sample = GuardrailDef.model_validate({"check": "sample_size", "min": 400})
    assert judge_check(sample, _row(10.0, 399, 0.0, 20.0)).status == "broken"
    assert judge_check(sample, _row(10.0, 400, 0.0, 20.0)).status == "ok"
    coverage = GuardrailDef.model_validate({"check": "survey_coverage", "min": 5})
    state = judge_check(coverage, _row(80.0, 40, 60.0, 90.0), contacts=1000)
    assert (state.status, state.value) == ("broken", 4.0)
    assert judge_check(coverage, _row(80.0, 40, 60.0, 90.0), contacts=None).status == "no_data"
