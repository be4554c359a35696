"""Helpers for the jobs tests: the CLI as a user runs it, and what the store holds per item."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from otklik.cli import main
from tests.conftest import DATA

FEEDBACK = DATA / "feedback_classify.csv"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def import_json(capsys: pytest.CaptureFixture[str], db: str, source: str = "sample") -> Any:
    code, out, err = run(
        capsys,
        "import",
        str(FEEDBACK),
        "--kind",
        "survey",
        "--source",
        source,
        "--format",
        "json",
        "--db",
        db,
    )
    assert code == 0, err
    return json.loads(out)


def outcome(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Per external id: the item's machine type, sentiment and owner, and its case's team."""
    query = text(
        "SELECT i.external_id, c.type, c.sentiment, c.owner_team, k.team "
        "FROM feedback_items i "
        "LEFT JOIN classifications c ON c.item_id = i.id AND c.origin = 'machine' "
        "LEFT JOIN cases k ON k.item_id = i.id"
    )
    with engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(query)}
