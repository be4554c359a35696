"""Sentiment that follows the type (otklik.classify.coherence): ``auto``'s sentiment on labelled
sets as it was, and three ways of letting the type speak, side by side.

* ``alone``: the sentiment as ``auto`` reads it, the type left aside (before 2026-12-03);
* ``silent`` (shipped): a ``neutral`` sentiment takes the polarity of a complaint (negative) or
  of praise (positive);
* ``never-pos``: ``silent``, and a complaint is never positive;
* ``type``: a complaint is always negative and praise always positive.

The type is ``auto``'s (the rules, and the shipped type model where ``auto`` lets it speak), as
``otklik classify`` stores it. Sets: every labelled comment set of ``tests/data`` (their
sentiment is fixed by the type by construction, which favours the last two variants), the
written bank and telecom tweets (``tests/data/tweets_*_ru.csv``: labelled on their own), and
public review and survey sets under ``--data``: SentiRuEval-2015 reviews, IndoNLU SmSA test,
ElSahar & El-Beltagy Arabic product reviews, NPS verbatims. Prints accuracy / macro-F1(pos,
neg) per set, and the share of right answers over all the sets of each group.

    python benchmarks/bench_sentiment_of_type.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path

from otklik.classify import default_rules
from otklik.classify.evaluation import score
from otklik.classify.pretrained import preferred_method, ready_pick, shipped_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_classify_rules import arabic, nps_verbatims, sentirueval, smsa  # noqa: E402
from train_shipped import read_tweets  # noqa: E402

LANGUAGES = ("ru", "en", "id", "es", "ar")
POLARITY = {"complaint": "negative", "praise": "positive"}


def _silent(type_: str, sentiment: str) -> str:
    return POLARITY[type_] if sentiment == "neutral" and type_ in POLARITY else sentiment


def _never_positive(type_: str, sentiment: str) -> str:
    found = _silent(type_, sentiment)
    return "negative" if type_ == "complaint" and found == "positive" else found


VARIANTS: dict[str, Callable[[str, str], str]] = {
    "alone": lambda _type, sentiment: sentiment,
    "silent": _silent,
    "never-pos": _never_positive,
    "type": lambda type_, sentiment: POLARITY.get(type_, sentiment),
}


def auto_answers(texts: list[str], language: str) -> tuple[list[str], list[str]]:
    """(type, sentiment) of each text as ``auto`` reads them, each on its own."""
    rules = default_rules()
    found = [rules.analyse(text, language=language) for text in texts]
    answers: dict[str, list[str]] = {}
    for target in ("type", "sentiment"):
        said = [getattr(a, target) for a in found]
        sure = [getattr(a, f"{target}_confidence") for a in found]
        model = shipped_model(target, language)
        if model is None or preferred_method(target, language) == "rules":
            answers[target] = said
            continue
        proba = model.predict_proba(texts)
        answers[target] = [
            ready_pick(
                target,
                language,
                s,
                c,
                (str(model.classes[int(row.argmax())]), float(row.max())),
                target == "type" and a.type_turned,
                rules_settled=a.settled,
            )[0]
            for s, c, row, a in zip(said, sure, proba, found, strict=True)
        ]
    return answers["type"], answers["sentiment"]


def comment_sets() -> list[tuple[str, str, list[str], list[str]]]:
    sets = []
    for language in LANGUAGES:
        paths = sorted((ROOT / "tests" / "data").glob("comments_*.csv"))
        for path in paths:
            stem = path.stem
            if not (stem.endswith(f"_{language}") or f"_{language}_" in stem):
                continue
            with path.open(encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            if rows and {"type", "sentiment"} <= set(rows[0]):
                texts = [row["text"] for row in rows]
                sets.append((stem, language, texts, [row["sentiment"] for row in rows]))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    groups: dict[str, list[tuple[str, str, list[str], list[str]]]] = {
        "comments (tests/data)": comment_sets(),
        "written tweets": [
            ("tweets_ru_heldout", "ru", *read_tweets("ru", heldout=True)),
            ("tweets_ru_rest", "ru", *read_tweets("ru", heldout=False)),
        ],
        "public reviews and surveys": [
            (name, *loader(args.data))
            for name, loader in (
                ("sentirueval2015_reviews", sentirueval),
                ("smsa_test", smsa),
                ("elsahar_prod", arabic),
                ("nps_verbatims", nps_verbatims),
            )
        ],
    }
    print("| set | n | " + " | ".join(VARIANTS) + " |")
    print("| --- | ---: |" + " ---: |" * len(VARIANTS))
    for group, sets in groups.items():
        right = dict.fromkeys(VARIANTS, 0)
        total = 0
        for name, language, texts, gold in sets:
            types, sentiments = auto_answers(texts, language)
            cells = []
            for variant, follow in VARIANTS.items():
                predicted = [follow(t, s) for t, s in zip(types, sentiments, strict=True)]
                found = score(gold, predicted)
                right[variant] += sum(p == g for p, g in zip(predicted, gold, strict=True))
                cells.append(f"{found['accuracy']:.3f} / {found['macro_f1_pos_neg']:.3f}")
            total += len(gold)
            print(f"| {name} | {len(gold)} | " + " | ".join(cells) + " |")
        shares = " | ".join(f"**{right[v] / total:.3f}**" for v in VARIANTS)
        print(f"| **{group}**, share right | {total} | {shares} |")


if __name__ == "__main__":
    main()
