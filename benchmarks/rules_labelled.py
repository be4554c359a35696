"""The rules alone on every labelled comment set of ``tests/data``, and what changed since a run.

Reads each ``tests/data/comments_*.csv`` (columns ``text``, ``type``, ``sentiment``; the language
from the file name: ``comments_type_ru_trainA.csv`` is Russian), reads every text with the
default rules (no score, no model) and prints how many types and sentiments are right, by
language. ``--save FILE`` writes each text's answers as JSON; ``--against FILE`` (an earlier
``--save``) prints the texts whose answers changed, each marked ``+`` (now right), ``-`` (was
right) or ``~`` (wrong both times), which is how each round of rule kinds in
docs/benchmarks-classify.md is checked text by text.

    python benchmarks/rules_labelled.py --save /tmp/before.json
    # … change the rules …
    python benchmarks/rules_labelled.py --against /tmp/before.json

To measure an earlier commit the same way: ``git archive <commit> src | tar -x -C /tmp/old``,
then run this script with ``PYTHONPATH=/tmp/old/src``.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from pathlib import Path

from otklik.classify import default_rules

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
_LANGUAGE = re.compile(r"_(ru|en|es|id|ar)(?:_|\.)")


def read_all(data: Path = DATA) -> dict[str, dict[str, str | None]]:
    """Each labelled text's answers and gold labels, by ``file:row``."""
    rules = default_rules()
    found: dict[str, dict[str, str | None]] = {}
    for path in sorted(data.glob("comments_*.csv")):
        match = _LANGUAGE.search(path.name)
        language = match.group(1) if match else None
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle)):
                text = row.get("text") or ""
                analysis = rules.analyse(text, language=language)
                found[f"{path.name}:{number}"] = {
                    "text": text,
                    "language": language,
                    "type": analysis.type,
                    "sentiment": analysis.sentiment,
                    "gold_type": row.get("type") or None,
                    "gold_sentiment": row.get("sentiment") or None,
                }
    return found


def right(found: dict[str, dict[str, str | None]], field: str) -> Counter[str]:
    """How many texts have ``field`` right, by language (and ``all``)."""
    counts: Counter[str] = Counter()
    for answer in found.values():
        gold = answer[f"gold_{field}"]
        if gold and answer[field] == gold:
            counts[str(answer["language"])] += 1
            counts["all"] += 1
    return counts


def changes(
    before: dict[str, dict[str, str | None]], after: dict[str, dict[str, str | None]]
) -> list[str]:
    """One line per text whose type or sentiment changed between two runs."""
    lines = []
    for key, old in before.items():
        new = after.get(key)
        if new is None or (old["type"], old["sentiment"]) == (new["type"], new["sentiment"]):
            continue
        marks = []
        for field in ("type", "sentiment"):
            gold = old[f"gold_{field}"]
            if old[field] == new[field] or not gold:
                continue
            sign = "+" if new[field] == gold else "-" if old[field] == gold else "~"
            marks.append(sign + field)
        text = str(old["text"])[:150]
        lines.append(
            f"{' '.join(marks) or '?'} {old['type']}/{old['sentiment']} -> "
            f"{new['type']}/{new['sentiment']} (gold {old['gold_type']}/"
            f"{old['gold_sentiment']}) {old['language']} | {text}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write each text's answers here (JSON)")
    parser.add_argument("--against", type=Path, help="an earlier --save to compare with")
    args = parser.parse_args()
    found = read_all()
    print(f"{len(found)} labelled texts in {DATA}")
    for field in ("type", "sentiment"):
        counts = right(found, field)
        by_language = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "all")
        print(f"right {field}s: {counts['all']} ({by_language})")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        for field in ("type", "sentiment"):
            print(f"{field}s right before: {right(before, field)['all']}")
        for line in changes(before, found):
            print(line)
    if args.save:
        args.save.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
