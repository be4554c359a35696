"""Pillar tagging measured on the labelled set (tests/data/pillars_{ru,en}.csv): precision and
recall per pillar of the shipped rules; docs/ex.md reports the figures this test computes."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from otklik.classify import default_rules
from otklik.pillars import PILLARS

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows() -> list[tuple[str, str, set[str]]]:
    rows = []
    for lang in ("ru", "en"):
        with (DATA / f"pillars_{lang}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append((lang, row["text"], set(row["pillars"].split(";"))))
    return rows


def scores() -> dict[str, tuple[float, float]]:
    rules = default_rules()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for lang, text, gold in _rows():
        got = set(rules.analyse(text, language=lang).pillars)
        for pillar in PILLARS:
            tp[pillar] += pillar in got and pillar in gold
            fp[pillar] += pillar in got and pillar not in gold
            fn[pillar] += pillar in gold and pillar not in got
    return {p: (tp[p] / max(1, tp[p] + fp[p]), tp[p] / max(1, tp[p] + fn[p])) for p in PILLARS}


def test_the_labelled_set_is_large_enough() -> None:
    rows = _rows()
    assert len(rows) >= 120
    per_pillar = Counter(p for _, _, gold in rows for p in gold)
    assert set(per_pillar) == set(PILLARS)
    assert min(per_pillar.values()) >= 20
    assert {lang for lang, _, _ in rows} == {"ru", "en"}


@pytest.mark.parametrize("pillar", PILLARS)
def test_precision_and_recall_per_pillar(pillar: str) -> None:
    precision, recall = scores()[pillar]
    assert precision >= 0.85, (pillar, precision)
    assert recall >= 0.85, (pillar, recall)
