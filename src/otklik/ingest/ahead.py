"""Build the next batch of an import while the current one is written.

Reading and checking a batch column-wise is mostly pyarrow's kernels, and writing one is mostly
SQLite's or PostgreSQL's own work; both let go of Python's global lock for most of their time,
so a second thread overlaps them on a machine with two cores or more (measured in
docs/benchmarks.md, "The next batch built while one is written").
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, cast

__all__ = ["read_ahead"]

T = TypeVar("T")


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of ``items`` in their order, each next one made in a thread while the caller
    works on the current one (one item ahead, no more: memory stays two batches).

    An exception raised while making an item is raised here, at that item. When the caller
    stops early, the item being made is finished and dropped, and ``items`` is not resumed.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="otklik-read-ahead") as pool:
        done = object()
        pending = pool.submit(next, items, done)
        while (item := pending.result()) is not done:
            pending = pool.submit(next, items, done)
            yield cast(T, item)
