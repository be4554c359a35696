"""Writing the demo into a store through the ledger's batch writer, one transaction per batch.

Loading twice is harmless: rows already there are counted as duplicates, so an interrupted load
is finished by running it again. A store holding a *different* demo (other rows or seed) is
refused, because mixing two companies under the same ids would give nonsense figures.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from otklik.demo.contact import load_contact_demo
from otklik.demo.ex import load_ex
from otklik.demo.generator import DemoData
from otklik.demo.scenario import CUSTOMER_SOURCE, DEMO_SOURCES, SOURCE_KINDS
from otklik.demo.summary import DemoSummary, summarize
from otklik.errors import ConfigError, StoreError
from otklik.ledger import (
    BatchResult,
    ImportRun,
    finish_run,
    start_run,
    upgrade,
    write_customers,
    write_items,
)

__all__ = ["BATCH_SIZE", "Progress", "load_demo"]

BATCH_SIZE = 5000
# Called after each batch with the feed's source name and the rows just written.
Progress = Callable[[str, int], None]


@dataclass
class _Tally:
    imported: int = 0
    updated: int = 0
    duplicates: int = 0

    def add(self, result: BatchResult) -> None:
        self.imported += result.imported
        self.updated += result.updated
        self.duplicates += result.duplicates


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _label(data: DemoData) -> str:
    return f"demo:rows={data.rows},seed={data.seed}"


def _refuse_other_demo(engine: Engine, label: str) -> None:
    with engine.connect() as conn:
        others = conn.execute(
            select(ImportRun.path)
            .where(ImportRun.source.in_(DEMO_SOURCES), ImportRun.path != label)
            .distinct()
        ).scalars()
        other = next(iter(others), None)
    if other is not None:
        raise ConfigError(
            f"the store already holds another demo ({other}); load {label} into a fresh --db "
            "or use the same --rows and --seed"
        )


def _one_line(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__


def _load_feed(
    engine: Engine,
    data: DemoData,
    source: str,
    tally: _Tally,
    progress: Progress | None,
    batch_size: int,
) -> None:
    is_crm = source == CUSTOMER_SOURCE
    run_id = start_run(
        engine,
        source=source,
        kind="customers" if is_crm else SOURCE_KINDS[source],
        path=_label(data),
    )
    rows = data.iter_customers() if is_crm else data.iter_items(source)
    try:
        for batch in _batches(rows, batch_size):
            if is_crm:
                result = write_customers(engine, run_id=run_id, source=source, customers=batch)
            else:
                result = write_items(engine, run_id=run_id, source=source, items=batch)
            tally.add(result)
            if progress is not None:
                progress(source, len(batch))
    except BaseException:
        with contextlib.suppress(SQLAlchemyError):
            finish_run(engine, run_id, status="interrupted")
        raise
    finish_run(
        engine,
        run_id,
        status="completed",
        detected={"demo": {"rows": data.rows, "seed": data.seed}},
    )


def load_demo(
    engine: Engine,
    data: DemoData,
    progress: Progress | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> DemoSummary:
    """Create or upgrade the store, write the customers and every feed, and summarise it.

    The summary's ``imported``/``updated``/``duplicates`` count this load's rows (customers
    included); on a second run of the same demo everything is a duplicate.
    """
    upgrade(engine)
    label = _label(data)
    tally = _Tally()
    try:
        _refuse_other_demo(engine, label)
        for source in (CUSTOMER_SOURCE, *data.sources):
            _load_feed(engine, data, source, tally, progress, batch_size)
        load_contact_demo(engine, data)  # every message customers received (otklik.contact)
        load_ex(engine, data.seed, data.rows)  # staff, exit interviews, CSAT by team: ex.md
        summary = summarize(engine)
    except SQLAlchemyError as exc:
        url = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot write the demo into {url}: {_one_line(exc)}") from exc
    return replace(
        summary, imported=tally.imported, updated=tally.updated, duplicates=tally.duplicates
    )
