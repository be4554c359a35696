"""Docs examples run as pasted: every URL in the docs is plain ASCII (Cyrillic percent-encoded or
passed with ``curl --data-urlencode``), so a shell, a browser or a script takes it unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
URL = re.compile(r"https?://[^\s'\"<>)`]+")


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_url_in_the_docs_is_ascii(path: Path) -> None:
    bad = [
        f"{path.name}:{number}: {url}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for url in URL.findall(line)
        if not url.isascii()
    ]
    assert not bad, "encode these URLs (or use curl --data-urlencode):\n" + "\n".join(bad)


def test_the_check_catches_a_raw_cyrillic_url() -> None:
    line = "curl 'http://127.0.0.1:8000/api/v1/items?q=приложение&limit=20'"
    assert [url for url in URL.findall(line) if not url.isascii()]
