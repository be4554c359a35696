"""Build the Russian sentiment CSVs used to train and check the shipped model.

Inputs are the original files, unchanged (see docs/models.md for origin and licence):

- CEDR (Sboev et al. 2021, Apache-2.0): ``cedr-main-train.csv``, ``cedr-main-test.csv``;
- ru-goemotions (GoEmotions, Apache-2.0, machine-translated, MIT): the simplified
  ``validation`` and ``test`` CSVs;
- SentiRuEval-2016 (banks, telecom) test etalons and the SentiRuEval-2015 subtask-2 files
  (the 2016 training collection is the 2015 train + test) — RESERVED for independent checking.

Emotions are mapped to sentiment: CEDR joy → positive; sadness, fear, anger → negative; no
emotion → neutral; surprise is left out. GoEmotions follows its authors' sentiment grouping;
"ambiguous" emotions and rows that mix positive and negative are left out.

Usage: ``python benchmarks/prepare_ru_sentiment.py ../shared/data`` reads the originals from
``ru_public_sentiment/raw`` and ``ru_sentirueval2016_tweets/raw`` under that folder and writes the
CSVs next to them.
"""

from __future__ import annotations

import csv
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

POSITIVE = {
    "admiration", "amusement", "approval", "caring", "desire", "excitement", "gratitude",
    "joy", "love", "optimism", "pride", "relief",
}  # fmt: skip
NEGATIVE = {
    "anger", "annoyance", "disappointment", "disapproval", "disgust", "embarrassment", "fear",
    "grief", "nervousness", "remorse", "sadness",
}  # fmt: skip
GO_IDS = [
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion",
    "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
    "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism",
    "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
]  # fmt: skip
CEDR = {0: "positive", 1: "negative", 3: "negative", 4: "negative"}  # 2 = surprise: left out


def _ids(cell: str) -> list[int]:
    """``[1 2]``, ``[1, 2]`` or ``[]`` as a list of ints."""
    return [int(n) for n in re.findall(r"\d+", cell)]


def _cedr(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ids = _ids(row["labels"])
            if not ids:
                label = "neutral"
            else:
                found = {CEDR.get(i) for i in ids}
                if None in found or len(found) != 1:
                    continue
                label = found.pop()  # type: ignore[assignment]
            rows.append((row["text"].strip(), label, "cedr:" + row["source"]))
    return rows


def _goemotions(path: Path, column: str) -> list[tuple[str, str, str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names = {GO_IDS[i] for i in _ids(row["labels"])}
            if names == {"neutral"}:
                label = "neutral"
            elif names and names <= POSITIVE:
                label = "positive"
            elif names and names <= NEGATIVE:
                label = "negative"
            else:
                continue
            rows.append((row[column].strip(), label, "goemotions"))
    return rows


def _tweets(path: Path) -> list[tuple[str, str, str]]:
    """(text, label, date) of tweets whose company labels agree; mixed or unlabelled: left out."""
    rows = []
    names = {"-1": "negative", "0": "neutral", "1": "positive"}
    for table in ET.parse(path).getroot().iter("table"):
        cells = {c.get("name"): (c.text or "") for c in table.iter("column")}
        if "text" not in cells:
            continue
        values = {
            v.strip() for k, v in cells.items() if k not in ("id", "twitid", "date", "text")
        } - {"NULL", ""}
        if len(values) != 1 or next(iter(values)) not in names:
            continue
        rows.append((cells["text"].strip(), names[values.pop()], cells["date"]))
    return rows


def _write(path: Path, rows: list[tuple[str, str, str]], third: str = "source") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", third])
        writer.writerows(r for r in rows if r[0])
    print(path, len(rows))


class _Sources:
    """Finds an original file in any of the raw folders."""

    def __init__(self, *folders: Path) -> None:
        self.folders = folders

    def __truediv__(self, name: str) -> Path:
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        raise FileNotFoundError(name)


def main(out: Path) -> None:
    src = _Sources(out / "ru_public_sentiment" / "raw", out / "ru_sentirueval2016_tweets" / "raw")
    public = out / "ru_public_sentiment"
    _write(
        public / "train.csv",
        _cedr(src / "cedr-main-train.csv")
        + _goemotions(src / "ru-go-emotions-simplified-validation.csv", "ru_text"),
    )
    _write(public / "test_cedr.csv", _cedr(src / "cedr-main-test.csv"))
    _write(
        public / "test_goemotions.csv",
        _goemotions(src / "ru-go-emotions-simplified-test.csv", "ru_text"),
    )
    _write(
        public / "en_train.csv",
        _goemotions(src / "ru-go-emotions-simplified-validation.csv", "text"),
    )
    _write(public / "en_test.csv", _goemotions(src / "ru-go-emotions-simplified-test.csv", "text"))
    tweets = out / "ru_sentirueval2016_tweets"
    for domain, test, old in (("banks", "banks", "banks"), ("telecom", "tkk", "telecoms")):
        _write(tweets / f"{domain}_test.csv", _tweets(src / f"{test}_test_etalon.xml"), "date")
        _write(
            tweets / f"{domain}_train.csv",
            _tweets(src / f"sre2015_{old}_train.xml")
            + _tweets(src / f"sre2015_{old}_test_etalon.xml"),
            "date",
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
