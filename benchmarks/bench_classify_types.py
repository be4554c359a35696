"""Feedback type (and sentiment) of the keyword rules on the hand-written short comments.

For each set in ``tests/data``: type accuracy, type macro-F1, sentiment accuracy and macro-F1,
with the majority-class accuracy as the baseline measured in the same run. Sets:

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
  ``tests/data/comments_type_blind.md``); ``--errors`` does not list its misreadings either.

    python benchmarks/bench_classify_types.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from otklik.classify import default_rules

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = [
    ("comments_ru", "ru"),
    ("comments_ru_heldout", "ru"),
    ("comments_type_ru", "ru"),
    ("comments_type_ru_heldout", "ru"),
    ("comments_type_ru_unseen", "ru"),
    ("comments_type_ru_blind", "ru"),
    ("comments_en", "en"),
    ("comments_en_heldout", "en"),
    ("comments_type_en", "en"),
    ("comments_type_en_heldout", "en"),
    ("comments_type_en_unseen", "en"),
    ("comments_type_en_blind", "en"),
    ("comments_type_id", "id"),
    ("comments_type_es", "es"),
    ("comments_type_ar", "ar"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print every misread comment")
    args = parser.parse_args()
    rules = default_rules()
    print(
        "| set | n | type accuracy | type macro-F1 | majority type | "
        "sentiment accuracy | sentiment macro-F1 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
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
        got_sentiments = [a.sentiment for a in found]
        majority = Counter(types).most_common(1)[0][1] / len(types)
        print(
            f"| {name} | {len(rows)} | {accuracy_score(types, got_types):.3f} "
            f"| {f1_score(types, got_types, average='macro', zero_division=0):.3f} "
            f"| {majority:.3f} | {accuracy_score(sentiments, got_sentiments):.3f} "
            f"| {f1_score(sentiments, got_sentiments, average='macro', zero_division=0):.3f} |"
        )
        if args.errors and not name.endswith(("_unseen", "_blind")):
            for row, analysis in zip(rows, found, strict=True):
                if analysis.type != row["type"] or analysis.sentiment != row["sentiment"]:
                    print(
                        f"    {row['type']}/{row['sentiment']} -> "
                        f"{analysis.type}/{analysis.sentiment}: {row['text']}"
                    )


if __name__ == "__main__":
    main()
