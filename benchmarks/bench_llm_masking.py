"""How fast texts are masked before they are sent to an LLM (``otklik.llm.mask_for_llm``).

    python benchmarks/bench_llm_masking.py [--repeat N]

Reads ``tests/data/pii_corpus.jsonl`` (Russian and English comments with personal data) and
prints JSON: texts, of them Cyrillic (these also run the natasha NER model), seconds, texts/s.
The NER model's load time is measured apart.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

from otklik.llm import mask_for_llm

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    started = time.perf_counter()
    mask_for_llm("Иван Петров")  # loads the NER model
    load = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            mask_for_llm(text)
    seconds = time.perf_counter() - started
    count = len(texts) * args.repeat
    print(
        json.dumps(
            {
                "texts": count,
                "cyrillic": sum(bool(re.search("[а-яё]", t, re.I)) for t in texts) * args.repeat,
                "ner_load_seconds": round(load, 2),
                "seconds": round(seconds, 2),
                "texts_per_second": round(count / seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
