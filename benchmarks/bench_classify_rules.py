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
    python benchmarks/bench_classify_rules.py --ru-items 100000 --only-throughput

``--ru-items N`` (issue 16): ``otklik classify --all`` (classify_and_route, reclassify) on N
Russian items in a fresh SQLite store, next to a baseline measured in the same run: plain keyword
tagging in pandas (read the texts with ``read_sql``, lower-case, ``str.findall`` of one regex of
every Russian keyword's written and normal forms, labels written back with ``to_sql``) and the
same tagging as a plain Python loop. The items are sentences of the SentiRuEval-2015 reviews and
the hand-written Russian comments of tests/data, one to three per item (fixed seed), each with a
0–10 score; it prints the mean text length and the load average before and after, and items per
second of wall time and of this process's CPU time (the latter less sensitive to other jobs).
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

from otklik.classify import default_rules, find_pii, processes_for
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


def russian_items(data: Path, count: int, seed: int = 16) -> list[tuple[str, int, str]]:
    """``count`` Russian items (external id, score 0–10, text): 1–3 sentences each."""
    import re

    sentences: list[str] = []
    with (data / "ru_sentirueval2015_absa_reviews" / "reviews.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for sentence in re.split(r"(?<=[.!?…])\s+", row["text"]):
                if 10 <= len(sentence.strip()) <= 300:
                    sentences.append(sentence.strip())
    with (ROOT / "tests" / "data" / "comments_ru.csv").open(encoding="utf-8") as f:
        sentences += [row["text"] for row in csv.DictReader(f)]
    rng = random.Random(seed)
    return [
        (
            f"r{i}",
            rng.randint(0, 10),
            " ".join(rng.choice(sentences) for _ in range(rng.choice((1, 1, 2, 3)))),
        )
        for i in range(count)
    ]


def _keyword_forms() -> dict[str, set[str]]:
    """Every Russian one-word keyword of the shipped rules, written and normal forms → the
    labels it gives (``kind:label``): what the baselines tag with."""
    from otklik.classify.text import tokenize

    rules = default_rules()
    forms: dict[str, set[str]] = {}
    for spec, kind, label in rules._specs():
        for keyword in spec.keywords.get("ru", []):
            words = [t for t in tokenize(keyword.strip().rstrip("*"), "ru") if not t.boundary]
            if len(words) == 1:
                for form in {words[0].surface, words[0].norm}:
                    forms.setdefault(form, set()).add(f"{kind}:{label}")
    return forms


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # not Linux
        return "n/a"


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (the classify workers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def russian_throughput(data: Path, count: int, processes: int = 0) -> dict[str, object]:
    """otklik classify --all on ``count`` Russian items vs plain keyword tagging, same run.

    ``processes`` as ``otklik classify --processes`` (0, the CLI's default: auto)."""
    import re

    import pandas as pd
    from sqlalchemy import text as sql

    from otklik.ingest import import_file

    items = russian_items(data, count)
    result: dict[str, object] = {
        "items": count,
        "mean_text_chars": round(sum(len(t) for _i, _s, t in items) / count),
        "load_before": _loadavg(),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "date", "score", "comment"])
            for number, (external, score, text) in enumerate(items):
                writer.writerow([external, f"2025-{1 + number % 12:02d}-01 10:00", score, text])
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        import_file(engine, path, kind="survey", source="bench")

        # baseline 1: pandas — read, tag with one regex, write back
        forms = _keyword_forms()
        pattern = re.compile(
            r"\b(?:" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + r")\b"
        )
        started, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_sql("SELECT id, text FROM feedback_items", engine)
        found = frame["text"].fillna("").str.lower().str.findall(pattern)
        frame["tags"] = found.map(
            lambda words: json.dumps(sorted({tag for w in words for tag in forms[w]}))
        )
        frame[["id", "tags"]].to_sql("baseline_tags", engine, if_exists="replace", index=False)
        pandas_seconds = time.perf_counter() - started
        pandas_cpu = time.process_time() - cpu

        # baseline 2: a plain Python loop over the same keywords
        started, cpu = time.perf_counter(), time.process_time()
        with engine.connect() as conn:
            rows = conn.execute(sql("SELECT id, text FROM feedback_items")).all()
        tagged = []
        words = re.compile(r"\w+")
        for item_id, item_text in rows:
            tags = {
                tag for w in words.findall((item_text or "").lower()) for tag in forms.get(w, ())
            }
            tagged.append({"id": item_id, "tags": json.dumps(sorted(tags))})
        with engine.begin() as conn:
            conn.execute(sql("CREATE TABLE loop_tags (id INTEGER, tags TEXT)"))
            conn.execute(sql("INSERT INTO loop_tags VALUES (:id, :tags)"), tagged)
        loop_seconds = time.perf_counter() - started
        loop_cpu = time.process_time() - cpu

        # otklik classify --all: rules, the shipped model where auto picks it, routing
        started, cpu = time.perf_counter(), _cpu()
        report = classify_and_route(engine, reclassify=True, processes=processes)
        seconds = time.perf_counter() - started
        otklik_cpu = _cpu() - cpu
        engine.dispose()
    result.update(
        {
            "otklik_seconds": round(seconds, 1),
            "otklik_items_per_second": round(count / seconds),
            "otklik_processes": processes_for(processes, count),
            "otklik_classify_only_items_per_second": round(report.classify.per_second),
            "by_method": dict(report.classify.by_method),
            "cases_opened": report.cases_opened,
            "pandas_keyword_tagging_items_per_second": round(count / pandas_seconds),
            "python_loop_tagging_items_per_second": round(count / loop_seconds),
            # CPU seconds of this process (and of its classify workers): less sensitive than
            # wall time to other jobs' load
            "otklik_cpu_items_per_second": round(count / otklik_cpu),
            "pandas_cpu_items_per_second": round(count / pandas_cpu),
            "python_loop_cpu_items_per_second": round(count / loop_cpu),
            "load_after": _loadavg(),
        }
    )
    return result


def _print(title: str, rows: Iterable[dict[str, object]]) -> None:
    print(f"\n## {title}")
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--ru-items", type=int, default=0, help="issue 16: classify throughput")
    parser.add_argument("--only-throughput", action="store_true")
    parser.add_argument(
        "--processes", type=int, default=0, help="as otklik classify --processes (0: auto)"
    )
    args = parser.parse_args()
    if args.ru_items:  # first, in a fresh process: caches cold as in `otklik classify --all`
        _print(
            f"otklik classify --all on {args.ru_items:,} Russian items vs keyword tagging",
            [russian_throughput(args.data, args.ru_items, args.processes)],
        )
    if args.only_throughput:
        return
    _print("Sentiment by rules", sentiment_table(args.data))
    _print("PII corpus", [pii_figures()])
    _print("otklik classify on a demo store (SQLite)", [classify_speed(args.rows)])


if __name__ == "__main__":
    main()
