"""The written Russian tweets (tests/data/tweets_*_ru.csv) the shipped model trains on: well-formed
and without repeated texts, so the held-out fifth is really unseen."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold().replace("ё", "е")).strip()


@pytest.mark.parametrize("name", ["tweets_banks_ru", "tweets_telecom_ru"])
def test_written_tweets_are_labelled_and_distinct(name: str) -> None:
    rows = _rows(name)
    assert len(rows) >= 500
    assert {r["sentiment"] for r in rows} == {"negative", "neutral", "positive"}
    assert all(r["text"].strip() and r["company"].strip() for r in rows)
    keys = [_key(r["text"]) for r in rows]
    assert len(set(keys)) == len(keys)


def test_the_two_files_share_no_text() -> None:
    banks = {_key(r["text"]) for r in _rows("tweets_banks_ru")}
    telecom = {_key(r["text"]) for r in _rows("tweets_telecom_ru")}
    assert not banks & telecom
