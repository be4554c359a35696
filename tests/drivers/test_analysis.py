"""The planted driver ranks first; its impact, metric, trend and money match plain numpy."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import Engine

from otklik.drivers import DriversConfig, analyse, backlog, parse_drivers_config
from otklik.errors import ConfigError, MetricError
from otklik.metrics import Period, compute, get_zone

from .conftest import PLANTED, TOPICS

UTC = get_zone("UTC")


def _nps(scores: np.ndarray) -> float:
    return 100 * float(np.mean(scores >= 9) - np.mean(scores <= 6))


@pytest.fixture(scope="module")
def june(planted: Engine):
    return analyse(planted, metric="nps", period=Period.parse("2025-06"), timezone=UTC)


def test_the_planted_topic_ranks_first_with_its_independent_impact_inside_its_interval(
    june,
) -> None:
    june_items = PLANTED.month == 6
    scores = PLANTED.score[june_items]
    fees = PLANTED.member[june_items, 0]
    expected = _nps(scores) - _nps(scores[~fees])
    first = backlog(june)[0]
    assert first["topic"] == "fees"
    assert first["impact"] == pytest.approx(expected, abs=1e-3)
    low, high = first["impact_ci"]
    assert low <= expected <= high and high < 0
    assert first["significant"] is True
    assert first["n"] == int(fees.sum())
    assert first["metric"] == pytest.approx(_nps(scores[fees]), abs=1e-3)
    assert first["share"] == pytest.approx(100 * fees.mean(), abs=1e-3)
    assert june.value == pytest.approx(_nps(scores), abs=1e-9)


def test_every_topic_impact_matches_numpy_and_the_order_is_by_priority(june) -> None:
    june_items = PLANTED.month == 6
    scores = PLANTED.score[june_items]
    by_topic = {row["topic"]: row for row in june.rows}
    for j, topic in enumerate(TOPICS):
        carried = PLANTED.member[june_items, j]
        assert by_topic[topic]["impact"] == pytest.approx(
            _nps(scores) - _nps(scores[~carried]), abs=1e-3
        )
    priorities = [row["priority"] for row in june.rows]
    assert priorities == sorted(priorities, reverse=True)
    assert by_topic["praise"]["impact"] > 0
    assert "praise" not in [row["topic"] for row in backlog(june)]


def test_the_trend_compares_with_may(june) -> None:
    fees = next(row for row in june.rows if row["topic"] == "fees")
    may = PLANTED.month == 5
    carried = PLANTED.member[may, 0]
    before = _nps(PLANTED.score[may]) - _nps(PLANTED.score[may][~carried])
    assert fees["trend"]["previous_impact"] == pytest.approx(before, abs=1e-3)
    assert fees["trend"]["change"] == pytest.approx(fees["impact"] - before, abs=1e-3)
    assert fees["trend"]["significant"] is True
    assert fees["trend"]["change_ci"][1] < 0


def test_revenue_at_risk_is_churned_within_the_window_plus_unhappy_stayers(june) -> None:
    june_items = np.flatnonzero(PLANTED.month == 6)
    churned = stayed = 0.0
    n_churned = 0
    for i in june_items:
        if not PLANTED.member[i, 0]:
            continue
        customer = PLANTED.customer[i]
        left = PLANTED.churned[customer]
        at = PLANTED.at[i]
        if left is not None and at <= left <= at + timedelta(days=90):
            churned += PLANTED.revenue[customer]
            n_churned += 1
        elif left is None and PLANTED.score[i] <= 6:
            stayed += PLANTED.revenue[customer]
    money = next(row for row in june.rows if row["topic"] == "fees")["revenue_at_risk"]
    assert money["churned"] == pytest.approx(churned, abs=0.05)
    assert money["churned_n"] == n_churned
    assert money["detractors"] == pytest.approx(stayed, abs=0.05)
    assert money["amount"] == pytest.approx(churned + stayed, abs=0.1)
    assert money["currency"] == "RUB" and money["window_days"] == 90
    reasons = {row["reason"]: row for row in june.churn_reasons}
    assert reasons == {}  # the fee's reasons are on surveys here, not exit items


def test_the_headline_matches_the_metrics_catalogue(planted: Engine, june) -> None:
    rows = compute(
        "nps",
        planted,
        start=Period.parse("2025-06").start,
        end=Period.parse("2025-06").end,
        timezone="UTC",
    )
    assert rows[0].value == pytest.approx(june.value, abs=1e-9)
    assert rows[0].n == june.n


def test_segment_and_pillar_filters_narrow_the_items(planted: Engine) -> None:
    web = analyse(
        planted,
        metric="nps",
        period=Period.parse("2025-06"),
        timezone=UTC,
        filters={"channel": ["web"]},
    )
    june = np.flatnonzero(PLANTED.month == 6)
    chosen = [i for i in june if i % 3 == 0]
    assert web.n == len(chosen)
    assert web.value == pytest.approx(_nps(PLANTED.score[chosen]), abs=1e-9)
    none = analyse(
        planted, metric="nps", period=Period.parse("2025-06"), timezone=UTC, pillar="empathy"
    )
    assert none.n == 0 and none.rows == []
    fee = analyse(
        planted, metric="nps", period=Period.parse("2025-06"), timezone=UTC, pillar="integrity"
    )
    tagged = np.flatnonzero((PLANTED.month == 6) & PLANTED.member[:, 0])
    assert fee.n == len(tagged)
    assert fee.value == pytest.approx(_nps(PLANTED.score[tagged]), abs=1e-9)


def test_the_same_seed_gives_the_same_intervals_and_bad_input_is_one_error(
    planted: Engine, june
) -> None:
    again = analyse(planted, metric="nps", period=Period.parse("2025-06"), timezone=UTC)
    assert [r["impact_ci"] for r in again.rows] == [r["impact_ci"] for r in june.rows]
    with pytest.raises(MetricError, match="drivers work for"):
        analyse(planted, metric="aht", period=Period.parse("2025-06"), timezone=UTC)
    with pytest.raises(MetricError, match="unknown method"):
        analyse(planted, period=Period.parse("2025-06"), timezone=UTC, method="magic")


def test_the_priority_formula_is_configurable_and_validated(planted: Engine) -> None:
    config = parse_drivers_config("version: 1\npriority:\n  share_power: 0\n  revenue_weight: 0\n")
    report = analyse(
        planted, period=Period.parse("2025-06"), timezone=UTC, config=config, metric="nps"
    )
    for row in report.rows:
        if row["impact"] is not None:
            assert row["priority"] == pytest.approx(abs(row["impact"]), abs=1e-3)
    with pytest.raises(ConfigError, match=r"drivers.yaml:3.*priority.revenue_weight"):
        parse_drivers_config("version: 1\npriority:\n  revenue_weight: -1\n")
    with pytest.raises(ConfigError, match="bootstrap_size"):
        parse_drivers_config("bootstrap_size: 5\n")
    assert DriversConfig().window_days == 90


def test_topic_by_segment_backlog_uses_the_same_definition_per_segment(planted: Engine) -> None:
    from otklik.drivers import split_backlog

    rows = split_backlog(
        planted, split="channel", period=Period.parse("2025-06"), timezone=UTC, metric="nps"
    )
    june = np.flatnonzero(PLANTED.month == 6)
    web = np.array([i for i in june if i % 3 == 0])
    fees_web = next(r for r in rows if r["topic"] == "fees" and r["segment"] == {"channel": "web"})
    carried = PLANTED.member[web, 0]
    assert fees_web["impact"] == pytest.approx(
        _nps(PLANTED.score[web]) - _nps(PLANTED.score[web][~carried]), abs=1e-3
    )
    assert fees_web["share"] == pytest.approx(100 * carried.sum() / len(june), abs=1e-3)
    assert rows[0]["topic"] == "fees" and rows[0]["rank"] == 1
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    with pytest.raises(MetricError, match="cannot count items by"):
        split_backlog(planted, split="colour", period=Period.parse("2025-06"), timezone=UTC)
