"""Pool the ``--times`` files of ``bench_search.py`` runs of two versions of otklik (run
alternately on the same stores) and print p50 / p95 (ms) per query and overall, per engine,
with the ratio new / old. Not a timed test.

    python benchmarks/bench_search_compare.py --old old-1.json old-2.json … --new new-1.json …
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _pooled(paths: list[Path]) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """engine → (query, filters) → {"total": …, "ms": [every run's times]}."""
    out: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for path in paths:
        for engine, rows in json.loads(path.read_text()).items():
            for row in rows:
                key = (row["q"], row["filters"])
                slot = out.setdefault(engine, {}).setdefault(key, {"total": row["total"], "ms": []})
                slot["ms"] += row["ms"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, nargs="+", required=True)
    parser.add_argument("--new", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    old, new = _pooled(args.old), _pooled(args.new)
    for engine in old:
        print(f"\n{engine} (runs pooled: {len(args.old)} old, {len(args.new)} new), ms")
        print("| query | filters | total | before p50 / p95 | after p50 / p95 | p95 after/before |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        all_old: list[float] = []
        all_new: list[float] = []
        for key, slot in old[engine].items():
            after = new[engine][key]
            if after["total"] != slot["total"]:
                raise SystemExit(f"{engine} {key}: total {slot['total']} before, {after['total']}")
            all_old += slot["ms"]
            all_new += after["ms"]
            a, b = slot["ms"], after["ms"]
            print(
                f"| {key[0]} | {key[1]} | {slot['total']} | {_p(a, 0.5):.1f} / {_p(a, 0.95):.1f} "
                f"| {_p(b, 0.5):.1f} / {_p(b, 0.95):.1f} | {_p(b, 0.95) / _p(a, 0.95):.2f} |"
            )
        print(
            f"| **all queries** | | | **{_p(all_old, 0.5):.1f} / {_p(all_old, 0.95):.1f}** "
            f"| **{_p(all_new, 0.5):.1f} / {_p(all_new, 0.95):.1f}** "
            f"| **{_p(all_new, 0.95) / _p(all_old, 0.95):.2f}** |"
        )


if __name__ == "__main__":
    main()
