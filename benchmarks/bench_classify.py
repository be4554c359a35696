"""Trained-classifier accuracy and speed on the shared labelled datasets.

Every figure comes from the evaluation harness (:func:`otklik.classify.evaluate`, the function
behind ``otklik model eval``): files that are not a plain CSV with a header (CLINC150's JSON,
IndoNLU's header-less TSV, the Arabic sets without a split, the Russian reviews' ``split``
column) are first written as CSV files into a temporary folder. CLINC150's out-of-scope
detection by a probability threshold needs the probabilities, so that one protocol calls
:class:`~otklik.classify.model.TextClassifier` directly.

    python benchmarks/bench_classify.py                       # everything, tfidf and auto
    python benchmarks/bench_classify.py --datasets banking77 --methods tfidf --seeds 0 1 2
    python benchmarks/bench_classify.py --out results.jsonl   # also keep the raw results

Datasets: banking77 (full and 10-shot), clinc150 (oos as a class; oos by threshold),
id_smsa, ar_prod, ar_res, ru_reviews. Use one core-hungry run at a time on a shared machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from otklik.classify.evaluation import evaluate
from otklik.classify.model import TextClassifier

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OOS = "oos"

Rows = list[tuple[str, str]]


def _write(path: Path, rows: Rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def _read_csv(path: Path, text: str, label: str) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row[text], row[label]) for row in csv.DictReader(handle) if row[label]]


def _split(rows: Rows, test_size: float = 0.2, seed: int = 0) -> tuple[Rows, Rows]:
    from sklearn.model_selection import train_test_split

    labels = [label for _, label in rows]
    train, test = train_test_split(rows, test_size=test_size, stratify=labels, random_state=seed)
    return list(train), list(test)


def _banking77(folder: Path) -> tuple[Path, Path]:
    return SHARED / "banking77" / "train.csv", SHARED / "banking77" / "test.csv"


def _clinc(folder: Path) -> dict[str, Rows]:
    data = json.loads((SHARED / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    return {key: [(text, label) for text, label in value] for key, value in data.items()}


def _smsa(folder: Path) -> tuple[Path, Path]:
    out = []
    for split in ("train", "test"):
        source = SHARED / "id_indonlu_smsa" / f"{split}_preprocess.tsv"
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows = [(r[0], r[1]) for r in reader]
        out.append(_write(folder / f"smsa_{split}.csv", rows))
    return out[0], out[1]


def _arabic(folder: Path, files: Sequence[str], name: str) -> tuple[Path, Path]:
    rows: Rows = []
    for file in files:
        rows += _read_csv(SHARED / "ar_elsahar2015_reviews" / file, "text", "polarity")
    train, test = _split(rows)
    return _write(folder / f"{name}_train.csv", train), _write(folder / f"{name}_test.csv", test)


def _ru(folder: Path) -> tuple[Path, Path]:
    source = SHARED / "ru_sentirueval2015_absa_reviews" / "reviews.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for split in ("train", "test"):
        chosen = [(r["text"], r["cat_Whole"]) for r in rows if r["split"] == split]
        out.append(_write(folder / f"ru_{split}.csv", chosen))
    return out[0], out[1]


def _harness(
    name: str, train: Path, test: Path, method: str, label: str, **kwargs: Any
) -> dict[str, Any]:
    result = evaluate(train, test, text_column="text", label_column=label, method=method, **kwargs)
    shown = {key: value for key, value in kwargs.items() if key != "predictions"}
    return {"dataset": name, "requested": method, **shown, **result}


def throughput(train: Path, test: Path, method: str, repeats: int) -> dict[str, Any]:
    """Prediction speed on a shared machine: the median of several passes over the test set."""
    texts, labels = zip(*_read_csv(train, "text", "category"), strict=True)
    probe = [text for text, _ in _read_csv(test, "text", "category")]
    model = TextClassifier(method=method).fit(list(texts), list(labels))
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.predict(probe)
        rates.append(len(probe) / (time.perf_counter() - started))
    return {
        "dataset": "banking77 throughput",
        "requested": method,
        "method": model.method_,
        "n_test": len(probe),
        "repeats": repeats,
        "predict_per_second_median": round(statistics.median(rates), 1),
        "predict_per_second_min": round(min(rates), 1),
    }


def run_banking77(folder: Path, methods: Sequence[str], seeds: Sequence[int]) -> Iterator[dict]:
    train, test = _banking77(folder)
    for method in methods:
        yield _harness("banking77 full", train, test, method, "category")
        if method == "tfidf":
            yield throughput(train, test, method, repeats=7)
        shots = [
            _harness("banking77 10-shot", train, test, method, "category", few_shot=10, seed=s)
            for s in seeds
        ]
        yield from shots
        accuracies = [r["accuracy"] for r in shots]
        yield {
            "dataset": "banking77 10-shot (mean of seeds)",
            "requested": method,
            "method": shots[0]["method"],
            "seeds": list(seeds),
            "accuracy": round(statistics.mean(accuracies), 4),
            "accuracy_sd": round(statistics.stdev(accuracies), 4) if len(seeds) > 1 else 0.0,
            "macro_f1": round(statistics.mean(r["macro_f1"] for r in shots), 4),
        }


def _oos_scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    inscope = [p == t for t, p in zip(truth, predicted, strict=True) if t != OOS]
    oos = [p == OOS for t, p in zip(truth, predicted, strict=True) if t == OOS]
    return {
        "inscope_accuracy": round(sum(inscope) / len(inscope), 4),
        "oos_recall": round(sum(oos) / len(oos), 4),
        "n_inscope": len(inscope),
        "n_oos": len(oos),
    }


def run_clinc(folder: Path, methods: Sequence[str]) -> Iterator[dict]:
    data = _clinc(folder)
    test = data["test"] + data["oos_test"]
    test_csv = _write(folder / "clinc_test.csv", test)
    train_csv = _write(folder / "clinc_train_oos.csv", data["train"] + data["oos_train"])
    for method in methods:
        # oos-train: out-of-scope is a 151st class learnt from oos_train.
        predictions = folder / "clinc_predictions.csv"
        result = _harness(
            "clinc150 oos-train", train_csv, test_csv, method, "label", predictions=predictions
        )
        predicted = [label for _, label in _read_csv(predictions, "text", "predicted")]
        yield {**result, **_oos_scores([label for _, label in test], predicted)}
        yield from _clinc_threshold(data, method)


def _clinc_threshold(data: dict[str, Rows], method: str) -> Iterator[dict[str, Any]]:
    """oos-threshold: train on the 150 intents only; a query whose top probability is below the
    threshold is out of scope. The threshold is chosen on the validation split (3,000 in-scope
    and 100 oos queries) two ways: the best mean of in-scope accuracy and oos recall
    ("balanced"), and the best plain accuracy with oos as a class ("accuracy")."""
    texts, labels = zip(*data["train"], strict=True)
    started = time.perf_counter()
    model = TextClassifier(method=method).fit(list(texts), list(labels))
    fit_seconds = time.perf_counter() - started

    def scored(rows: Rows) -> tuple[list[str], np.ndarray, np.ndarray]:
        proba = model.predict_proba([text for text, _ in rows])
        return [label for _, label in rows], model.classes_[proba.argmax(1)], proba.max(1)

    val_truth, val_top, val_p = scored(data["val"] + data["oos_val"])
    best = {"balanced": (-1.0, 0.0), "accuracy": (-1.0, 0.0)}
    for threshold in np.unique(np.round(val_p, 3)):
        predicted = _apply(val_top, val_p, float(threshold))
        s = _oos_scores(val_truth, predicted)
        balanced = (s["inscope_accuracy"] + s["oos_recall"]) / 2
        accuracy = float(np.mean(np.asarray(predicted) == np.asarray(val_truth)))
        best["balanced"] = max(best["balanced"], (balanced, float(threshold)))
        best["accuracy"] = max(best["accuracy"], (accuracy, float(threshold)))
    rows = data["test"] + data["oos_test"]
    started = time.perf_counter()
    truth, top, p = scored(rows)
    predict_seconds = time.perf_counter() - started
    for criterion, (_, threshold) in best.items():
        predicted = _apply(top, p, threshold)
        yield {
            "dataset": f"clinc150 oos-threshold ({criterion})",
            "requested": method,
            "method": model.method_,
            "threshold": threshold,
            "accuracy": round(float(np.mean(np.asarray(predicted) == np.asarray(truth))), 4),
            **_oos_scores(truth, predicted),
            "n_train": len(texts),
            "n_test": len(rows),
            "fit_seconds": round(fit_seconds, 3),
            "predict_per_second": round(len(rows) / predict_seconds, 1),
        }


def _apply(top: np.ndarray, p: np.ndarray, threshold: float) -> list[str]:
    return [OOS if prob < threshold else str(label) for label, prob in zip(top, p, strict=True)]


def run_files(
    name: str, make: Callable[[Path], tuple[Path, Path]], folder: Path, methods: Sequence[str]
) -> Iterator[dict]:
    train, test = make(folder)
    for method in methods:
        yield _harness(name, train, test, method, "label")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=["banking77", "clinc150", "id_smsa", "ar_prod", "ar_res", "ru_reviews"],
    )
    parser.add_argument("--methods", nargs="+", default=["tfidf", "auto"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", type=Path, help="append every result as a JSON line here")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"no shared datasets at {SHARED}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as tmp:
        folder = Path(tmp)
        runs: dict[str, Callable[[], Iterator[dict]]] = {
            "banking77": lambda: run_banking77(folder, args.methods, args.seeds),
            "clinc150": lambda: run_clinc(folder, args.methods),
            "id_smsa": lambda: run_files("id_smsa", _smsa, folder, args.methods),
            "ar_prod": lambda: run_files(
                "ar_prod", lambda f: _arabic(f, ["PROD.csv"], "prod"), folder, args.methods
            ),
            "ar_res": lambda: run_files(
                "ar_res",
                lambda f: _arabic(f, ["RES1.csv", "RES2.csv"], "res"),
                folder,
                args.methods,
            ),
            "ru_reviews": lambda: run_files("ru_reviews", _ru, folder, args.methods),
        }
        for dataset in args.datasets:
            for result in runs[dataset]():
                line = json.dumps(result, ensure_ascii=False)
                print(line, flush=True)
                if args.out:
                    with args.out.open("a", encoding="utf-8") as handle:
                        handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
