"""Build the shipped sentiment models (``src/otklik/classify/data/sentiment-<lang>.npz``).

Trains on ``ru_public_sentiment/train.csv`` (Russian) or ``en_train.csv`` (English), made by
``benchmarks/prepare_ru_sentiment.py``, or on IndoNLU SmSA's ``train_preprocess.tsv``
(Indonesian, ``id_indonlu_smsa``: 11,000 reviews and comments, Apache-2.0), and records the
scores on that folder's test files in the model. Indonesian ``auto`` is chosen on SmSA's
validation split only; its test split (500) is scored into the model (``REPORT``) and never
chosen on. Then writes ``data/auto.json``: per language, the rules and the shipped model scored
on the same public test sets and on hand-labelled comments never trained on (``COMMENTS_CHOOSE``),
and the method with the highest mean macro-F1 over those sets, which ``auto`` uses. The models
also learn from otklik's own hand-written comments (``COMMENTS_TRAIN``, up-weighted) and, in
Russian, from tweets about banks and telecom operators written for otklik (``TWEETS``; a fifth of
them held out for ``auto``'s choice). SentiRuEval is never read here. The feedback-type models
are built by ``benchmarks/train_shipped_type.py``.
Usage::

    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment [ru en]
    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment --choose-only
    python benchmarks/train_shipped.py ../shared/data/id_indonlu_smsa id
    python benchmarks/train_shipped.py ../shared/data/ru_public_sentiment ru en id \
        --folder id=../shared/data/id_indonlu_smsa

The positional folder holds the named languages' files; ``--folder LANG=PATH`` gives one
language its own. Only the named languages' models and ``auto.json`` entries are rewritten.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify.evaluation import score
from otklik.classify.pretrained import ShippedModel, fit_shipped, hybrid_pick
from otklik.classify.rules import default_rules

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "otklik" / "classify" / "data"
SETS = {
    "ru": ("train.csv", {"cedr": "test_cedr.csv", "goemotions_ru": "test_goemotions.csv"}),
    "en": ("en_train.csv", {"goemotions_en": "en_test.csv"}),
    # IndoNLU SmSA (``.tsv``: no header, text and label): ``auto`` is chosen on valid only
    "id": ("train_preprocess.tsv", {"smsa_valid": "valid_preprocess.tsv"}),
}
# Scored into the model when it is built, never used for ``auto``'s choice: SmSA test.
REPORT = {"id": {"smsa_test": "test_preprocess.tsv"}}
SOURCE = {
    "ru": "CEDR main train (Apache-2.0) + ru-goemotions validation (GoEmotions Apache-2.0; "
    "translation MIT) + otklik's hand-written comments (tests/data, x10) + tweets about banks and "
    "telecom operators written for otklik (tests/data/tweets_*_ru.csv, 4/5 of them); "
    "see docs/models.md",
    "en": "GoEmotions validation (Apache-2.0) + otklik's hand-written comments (tests/data, x10); "
    "see docs/models.md",
    "id": "IndoNLU SmSA train (Wilie et al., AACL-IJCNLP 2020; data by Prosa.ai; GitHub "
    "IndoNLP/indonlu commit ce728f6926a36174b9923dfe49d6a6839b6e9bb7, Apache-2.0) + otklik's "
    "hand-written comments (tests/data, x10); see docs/models.md",
}
# otklik's own hand-written customer comments (tests/data) trained on, up-weighted: a few hundred
# next to thousands of public texts, but the only customer-service text with a free licence.
# Chosen among weights 0 / 5 / 10 on the public test sets and the held-out comment sets below.
# Patterns are globs (``tests/data/<pattern>.csv``); ``COMMENTS_TRAIN_MORE`` adds a language's
# own (Indonesian: any ``comments_type_id_train*.csv`` written later is trained on too).
COMMENTS_TRAIN = ("comments_{}", "comments_type_{}")
COMMENTS_TRAIN_MORE = {"id": ("comments_type_{}_train*",)}
COMMENTS_WEIGHT = 10.0
# What ``auto`` is chosen on besides the public test sets: comments never trained on.
# ``comments_type_<lang>_unseen`` is the one set neither the rules nor the model were tuned on;
# the two ``_heldout`` sets were read while the rules were changed (they favour the rules).
COMMENTS_CHOOSE = ("comments_{}_heldout", "comments_type_{}_heldout", "comments_type_{}_unseen")
# Russian tweets about banks and telecom operators written for otklik (tests/data/tweets_ru.md;
# our own data, written by sessions that never saw SentiRuEval). A fifth of them (by a hash of the
# text, :func:`tweet_heldout`) is never trained on: ``auto`` is also chosen on it
# (``tweets_ru_heldout``). The rest is trained on with ``TWEETS_WEIGHT``, chosen by
# cross-validation on that rest and the sets above (benchmarks/cv_shipped_tweets.py: 1 among
# 0 / 1 / 3 / 10 on 2026-11-30, docs/models.md).
TWEETS = {"ru": ("tweets_banks_ru", "tweets_telecom_ru")}
TWEETS_WEIGHT = 1.0


def read(path: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) of a public set: a CSV with ``text`` and ``label`` columns, or a TSV
    without header (text, label; IndoNLU's, read with ``QUOTE_NONE``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix == ".tsv":
            pairs = [r for r in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if r]
            return [r[0] for r in pairs], [r[1] for r in pairs]
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def read_comments(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["sentiment"] for r in rows]


def comment_files(pattern: str, language: str) -> list[Path]:
    """The ``tests/data`` CSV files a comment pattern names for ``language`` (sorted)."""
    return sorted((ROOT / "tests" / "data").glob(f"{pattern.format(language)}.csv"))


def _hash(text: str) -> int:
    return int(hashlib.sha1(text.strip().casefold().encode("utf-8")).hexdigest(), 16)


def tweet_heldout(text: str) -> bool:
    """Whether a written tweet is in the held-out fifth (never trained on; auto chooses on it)."""
    return _hash(text) % 5 == 0


def tweet_fold(text: str, folds: int) -> int:
    """The cross-validation fold (0 … folds − 1) of a trained-on tweet."""
    return (_hash(text) // 5) % folds


def read_tweets(language: str, *, heldout: bool) -> tuple[list[str], list[str]]:
    """The written tweets of ``language`` (all files of :data:`TWEETS`): the held-out fifth or
    the rest; empty where none are written."""
    texts: list[str] = []
    labels: list[str] = []
    for name in TWEETS.get(language, ()):
        for text, label in zip(
            *read_comments(ROOT / "tests" / "data" / f"{name}.csv"), strict=True
        ):
            if text.strip() and tweet_heldout(text) == heldout:
                texts.append(text)
                labels.append(label)
    return texts, labels


def base_training(folder: Path, language: str) -> tuple[list[str], list[str], list[float]]:
    """The public training texts and otklik's own comments (×``COMMENTS_WEIGHT``), with weights;
    comments that also appear in a ``COMMENTS_CHOOSE`` set are left out."""
    texts, labels = read(folder / SETS[language][0])
    weights = [1.0] * len(texts)
    held = {
        text.strip().casefold()
        for pattern in COMMENTS_CHOOSE
        for path in comment_files(pattern, language)
        for text in read_comments(path)[0]
    }
    for pattern in COMMENTS_TRAIN + COMMENTS_TRAIN_MORE.get(language, ()):
        for path in comment_files(pattern, language):
            own = read_comments(path)
            kept = [(t, y) for t, y in zip(*own, strict=True) if t.strip().casefold() not in held]
            texts, labels = texts + [t for t, _ in kept], labels + [y for _, y in kept]
            weights += [COMMENTS_WEIGHT] * len(kept)
            print(language, path.name, len(kept), "of", len(own[0]), "trained on")
    return texts, labels, weights


def choice_sets(folder: Path, language: str) -> dict[str, tuple[list[str], list[str]]]:
    """The sets ``auto`` is chosen on: public test sets, held-out comments, held-out tweets."""
    sets = {name: read(folder / file) for name, file in SETS[language][1].items()}
    for pattern in COMMENTS_CHOOSE:  # those written for the language
        for path in comment_files(pattern, language):
            sets[path.stem] = read_comments(path)
    tweets = read_tweets(language, heldout=True)
    if tweets[0]:
        sets[f"tweets_{language}_heldout"] = tweets
    return sets


def choose(folders: dict[str, Path], languages: list[str]) -> None:
    """Write ``data/auto.json`` from the rules and the shipped models on the same sets."""
    rules = default_rules()
    choices: dict[str, dict[str, object]] = {}
    for language in languages:
        model = ShippedModel.load(OUT / f"sentiment-{language}.npz")
        sets = choice_sets(folders[language], language)
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
    # the other targets' entries (``type``: benchmarks/train_shipped_type.py) and the other
    # languages' sentiment entries are kept
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    sentiment = {**kept.get("sentiment", {}), **choices}
    path.write_text(
        json.dumps({**kept, "sentiment": sentiment}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )


def main(folders: dict[str, Path], languages: list[str]) -> None:
    for language in languages:
        folder = folders[language]
        tests = {**SETS[language][1], **REPORT.get(language, {})}
        texts, labels, weights = base_training(folder, language)
        tweets = read_tweets(language, heldout=False)
        if tweets[0] and TWEETS_WEIGHT > 0:
            texts, labels = texts + tweets[0], labels + tweets[1]
            weights += [TWEETS_WEIGHT] * len(tweets[0])
            print(language, "written tweets", len(tweets[0]), "trained on, x", TWEETS_WEIGHT)
        model = fit_shipped(
            texts,
            labels,
            language=language,
            target="sentiment",
            source=SOURCE[language],
            weights=weights,
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


def parse(argv: list[str]) -> tuple[dict[str, Path], list[str], bool]:
    """(folder per language, languages, choose only) from the command line (see Usage)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the named languages' data folder")
    parser.add_argument("languages", nargs="*", default=["ru", "en"])
    parser.add_argument(
        "--folder",
        dest="own",
        action="append",
        default=[],
        metavar="LANG=PATH",
        help="a language's own data folder",
    )
    parser.add_argument("--choose-only", action="store_true", help="only rewrite auto.json")
    args = parser.parse_intermixed_args(argv[1:])
    given = {lang: Path(path) for lang, _, path in (v.partition("=") for v in args.own)}
    folders = {lang: given.get(lang, args.folder) for lang in args.languages}
    return folders, args.languages, args.choose_only


if __name__ == "__main__":
    folders, chosen, choose_only = parse(sys.argv)
    if not choose_only:
        main(folders, chosen)
    choose(folders, chosen)
