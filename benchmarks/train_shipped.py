"""Build the shipped sentiment models (``src/otklik/classify/data/sentiment-<lang>.npz``).

Trains on ``ru_public_sentiment/train.csv`` (Russian) or ``en_train.csv`` (English), made by
``benchmarks/prepare_ru_sentiment.py``, and records the scores on that folder's test files in
the model. SentiRuEval is never read here. Usage::

    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment [ru en]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify.pretrained import fit_shipped

OUT = Path(__file__).resolve().parents[1] / "src" / "otklik" / "classify" / "data"
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
    main(Path(sys.argv[1]), sys.argv[2:] or ["ru", "en"])
