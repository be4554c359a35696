"""Feedback type (and sentiment) of the keyword rules on the hand-written short comments.

For each set in ``tests/data``: type accuracy and macro-F1 of the rules and of the default
(``auto``) method — the rules with the shipped type model where ``auto`` uses it for the
language (``hybrid``: the model's type where the rules say ``other`` and it is sure enough, see
``benchmarks/train_shipped_type.py``) — sentiment accuracy and macro-F1 of the rules, with the
majority-class accuracy as the baseline measured in the same run. The shipped type models were
trained on every set below except the ``_blind3`` ones, so only those figures of the default
method are measured on unseen text (its cross-validated figures are in docs/models.md). Sets:

* ``comments_<lang>.csv`` — the rules' development set (ru, en);
* ``comments_<lang>_heldout.csv`` — written after an earlier round of rule changes (ru, en);
* ``comments_type_<lang>.csv`` — written and labelled for issue 13 before the rules were changed
  again (ru, en, id, es, ar); read while changing them afterwards;
* ``comments_type_<lang>_heldout.csv`` — written during that work, measured unread once, then
  read in a second round of changes;
* ``comments_type_<lang>_unseen.csv`` — written before that second round and never read while
  tuning: ``--errors`` does not list its misreadings;
* ``comments_type_<lang>_blind.csv`` — written for the final check of issue 13 by someone who
  never saw the rules or ran the classifier (235 ru, 118 en; labelling rules in
  ``tests/data/comments_type_blind.md``); read in the fourth round of rule changes and a
  training file of the type models since;
* ``comments_type_<lang>_blind2.csv`` — the second blind set (237 ru, 117 en; written the same
  way, ``tests/data/comments_type_blind2.md``); measured unread once, then read in the fifth
  round of rule changes and a training file of the type models since;
* ``comments_type_<lang>_train*.csv`` — training sets written for the type models by writers
  who never saw the rules (ru: ``trainA``–``trainF``, en: ``train``–``train4``); never read
  while changing the rules, so the rules' figures on them are day-one figures, but the type
  models are trained on them;
* ``comments_type_<lang>_blind3.csv`` — the third blind set (250 ru, 120 en,
  ``tests/data/comments_type_blind3.md``), never read and never trained on: the honest day-one
  figure of the default method; ``--errors`` does not list its misreadings;
* ``comments_type_{id,es,ar}_dev.csv``, ``…_trainA.csv``, ``…_blind3.csv`` (2026-12-01) —
  written by writers who never saw the rules: the ``_dev`` half (hard distinctions, ~400 each)
  was read in the sixth round of rule changes and is a training file of the type models; the
  ``_trainA`` half (~600 each) was never read and is trained on (its rules figure is a
  day-one one); the ``_blind3`` sets (200 each, an ordinary week and hard cases) were never
  read nor trained on (``tests/data/comments_type_blind_id_es_ar.md``);
* ``comments_type_ru_trainG.csv``, ``comments_type_en_train5.csv`` (2026-12-01) — rebukes
  about staff against wishes worded alike, written for the type models (never read);
* ``comments_issue_kinds_<lang>.csv`` (2026-12-01) — the kinds issue 13 names, written by a
  writer who saw no code; measured once, then read: a regression set, never trained on;
* ``comments_type_<lang>_blind4.csv`` — a fourth blind set (200 ru, 100 en,
  ``tests/data/comments_type_blind4.md``): one ordinary day of feedback of one company per
  language (a regional bank, an electronics retailer), not hard cases; never read or trained on;
* ``comments_type_{id,es,ar}_trainB.csv``, ``…_blind4.csv`` (2026-12-01, second round) — one
  more training set per language (~490, never read, trained on) and a fresh blind set (200
  each, never read nor trained on) by other writers
  (``tests/data/comments_type_blind_id_es_ar.md``).

    python benchmarks/bench_classify_types.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify import default_rules
from otklik.classify.pretrained import preferred_method, ready_pick, shipped_model

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = [
    ("comments_ru", "ru"),
    ("comments_ru_heldout", "ru"),
    ("comments_type_ru", "ru"),
    ("comments_type_ru_heldout", "ru"),
    ("comments_type_ru_unseen", "ru"),
    ("comments_type_ru_blind", "ru"),
    ("comments_type_ru_blind2", "ru"),
    ("comments_type_ru_trainA", "ru"),
    ("comments_type_ru_trainB", "ru"),
    ("comments_type_ru_trainC", "ru"),
    ("comments_type_ru_trainD", "ru"),
    ("comments_type_ru_trainE", "ru"),
    ("comments_type_ru_trainF", "ru"),
    ("comments_type_ru_trainG", "ru"),
    ("comments_type_ru_blind3", "ru"),
    ("comments_type_ru_blind4", "ru"),
    ("comments_en", "en"),
    ("comments_en_heldout", "en"),
    ("comments_type_en", "en"),
    ("comments_type_en_heldout", "en"),
    ("comments_type_en_unseen", "en"),
    ("comments_type_en_blind", "en"),
    ("comments_type_en_blind2", "en"),
    ("comments_type_en_train", "en"),
    ("comments_type_en_train2", "en"),
    ("comments_type_en_train3", "en"),
    ("comments_type_en_train4", "en"),
    ("comments_type_en_train5", "en"),
    ("comments_type_en_blind3", "en"),
    ("comments_type_en_blind4", "en"),
    ("comments_type_id", "id"),
    ("comments_type_id_dev", "id"),
    ("comments_type_id_trainA", "id"),
    ("comments_type_id_trainB", "id"),
    ("comments_type_id_blind3", "id"),
    ("comments_type_id_blind4", "id"),
    ("comments_type_es", "es"),
    ("comments_type_es_dev", "es"),
    ("comments_type_es_trainA", "es"),
    ("comments_type_es_trainB", "es"),
    ("comments_type_es_blind3", "es"),
    ("comments_type_es_blind4", "es"),
    ("comments_type_ar", "ar"),
    ("comments_type_ar_dev", "ar"),
    ("comments_type_ar_trainA", "ar"),
    ("comments_type_ar_trainB", "ar"),
    ("comments_type_ar_blind3", "ar"),
    ("comments_type_ar_blind4", "ar"),
    ("comments_issue_kinds_ru", "ru"),
    ("comments_issue_kinds_en", "en"),
    ("comments_issue_kinds_id", "id"),
    ("comments_issue_kinds_es", "es"),
    ("comments_issue_kinds_ar", "ar"),
]


def default_types(texts: list[str], analyses: list, language: str) -> tuple[list[str], str]:
    """The type of each text by ``auto`` (what ``otklik classify`` stores), and its method."""
    method = preferred_method("type", language)
    model = shipped_model("type", language)
    if method == "rules" or model is None:
        return [a.type for a in analyses], "rules"
    proba = model.predict_proba(texts)
    picks = [(str(model.classes[int(row.argmax())]), float(row.max())) for row in proba]
    return [
        ready_pick("type", language, a.type, a.type_confidence, pick, a.type_turned, a.settled)[0]
        for a, pick in zip(analyses, picks, strict=True)
    ], method


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every misread comment")
    args = parser.parse_args()
    rules = default_rules()
    print(
        "| set | n | type accuracy | type macro-F1 | default type accuracy (method) | "
        "default type macro-F1 | majority type | sentiment accuracy | sentiment macro-F1 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, language in SETS:
        path = DATA / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        found = [rules.analyse(row["text"], language=language) for row in rows]
        types = [row["type"] for row in rows]
        sentiments = [row["sentiment"] for row in rows]
        got_types = [a.type for a in found]
        default, method = default_types([row["text"] for row in rows], found, language)
        got_sentiments = [a.sentiment for a in found]
        majority = Counter(types).most_common(1)[0][1] / len(types)
        print(
            f"| {name} | {len(rows)} | {accuracy_score(types, got_types):.3f} "
            f"| {f1_score(types, got_types, average='macro', zero_division=0):.3f} "
            f"| {accuracy_score(types, default):.3f} ({method}) "
            f"| {f1_score(types, default, average='macro', zero_division=0):.3f} "
            f"| {majority:.3f} | {accuracy_score(sentiments, got_sentiments):.3f} "
            f"| {f1_score(sentiments, got_sentiments, average='macro', zero_division=0):.3f} |"
        )
        if (
            args.errors
            and not name.endswith(("_unseen", "_blind", "_blind3", "_blind4"))
            and "_train" not in name
        ):
            for row, analysis in zip(rows, found, strict=True):
                if analysis.type != row["type"] or analysis.sentiment != row["sentiment"]:
                    print(
                        f"    {row['type']}/{row['sentiment']} -> "
                        f"{analysis.type}/{analysis.sentiment}: {row['text']}"
                    )


if __name__ == "__main__":
    main()
