"""The rules classifier on real labelled reviews, the PII corpus, and `otklik classify` speed.

Sentiment by the shipped taxonomy's keyword rules alone (no training, no score), against:

* SentiRuEval-2015 (Russian restaurant and car reviews): the review-level "Whole" sentiment;
* IndoNLU SmSA (Indonesian): the 500-text test split;
* ElSahar & El-Beltagy 2015 (Arabic): product reviews (PROD.csv);
* NPS verbatims (English): the comment against its NPS class (detractor → negative,
  passive → neutral, promoter → positive), i.e. "does the text alone say what the score says".

Plus language detection on the same texts, the PII corpus (recall, false positives, and how
often a random bare 10-digit number passes the INN checksum), and the throughput of
``classify_and_route`` on a demo store.

    python benchmarks/bench_classify_rules.py [--rows 50000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify import default_rules, find_pii
from otklik.ledger import make_engine, upgrade
from otklik.routing import classify_and_route

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["negative", "neutral", "positive"]


def sentirueval(data: Path) -> tuple[str, list[str], list[str]]:
    texts, labels = [], []
    with (data / "ru_sentirueval2015_absa_reviews" / "reviews.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["cat_Whole"] in LABELS:  # "both" and "absence" have no single answer
                texts.append(row["text"])
                labels.append(row["cat_Whole"])
    return "ru", texts, labels


def smsa(data: Path) -> tuple[str, list[str], list[str]]:
    texts, labels = [], []
    path = data / "id_indonlu_smsa" / "test_preprocess.tsv"
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(row[0])
            labels.append(row[1])
    return "id", texts, labels


def arabic(data: Path) -> tuple[str, list[str], list[str]]:
    names = {"1": "positive", "0": "neutral", "-1": "negative"}
    texts, labels = [], []
    with (data / "ar_elsahar2015_reviews" / "PROD.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts.append(row["text"])
            labels.append(names[row["polarity"].strip()])
    return "ar", texts, labels


def nps_verbatims(data: Path) -> tuple[str, list[str], list[str]]:
    names = {"Detractor": "negative", "Passive": "neutral", "Promoter": "positive"}
    texts, labels = [], []
    with (data / "nps_verbatims_textsummary" / "verbatim.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["NPS_RATING"] in names and row["text"].strip():
                texts.append(row["text"])
                labels.append(names[row["NPS_RATING"]])
    return "en", texts, labels


def _majority(labels: list[str]) -> float:
    return Counter(labels).most_common(1)[0][1] / len(labels)


def sentiment_table(data: Path) -> list[dict[str, object]]:
    rules = default_rules()
    results = []
    for name, loader in (
        ("SentiRuEval-2015 reviews (ru)", sentirueval),
        ("IndoNLU SmSA test (id)", smsa),
        ("ElSahar PROD reviews (ar)", arabic),
        ("NPS verbatims, text vs class (en)", nps_verbatims),
    ):
        language, texts, labels = loader(data)
        started = time.perf_counter()
        found = [rules.analyse(text) for text in texts]
        seconds = time.perf_counter() - started
        predicted = [a.sentiment for a in found]
        detected = sum(1 for a in found if a.language == language) / len(found)
        results.append(
            {
                "dataset": name,
                "n": len(texts),
                "classes": dict(Counter(labels)),
                "accuracy": round(accuracy_score(labels, predicted), 3),
                "macro_f1": round(f1_score(labels, predicted, average="macro", labels=LABELS), 3),
                "majority_baseline": round(_majority(labels), 3),
                "language_detected": round(detected, 3),
                "texts_per_second": round(len(texts) / seconds),
                "predicted": dict(Counter(predicted)),
            }
        )
    return results


def pii_figures() -> dict[str, object]:
    rows = [
        json.loads(line)
        for line in (ROOT / "tests" / "data" / "pii_corpus.jsonl").read_text("utf-8").splitlines()
    ]
    expected = found = false_positives = 0
    for row in rows:
        text = row["text"]
        matches = find_pii(text)
        spans = []
        for pii in row["pii"]:
            start = text.index(pii["value"])
            spans.append((start, start + len(pii["value"])))
            expected += 1
            found += any(m.start <= start and start + len(pii["value"]) <= m.end for m in matches)
        false_positives += sum(
            1 for m in matches if not any(m.start < e and s < m.end for s, e in spans)
        )
    rng = random.Random(7)
    bare = [str(rng.randint(10**9, 10**10 - 1)) for _ in range(2000)]
    masked = sum(1 for number in bare if find_pii(f"в сообщении было {number} и всё"))
    return {
        "texts": len(rows),
        "decoys": sum(1 for row in rows if not row["pii"]),
        "pieces": expected,
        "recall": round(found / expected, 3),
        "false_positives": false_positives,
        "bare_10_digit_numbers_masked": f"{masked}/{len(bare)}",
    }


def classify_speed(rows: int) -> dict[str, object]:
    from otklik.demo import generate, load_demo

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        load_demo(engine, generate(rows=rows))
        started = time.perf_counter()
        report = classify_and_route(engine)
        seconds = time.perf_counter() - started
        engine.dispose()
    return {
        "items": report.classify.classified,
        "seconds": round(seconds, 1),
        "items_per_second": round(report.classify.classified / seconds),
        "cases_opened": report.cases_opened,
        "by_type": dict(report.classify.by_type.most_common()),
        "by_language": dict(report.classify.by_language.most_common()),
    }


def _print(title: str, rows: Iterable[dict[str, object]]) -> None:
    print(f"\n## {title}")
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    _print("Sentiment by rules", sentiment_table(args.data))
    _print("PII corpus", [pii_figures()])
    _print("otklik classify on a demo store (SQLite)", [classify_speed(args.rows)])


if __name__ == "__main__":
    main()
