"""Choose how much the written tweets weigh in the shipped Russian sentiment model (issue 13).

The tweets about banks and telecom operators in ``tests/data/tweets_{banks,telecom}_ru.csv`` were
written for otklik (``tests/data/tweets_ru.md``). Their held-out fifth
(``train_shipped.tweet_heldout``) is left for ``auto``'s choice; the rest is split into ``FOLDS``
folds by a hash of the text. For each weight in ``WEIGHTS`` and each fold, the shipped model is
trained as ``train_shipped.py`` trains it (public data + otklik's comments ×10) plus the tweets of
the other folds × the weight, and scored on the fold left out (out-of-fold tweets), on the public
test sets (CEDR, ru-goemotions) and on the held-out comment sets (averaged over the folds).
Weight 0 never sees a tweet: one fit scores every fold.

Rule, fixed before measuring: the weight with the highest out-of-fold macro-F1(pos, neg) of the
shipped model alone on the tweets, among those whose mean macro-F1 over CEDR, ru-goemotions and
the three held-out comment sets is at most 0.01 below weight 0's. Then, with ``--C`` and that
weight (``--weights W``), the regularisation the same way: the highest out-of-fold tweet figure
among the values of C that keep the mean within 0.01 of weight 0 at C = 4 (``--floor``).
SentiRuEval is never read.

Usage::

    python benchmarks/cv_shipped_tweets.py ../shared/data/ru_public_sentiment [out.json]
    python benchmarks/cv_shipped_tweets.py ../shared/data/ru_public_sentiment out.json \
        --weights 3 --C 1,2,8,16 --floor 0.7767

(ten fits of 0.5–2.5 min each on the shared 2-core machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_shipped as ts

from otklik.classify.evaluation import score
from otklik.classify.pretrained import fit_shipped, hybrid_pick
from otklik.classify.rules import default_rules

FOLDS = 3
WEIGHTS = (0.0, 1.0, 3.0, 10.0)
TOLERANCE = 0.01


def main(
    folder: Path,
    out: Path | None,
    *,
    weights: tuple[float, ...] = WEIGHTS,
    cs: tuple[float, ...] = (4.0,),
    floor: float | None = None,
) -> None:
    base_texts, base_labels, base_weights = ts.base_training(folder, "ru")
    tweets, truth = ts.read_tweets("ru", heldout=False)
    folds = [ts.tweet_fold(t, FOLDS) for t in tweets]
    fixed = {k: v for k, v in ts.choice_sets(folder, "ru").items() if k != "tweets_ru_heldout"}
    heldout = ts.read_tweets("ru", heldout=True)
    rules = default_rules()
    analyses = [rules.analyse(t, language="ru") for t in tweets]
    report: dict[str, object] = {
        "n_tweets_cv": len(tweets),
        "n_tweets_heldout": len(heldout[0]),
        "folds": FOLDS,
        "rules_tweets": score(truth, [a.sentiment for a in analyses]),
        "weights": {},
    }
    print("tweets", len(tweets), "held out", len(heldout[0]), "rules", report["rules_tweets"])
    results: dict[tuple[float, float], dict[str, object]] = {}
    for weight, c in [(w, c) for w in weights for c in cs]:
        predicted: list[str] = [""] * len(tweets)
        confident: list[tuple[str, float]] = [("", 0.0)] * len(tweets)
        fixed_scores: dict[str, list[float]] = {name: [] for name in fixed}
        held_scores: list[float] = []
        for fold in range(1 if weight == 0 else FOLDS):
            keep = [i for i, f in enumerate(folds) if weight > 0 and f != fold]
            started = time.time()
            model = fit_shipped(
                base_texts + [tweets[i] for i in keep],
                base_labels + [truth[i] for i in keep],
                language="ru",
                target="sentiment",
                C=c,
                weights=base_weights + [weight] * len(keep),
            )
            scored = [i for i, f in enumerate(folds) if weight == 0 or f == fold]
            proba = model.predict_proba([tweets[i] for i in scored])
            for i, p in zip(scored, proba, strict=True):
                confident[i] = (str(model.classes[int(p.argmax())]), float(p.max()))
                predicted[i] = confident[i][0]
            for name, (texts, labels) in fixed.items():
                fixed_scores[name].append(
                    score(labels, [str(p) for p in model.predict(texts)])["macro_f1"]
                )
            if heldout[0]:
                found = score(heldout[1], [str(p) for p in model.predict(heldout[0])])
                held_scores.append(found.get("macro_f1_pos_neg", 0.0))
            print(
                f"weight {weight} C {c} fold {fold}: fit {time.time() - started:.0f} s", flush=True
            )
        hybrid = [
            hybrid_pick(a.sentiment, a.sentiment_confidence, pick)[0]
            for a, pick in zip(analyses, confident, strict=True)
        ]
        means = {name: round(float(np.mean(v)), 4) for name, v in fixed_scores.items()}
        results[(weight, c)] = {
            "tweets_oof_shipped": score(truth, predicted),
            "tweets_oof_hybrid": score(truth, hybrid),
            "tweets_heldout_shipped_pos_neg": round(float(np.mean(held_scores)), 4),
            "fixed_macro_f1": means,
            "fixed_mean": round(float(np.mean(list(means.values()))), 4),
        }
        print(weight, c, json.dumps(results[(weight, c)], ensure_ascii=False), flush=True)
    if floor is None:
        floor = float(results[(0.0, 4.0)]["fixed_mean"])  # type: ignore[arg-type]
    allowed = [k for k, r in results.items() if float(r["fixed_mean"]) >= floor - TOLERANCE]  # type: ignore[arg-type]
    chosen = max(
        allowed,
        key=lambda k: results[k]["tweets_oof_shipped"]["macro_f1_pos_neg"],  # type: ignore[index]
    )
    report["candidates"] = {f"weight={w} C={c}": r for (w, c), r in results.items()}
    report["floor"] = floor
    report["chosen"] = {"weight": chosen[0], "C": chosen[1]}
    print("chosen weight, C", chosen)
    if out is not None:
        out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _floats(flag: str, default: tuple[float, ...]) -> tuple[float, ...]:
    if flag not in sys.argv:
        return default
    return tuple(float(v) for v in sys.argv[sys.argv.index(flag) + 1].split(","))


if __name__ == "__main__":
    # positional arguments: neither a flag nor a flag's value
    args = [
        a
        for a, before in zip(sys.argv[1:], sys.argv, strict=False)
        if "--" not in (a[:2], before[:2])
    ]
    found = _floats("--floor", ())
    main(
        Path(args[0]),
        Path(args[1]) if len(args) > 1 else None,
        weights=_floats("--weights", WEIGHTS),
        cs=_floats("--C", (4.0,)),
        floor=found[0] if found else None,
    )
