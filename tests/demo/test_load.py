from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, func, select

from otklik.demo import (
    CUSTOMER_SOURCE,
    ITEM_SOURCES,
    PATTERNS,
    PERIOD_START,
    generate,
    load_demo,
    summarize,
)
from otklik.demo.scenario import GAMING_AGENT, SOURCE_KINDS
from otklik.errors import ConfigError
from otklik.ledger import Customer, FeedbackItem, ImportRun
from tests.demo.test_patterns import _came_back

ROWS = 2000


def test_load_writes_every_feed_and_summarises_it(engine: Engine) -> None:
    data = generate(ROWS, seed=11)
    seen: dict[str, int] = {}

    def progress(source: str, done: int) -> None:
        seen[source] = seen.get(source, 0) + done

    summary = load_demo(engine, data, progress, batch_size=700)
    assert seen == {CUSTOMER_SOURCE: data.customer_count, **data.counts}
    assert summary.imported == data.total and summary.duplicates == 0
    assert summary.items == ROWS
    assert summary.by_source == {source: data.counts[source] for source in summary.by_source}
    expected_kinds: dict[str, int] = {}
    for rows in data.items().values():
        for row in rows:
            expected_kinds[row["kind"]] = expected_kinds.get(row["kind"], 0) + 1
    assert summary.by_kind == expected_kinds
    assert sum(summary.by_channel.values()) == ROWS
    assert summary.customers == data.customer_count
    churned = [row for row in data.iter_customers() if row["churned_at"] is not None]
    assert summary.churned == len(churned)
    assert summary.first_at is not None and summary.first_at >= PERIOD_START
    assert [finding.key for finding in summary.findings] == [p.key for p in PATTERNS]
    figures = {figure.name: figure for figure in summary.figures}
    # the headline NPS is the catalogue's: recompute it from the generated survey rows
    answers = [
        row["score"]
        for row in data.iter_items("demo-surveys")
        if row["scale"] == "nps" and row["score"] is not None
    ]
    promoters = sum(score >= 9 for score in answers) / len(answers)
    detractors = sum(score <= 6 for score in answers) / len(answers)
    nps = figures["NPS (surveys)"]
    assert nps.n == len(answers)
    assert nps.value == pytest.approx(100 * (promoters - detractors))
    assert nps.ci_low is not None and nps.ci_low < nps.value < (nps.ci_high or 0)
    handle_times = [
        row["handle_time_s"]
        for row in data.iter_items("demo-contacts")
        if row["handle_time_s"] is not None
    ]
    assert figures["AHT"].value == pytest.approx(sum(handle_times) / len(handle_times))

    with engine.connect() as conn:
        runs = conn.execute(select(ImportRun.source, ImportRun.kind, ImportRun.status)).all()
        stored = conn.execute(
            select(FeedbackItem.external_id, FeedbackItem.attributes, FeedbackItem.occurred_at)
            .where(FeedbackItem.source == "demo-exit")
            .order_by(FeedbackItem.external_id)
        ).first()
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    expected_runs = [(source, SOURCE_KINDS[source], "completed") for source in ITEM_SOURCES]
    assert sorted(runs) == sorted([(CUSTOMER_SOURCE, "customers", "completed"), *expected_runs])
    first_exit = next(data.iter_items("demo-exit"))
    assert stored is not None
    assert stored.attributes == first_exit["attributes"]
    assert stored.occurred_at == first_exit["occurred_at"]
    assert customers == data.customer_count


def test_loading_again_is_idempotent(engine: Engine) -> None:
    data = generate(ROWS, seed=11)
    load_demo(engine, data)
    again = load_demo(engine, data)
    assert again.imported == 0 and again.updated == 0
    assert again.duplicates == data.total
    assert again.items == ROWS and again.customers == data.customer_count


def test_a_different_demo_is_refused(engine: Engine) -> None:
    load_demo(engine, generate(ROWS, seed=11))
    with pytest.raises(ConfigError, match="already holds another demo"):
        load_demo(engine, generate(ROWS, seed=12))


def test_summary_of_an_empty_store(engine: Engine) -> None:
    summary = summarize(engine)
    assert summary.items == 0 and summary.customers == 0 and summary.first_at is None
    assert not any(finding.found for finding in summary.findings)
    assert all(figure.value is None and figure.n == 0 for figure in summary.figures)


@pytest.mark.slow
def test_store_sql_finds_every_planted_pattern(engine: Engine) -> None:
    data = generate(20_000, seed=5)
    summary = load_demo(engine, data)
    missed = [(f.key, f.evidence) for f in summary.findings if not f.found]
    assert missed == []

    # The store's SQL agrees with the same figures computed in Python from the rows.
    contacts = list(data.iter_items("demo-contacts"))
    returned = _came_back(contacts)
    his = [
        back
        for row, back in zip(contacts, returned, strict=True)
        if row["channel"] == "call" and row["agent"] == GAMING_AGENT
    ]
    peers = [
        back
        for row, back in zip(contacts, returned, strict=True)
        if row["channel"] == "call" and row["agent"] != GAMING_AGENT
    ]
    evidence = next(f.evidence for f in summary.findings if f.key == "gaming_agent")
    found = re.search(r"^([\d,]+) calls: .* within 7 days (\d+)% vs (\d+)%$", evidence)
    assert found is not None, evidence
    assert int(found[1].replace(",", "")) == len(his)
    assert int(found[2]) == pytest.approx(100 * sum(his) / len(his), abs=1)
    assert int(found[3]) == pytest.approx(100 * sum(peers) / len(peers), abs=1)
