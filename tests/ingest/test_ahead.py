"""read_ahead: the same items in the same order, made one ahead in another thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from otklik.ingest.ahead import read_ahead


def _counted(n: int, made: list[tuple[int, str]]) -> Iterator[int]:
    for value in range(n):
        made.append((value, threading.current_thread().name))
        yield value * value


def test_same_items_in_order_made_in_another_thread() -> None:
    made: list[tuple[int, str]] = []
    assert list(read_ahead(_counted(7, made))) == [0, 1, 4, 9, 16, 25, 36]
    assert [value for value, _ in made] == list(range(7))
    assert {name for _, name in made} != {threading.current_thread().name}


def test_empty() -> None:
    assert list(read_ahead(iter([]))) == []


def test_next_item_is_made_while_the_caller_holds_the_current_one() -> None:
    started = threading.Event()

    def items() -> Iterator[int]:
        yield 1
        started.set()  # runs while the caller still works on item 1
        yield 2

    ahead = read_ahead(items())
    assert next(ahead) == 1
    assert started.wait(timeout=10)
    assert list(ahead) == [2]


def test_error_comes_at_its_item() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("row 3 is broken")

    got: list[int] = []
    with pytest.raises(ValueError, match="row 3 is broken"):
        for item in read_ahead(items()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_makes_at_most_one_more() -> None:
    made: list[tuple[int, str]] = []
    ahead = read_ahead(_counted(100, made))
    assert next(ahead) == 0
    assert next(ahead) == 1
    ahead.close()
    assert [value for value, _ in made] in ([0, 1], [0, 1, 2])
