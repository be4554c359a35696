"""Build the shipped sentiment models (``src/otklik/classify/data/sentiment-<lang>.npz``).

Trains on ``ru_public_sentiment/train.csv`` (Russian) or ``en_train.csv`` (English), made by
``benchmarks/prepare_ru_sentiment.py``, and records the scores on that folder's test files in
the model. Then writes ``data/auto.json``: per language, the rules and the shipped model scored
on the same public test sets and on the hand-labelled comments (``tests/data/comments_<lang>``,
and the held-out ``comments_<lang>_heldout``), and the method with the highest mean macro-F1 over
those sets, which ``auto`` uses. SentiRuEval
is never read here. Usage::

    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment [ru en]
    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment --choose-only
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify.evaluate import score
from otklik.classify.pretrained import ShippedModel, fit_shipped, hybrid_pick
from otklik.classify.rules import default_rules

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "otklik" / "classify" / "data"
SETS = {
    "ru": ("train.csv", {"cedr": "test_cedr.csv", "goemotions_ru": "test_goemotions.csv"}),
    "en": ("en_train.csv", {"goemotions_en": "en_test.csv"}),
}
SOURCE = {
    "ru": "CEDR main train (Apache-2.0) + ru-goemotions validation (GoEmotions Apache-2.0; "
    "translation MIT); see docs/models.md",
    "en": "GoEmotions validation (Apache-2.0); see docs/models.md",
}


def read(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def read_comments(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["sentiment"] for r in rows]


def choose(folder: Path, languages: list[str]) -> None:
    """Write ``data/auto.json`` from the rules and the shipped models on the same sets."""
    rules = default_rules()
    choices: dict[str, dict[str, object]] = {}
    for language in languages:
        model = ShippedModel.load(OUT / f"sentiment-{language}.npz")
        sets = {name: read(folder / file) for name, file in SETS[language][1].items()}
        for suffix in ("", "_heldout"):
            name = f"comments_{language}{suffix}"
            sets[name] = read_comments(ROOT / "tests" / "data" / f"{name}.csv")
        scores: dict[str, dict[str, object]] = {"rules": {}, "shipped": {}, "hybrid": {}}
        for name, (texts, truth) in sets.items():
            analyses = [rules.analyse(t, language=language) for t in texts]
            proba = model.predict_proba(texts)
            picks = [(str(model.classes[int(p.argmax())]), float(p.max())) for p in proba]
            scores["rules"][name] = score(truth, [a.sentiment for a in analyses])
            scores["shipped"][name] = score(truth, [label for label, _ in picks])
            hybrid = [
                hybrid_pick(a.sentiment, a.sentiment_confidence, pick)[0]
                for a, pick in zip(analyses, picks, strict=True)
            ]
            scores["hybrid"][name] = score(truth, hybrid)
        mean = {
            method: round(sum(s["macro_f1"] for s in found.values()) / len(found), 4)  # type: ignore[index,misc]
            for method, found in scores.items()
        }
        best = max(mean, key=lambda m: (mean[m], m == "rules"))
        choices[language] = {"method": best, "mean_macro_f1": mean, "scores": scores}
        print(language, best, mean)
    path = OUT / "auto.json"
    path.write_text(
        json.dumps({"sentiment": choices}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def main(folder: Path, languages: list[str]) -> None:
    for language in languages:
        train, tests = SETS[language]
        texts, labels = read(folder / train)
        model = fit_shipped(
            texts, labels, language=language, target="sentiment", source=SOURCE[language]
        )
        for name, file in tests.items():
            (truth,) = [read(folder / file)]
            predicted = [str(p) for p in model.predict(truth[0])]
            model.scores[name] = {
                "n": len(predicted),
                "accuracy": round(float(accuracy_score(truth[1], predicted)), 4),
                "macro_f1": round(float(f1_score(truth[1], predicted, average="macro")), 4),
                "macro_f1_pos_neg": round(
                    float(
                        f1_score(
                            truth[1], predicted, labels=["positive", "negative"], average="macro"
                        )
                    ),
                    4,
                ),
            }
        path = OUT / f"sentiment-{language}.npz"
        model.save(path)
        print(language, path.stat().st_size, model.scores)


if __name__ == "__main__":
    chosen = [a for a in sys.argv[2:] if not a.startswith("--")] or ["ru", "en"]
    if "--choose-only" not in sys.argv:
        main(Path(sys.argv[1]), chosen)
    choose(Path(sys.argv[1]), chosen)
