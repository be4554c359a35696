"""Build the shipped feedback-type models (``src/otklik/classify/data/type-<lang>.npz``) and
choose, by cross-validation, how ``auto`` combines them with the rules.

Training data: otklik's own hand-written short comments in ``tests/data`` (``TRAIN_FILES``):
the rules' development sets (``comments_<lang>``, ``comments_<lang>_heldout``,
``comments_type_<lang>``, ``…_heldout``, ``…_unseen``), the first two blind sets (read in the
fourth and fifth rounds of rule changes), and the training sets written for these models by
writers who never saw the rules (``comments_type_ru_train{A..F}``,
``comments_type_en_train{,2,3,4}``; ``comments_type_{id,es,ar}_trainA``, and their
``…_dev`` halves, read while changing those languages' rules), never the third blind sets
(``comments_type_<lang>_blind3``), which are kept for the final check. Model: the shipped kind
(:func:`~otklik.classify.pretrained.fit_shipped`: word 1–2 and character 2–5 TF-IDF n-grams,
class-weighted multinomial logistic regression).

Every choice is made by leave-one-file-out cross-validation on those files (a whole file is held
out at a time, so a writer's session is never both trained on and scored): ``C`` and how ``auto``
combines the model with the rules — ``rules`` or ``hybrid`` (``shipped``, the model alone, is
printed but not chosen since 2026-12-01: it would take back what the rules found) at a
threshold ``t`` (the rules' type, unless the rules say ``other`` and the model is at least ``t``
sure of another type) and, optionally, an ``override`` ``o`` ≥ ``t`` (the model's type wherever
it is at least ``o`` sure of another type than the rules'). Three cross-validated accuracies are
printed for each candidate:

* ``cv``: over every file. The rules were tuned on most of them, so this figure flatters them;
* ``cv_silent``: as if the rules found nothing in any text (every rules' answer ``other``);
* ``cv_fresh``: over the files ``FRESH`` whose misreadings were never read while tuning the rules
  (the training sets written for the models): the day-one figure of every candidate, the rules
  included.

The chosen candidate has the highest ``cv_fresh`` accuracy (ties: higher ``cv``, then the rules,
then the smaller ``C``); without fresh files, the fourth round's rule applies (the highest
``cv_silent`` within ``COST_BUDGET`` of the rules' ``cv``). Then the model is trained on all the
files with the chosen ``C``, saved, and ``data/auto.json``'s ``type`` entry written (the
``sentiment`` entry, written by ``benchmarks/train_shipped.py``, is kept). ~7 min on 2 shared
cores. Usage::

    python benchmarks/train_shipped_type.py [ru en id es ar]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

from otklik.classify.evaluation import score
from otklik.classify.pretrained import fit_shipped
from otklik.classify.rules import default_rules

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
OUT = ROOT / "src" / "otklik" / "classify" / "data"
# The training sets written for the type models (2026-11-30), whose misreadings were never read
# while tuning the rules: the rules' accuracy on them is a day-one figure, so the choice between
# the rules and the model is made on them.
FRESH = (
    *(f"comments_type_{{}}_train{letter}" for letter in "ABCDEF"),  # ru (A: id, es, ar too)
    *(f"comments_type_{{}}_train{number}" for number in ("", "2", "3", "4")),  # en
)
TRAIN_FILES = (
    "comments_{}",
    "comments_{}_heldout",
    "comments_type_{}",
    "comments_type_{}_heldout",
    "comments_type_{}_unseen",
    "comments_type_{}_blind",  # read while changing the rules in the fourth round: a dev set now
    "comments_type_{}_blind2",  # read in the fifth round of rule changes: a dev set now
    # id, es, ar (2026-12-01): the hard-distinction half of the written training sets, read while
    # changing those languages' rules (the other half, ``…_trainA``, stays fresh)
    "comments_type_{}_dev",
    # ru, en (2026-12-01): rebukes about staff vs wishes with "лучше"/"better", written after the
    # issue-kinds set showed the kind weak; trained on, but kept out of FRESH so that cv_fresh
    # stays comparable with the builds before them
    "comments_type_{}_trainG",
    "comments_type_{}_train5",
    *FRESH,
)
C_GRID = (4.0, 16.0, 64.0)  # 1.0 was never chosen
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
# How sure the model must be to overrule a type the rules did give (None: never).
OVERRIDES = (None, 0.5, 0.6, 0.7, 0.8, 0.9)
# How sure the model must be to turn the rules' complaint into praise (a complaint read as praise
# opens no case): the strictest bar whose cv_fresh accuracy stays within GUARD_BUDGET of the
# chosen candidate's without one (2026-12-01; "never" cost ru 2.4, en 2.3 points of cv_fresh).
GUARDS = (0.8, 0.9, 0.95)
GUARD_BUDGET = 0.005
# How much cross-validated accuracy (on text the rules read right) the model may cost: one
# answer in a hundred. Fixed before any measurement.
COST_BUDGET = 0.01
SOURCE = (
    "otklik's own hand-written short customer comments (tests/data, the project's licence): "
    "{files}; see docs/models.md"
)


def training_set(language: str) -> tuple[list[str], list[str], list[int], list[str]]:
    """(texts, types, file number of each, file names): each distinct text once (the first)."""
    texts: list[str] = []
    labels: list[str] = []
    groups: list[int] = []
    names: list[str] = []
    seen: set[str] = set()
    for pattern in TRAIN_FILES:
        name = pattern.format(language)
        path = DATA / f"{name}.csv"
        if not path.exists():
            continue
        names.append(name)
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = row["text"].strip().casefold()
                if key in seen:
                    continue
                seen.add(key)
                texts.append(row["text"])
                labels.append(row["type"])
                groups.append(len(names) - 1)
    return texts, labels, groups, names


def hybrid(
    rules: np.ndarray,
    model: np.ndarray,
    confidence: np.ndarray,
    threshold: float,
    override: float | None = None,
    guard: float | None = None,
    turned: np.ndarray | None = None,
) -> np.ndarray:
    """The rules' type, or the model's where the rules say ``other`` and it is ``threshold``
    sure, or (with ``override``) wherever it is that sure of a type other than ``other``, turning
    the rules' complaint into praise only past ``guard``, never where the rules' type rests on
    how the text is built (``turned``: ``Analysis.type_turned``) — as
    :func:`otklik.classify.pretrained.hybrid_pick` answers."""
    found = np.where((rules == "other") & (confidence >= threshold), model, rules)
    if override is None:
        return found
    allowed = model != "other"
    if turned is not None:  # a rebuke or mocking praise the rules read stands
        allowed &= ~turned
    if guard is not None:  # the rules' complaint turns into praise only past the guard
        allowed &= ~((rules == "complaint") & (model == "praise") & (confidence < guard))
    return np.where((confidence >= override) & allowed, model, found)


def cross_validate(language: str) -> dict[str, object]:
    """Leave-one-file-out figures of every candidate, and the one chosen (see module doc)."""
    texts, labels, groups, names = training_set(language)
    group = np.asarray(groups)
    rules = default_rules()
    read = [rules.analyse(t, language=language) for t in texts]
    said = np.asarray([a.type for a in read])
    turned = np.asarray([a.type_turned for a in read], dtype=bool)
    silent = np.full(len(texts), "other", dtype=object)
    candidates: list[dict[str, object]] = []
    fresh_files = [names.index(f.format(language)) for f in FRESH if f.format(language) in names]
    fresh = np.isin(group, fresh_files)
    gold = np.asarray(labels, dtype=object)

    def on_fresh(predicted: np.ndarray) -> dict[str, float]:
        if not fresh.any():
            return {"accuracy": 0.0}
        return score(list(gold[fresh]), list(predicted[fresh]))

    rules_cv = score(labels, list(said))
    candidates.append(
        {
            "method": "rules",
            "cv": rules_cv,
            "cv_silent": score(labels, list(silent)),
            "cv_fresh": on_fresh(said),
        }
    )
    print(language, len(texts), "texts in", names, "rules", rules_cv)
    guard_sure: dict[float, tuple[np.ndarray, np.ndarray]] = {}  # C → LOFO type, sureness
    for C in C_GRID:
        best = np.empty(len(texts), dtype=object)
        sure = np.zeros(len(texts))
        for held in range(len(names)):
            train = np.flatnonzero(group != held)
            test = np.flatnonzero(group == held)
            model = fit_shipped(
                [texts[i] for i in train],
                [labels[i] for i in train],
                language=language,
                target="type",
                C=C,
            )
            proba = model.predict_proba([texts[i] for i in test])
            best[test] = np.asarray(model.classes)[proba.argmax(axis=1)]
            sure[test] = proba.max(axis=1)
        guard_sure[C] = (best, sure)
        alone = score(labels, list(best))
        candidates.append(
            {
                "method": "shipped",
                "C": C,
                "cv": alone,
                "cv_silent": alone,
                "cv_fresh": on_fresh(best),
            }
        )
        for threshold in THRESHOLDS:
            for override in OVERRIDES:
                if override is not None and override < threshold:
                    continue
                both = hybrid(said, best, sure, threshold, override, turned=turned)
                candidate: dict[str, object] = {
                    "method": "hybrid",
                    "C": C,
                    "threshold": threshold,
                    "cv": score(labels, list(both)),
                    "cv_silent": score(labels, list(hybrid(silent, best, sure, threshold))),
                    "cv_fresh": on_fresh(both),
                }
                if override is not None:
                    candidate["override"] = override
                candidates.append(candidate)
    if fresh.any():
        # highest accuracy on the fresh files; ties: higher cv accuracy, the rules, smaller C.
        # The model alone is printed, never chosen: it would take back what the rules found (its
        # "other" for a complaint full of numbers opens no case; see hybrid_pick), which the
        # override may not do either (2026-12-01: with the sixth round's rules, ru's model alone
        # scored 0.883 on the fresh files, the best hybrid 0.877)
        allowed = [c for c in candidates if c["method"] != "shipped"]
        key = "cv_fresh"
    else:  # no fresh file: the fourth round's rule (silent accuracy within the cost budget)
        floor = rules_cv["accuracy"] - COST_BUDGET
        allowed = [c for c in candidates if c["cv"]["accuracy"] >= floor - 1e-9]  # type: ignore[index]
        key = "cv_silent"
    chosen = max(
        allowed,
        key=lambda c: (
            round(c[key]["accuracy"], 6),  # type: ignore[index]
            round(c["cv"]["accuracy"], 6),  # type: ignore[index]
            c["method"] == "rules",
            -float(c.get("C", 0.0)),  # type: ignore[arg-type]
        ),
    )
    if chosen["method"] == "hybrid" and "override" in chosen and fresh.any():
        best_sure = guard_sure[float(chosen["C"])]  # type: ignore[arg-type]
        for guard in sorted(GUARDS, reverse=True):  # the strictest first
            both = hybrid(
                said,
                best_sure[0],
                best_sure[1],
                float(chosen["threshold"]),  # type: ignore[arg-type]
                float(chosen["override"]),  # type: ignore[arg-type]
                guard,
                turned,
            )
            guarded = on_fresh(both)
            print(f"  guard {guard}: fresh {guarded['accuracy']:.4f}")
            if guarded["accuracy"] >= chosen[key]["accuracy"] - GUARD_BUDGET:  # type: ignore[index]
                chosen = {
                    **chosen,
                    "praise_over_complaint": guard,
                    "cv": score(labels, list(both)),
                    "cv_fresh": guarded,
                }
                break
    shown = sorted(candidates, key=lambda c: -c[key]["accuracy"])[:12]  # type: ignore[index]
    for c in [candidates[0], *shown]:
        mark = "*" if c is chosen else " "
        print(
            f"{mark} {c['method']:8} C={c.get('C', '-')!s:5} t={c.get('threshold', '-')!s:5} "
            f"o={c.get('override', '-')!s:5} cv {c['cv']['accuracy']:.4f} "  # type: ignore[index]
            f"silent {c['cv_silent']['accuracy']:.4f} fresh {c['cv_fresh']['accuracy']:.4f}"  # type: ignore[index]
        )
    return {"texts": texts, "labels": labels, "names": names, "chosen": chosen, "all": candidates}


def main(languages: list[str]) -> None:
    path = OUT / "auto.json"
    found: dict[str, object] = {}
    for language in languages:
        run = cross_validate(language)
        chosen: dict[str, object] = run["chosen"]  # type: ignore[assignment]
        rules_row = run["all"][0]  # type: ignore[index]
        names: list[str] = run["names"]  # type: ignore[assignment]
        entry: dict[str, object] = {
            "method": chosen["method"],
            "chosen_by": "leave-one-file-out cross-validation on "
            + ", ".join(names)
            + "; highest accuracy on the files the rules were never tuned on ("
            + ", ".join(f.format(language) for f in FRESH if f.format(language) in names)
            + ")",
            "mean_macro_f1": {
                "rules": rules_row["cv"]["macro_f1"],
                str(chosen["method"]): chosen["cv"]["macro_f1"],  # type: ignore[index]
            },
            "scores": {
                "rules": {
                    "cv": rules_row["cv"],
                    "cv_silent": rules_row["cv_silent"],
                    "cv_fresh": rules_row["cv_fresh"],
                },
                str(chosen["method"]): {
                    "cv": chosen["cv"],
                    "cv_silent": chosen["cv_silent"],
                    "cv_fresh": chosen["cv_fresh"],
                },
            },
        }
        if "threshold" in chosen:
            entry["threshold"] = chosen["threshold"]
        if "override" in chosen:
            entry["override"] = chosen["override"]
        if "praise_over_complaint" in chosen:
            entry["praise_over_complaint"] = chosen["praise_over_complaint"]
        if chosen["method"] != "rules":
            entry["C"] = chosen["C"]
            model = fit_shipped(
                run["texts"],  # type: ignore[arg-type]
                run["labels"],  # type: ignore[arg-type]
                language=language,
                target="type",
                C=float(chosen["C"]),  # type: ignore[arg-type]
                source=SOURCE.format(files=", ".join(names)),
            )
            model.scores = {"cv": chosen["cv"], "cv_silent": chosen["cv_silent"]}  # type: ignore[dict-item]
            target = OUT / f"type-{language}.npz"
            model.save(target)
            print(language, target, target.stat().st_size, "bytes")
        found[language] = entry
        print(language, "chosen", {k: v for k, v in chosen.items()})
    # read just before writing, so that runs for different languages side by side keep each
    # other's entries (``train_shipped_type.py ru & train_shipped_type.py en``)
    choices = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    choices["type"] = {**choices.get("type", {}), **found}
    path.write_text(json.dumps(choices, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("--")] or ["ru", "en", "id", "es", "ar"])
