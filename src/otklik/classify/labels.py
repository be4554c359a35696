"""Human labels from a file (CSV, TSV, XLSX, JSON): the team's own judgement of items.

A row names its item by ``item_id`` (the store's id) or by ``source`` + ``external_id`` (as the
import saw it), and gives any of ``type``, ``topic`` (several separated by ``;`` or ``,``) and
``sentiment``. Values are taxonomy names (``complaint``, ``app.login``) or their titles in Russian
or English ("Жалоба", "Login"). Rows that name no item or an unknown label are reported with
their line and field; the others are stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, tuple_

from otklik.classify.run import owner_of
from otklik.classify.store import HumanLabel, write_human_labels
from otklik.classify.taxonomy import Taxonomy
from otklik.errors import InputFileError
from otklik.ingest import open_table
from otklik.ledger import FeedbackItem

__all__ = ["LabelImportReport", "LabelProblem", "import_labels", "label_vocabulary"]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "item_id": ("item_id", "item", "ид элемента"),
    "source": ("source", "источник", "фид"),
    "external_id": ("external_id", "id", "ид", "номер"),
    "type": ("type", "тип", "вид", "label_type"),
    "topic": ("topic", "topics", "тема", "темы", "label_topic"),
    "sentiment": ("sentiment", "тональность", "настроение", "label_sentiment"),
}
_SPLIT = re.compile(r"\s*[;,]\s*")


@dataclass(frozen=True)
class LabelProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class LabelImportReport:
    file: str
    read: int = 0
    created: int = 0
    updated: int = 0
    problems: list[LabelProblem] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "rejected": len(self.problems),
            "problems": [str(problem) for problem in self.problems],
        }


def _vocabulary(names: list[str], specs: dict[str, Any]) -> dict[str, str]:
    """Lower-cased names and titles → the canonical name."""
    vocabulary = {name.lower(): name for name in names}
    for name, spec in specs.items():
        for title in getattr(spec, "label", {}).values():
            vocabulary.setdefault(title.strip().lower(), name)
    return vocabulary


def label_vocabulary(taxonomy: Taxonomy, target: str) -> dict[str, str]:
    """Lower-cased ids and titles (ru/en) of a ``target`` (type, sentiment, topic) → its id."""
    if target == "type":
        return _vocabulary(taxonomy.type_names, dict(taxonomy.types))
    if target == "sentiment":
        return _vocabulary(list(taxonomy.sentiments), dict(taxonomy.sentiments))
    nodes = taxonomy.flat_topics()
    return _vocabulary([n.id for n in nodes], {n.id: n.topic for n in nodes})


def _columns(headers: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header.strip().lower()
        for name, aliases in _COLUMNS.items():
            if key in aliases and name not in positions:
                positions[name] = index
    return positions


def _cell(values: list[Any], positions: dict[str, int], name: str) -> str:
    index = positions.get(name)
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_labels(
    engine: Engine,
    path: Path,
    taxonomy: Taxonomy,
    *,
    labelled_by: str | None = None,
    sheet: str | None = None,
) -> LabelImportReport:
    """Store the human labels in ``path``; every rejected row is in the report's problems."""
    table = open_table(path, sheet=sheet)
    positions = _columns(table.headers)
    if "item_id" not in positions and not {"source", "external_id"} <= set(positions):
        raise InputFileError(
            f"{path}: name items with an item_id column, or source and external_id columns "
            f"(headers: {', '.join(table.headers)})"
        )
    if not {"type", "topic", "sentiment"} & set(positions):
        raise InputFileError(f"{path}: no label column (type, topic or sentiment)")
    types = _vocabulary(taxonomy.type_names, dict(taxonomy.types))
    sentiments = _vocabulary(list(taxonomy.sentiments), dict(taxonomy.sentiments))
    nodes = taxonomy.flat_topics()
    topics = _vocabulary([n.id for n in nodes], {n.id: n.topic for n in nodes})
    report = LabelImportReport(file=str(path))
    pending: list[tuple[int, dict[str, str], HumanLabel]] = []
    for line, values in table.rows():
        report.read += 1
        label = HumanLabel(item_id=0, labelled_by=labelled_by)
        problems = []
        for name, vocabulary in (("type", types), ("sentiment", sentiments)):
            raw = _cell(values, positions, name)
            if raw and raw.lower() not in vocabulary:
                problems.append(LabelProblem(line, name, f"unknown {name} {raw!r}"))
            elif raw:
                setattr(label, name, vocabulary[raw.lower()])
        raw_topics = [t for t in _SPLIT.split(_cell(values, positions, "topic")) if t]
        unknown = [t for t in raw_topics if t.lower() not in topics]
        if unknown:
            problems.append(LabelProblem(line, "topic", f"unknown topic {unknown[0]!r}"))
        elif raw_topics:
            label.topics = [topics[t.lower()] for t in raw_topics]
            label.owner_team = owner_of(taxonomy, label.topics)
        if not problems and not (label.type or label.sentiment or label.topics):
            problems.append(LabelProblem(line, "type", "no label given in this row"))
        if problems:
            report.problems += problems
            continue
        ref = {
            name: _cell(values, positions, name) for name in ("item_id", "source", "external_id")
        }
        pending.append((line, ref, label))
    resolved = _resolve(engine, pending, report)
    report.created, report.updated = write_human_labels(engine, resolved)
    report.item_ids = sorted({label.item_id for label in resolved})
    return report


def _resolve(
    engine: Engine, pending: list[tuple[int, dict[str, str], HumanLabel]], report: LabelImportReport
) -> list[HumanLabel]:
    """Find each row's item; rows whose item is not in the ledger become problems."""
    by_id = {int(ref["item_id"]) for _, ref, _ in pending if ref["item_id"].isdecimal()}
    by_key = {(ref["source"], ref["external_id"]) for _, ref, _ in pending if not ref["item_id"]}
    known_ids: set[int] = set()
    known_keys: dict[tuple[str, str], int] = {}
    with engine.connect() as conn:
        ids = sorted(by_id)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            known_ids |= set(
                conn.execute(select(FeedbackItem.id).where(FeedbackItem.id.in_(chunk))).scalars()
            )
        keys = sorted(by_key)
        for start in range(0, len(keys), 500):
            chunk_keys = keys[start : start + 500]
            query = select(FeedbackItem.source, FeedbackItem.external_id, FeedbackItem.id).where(
                tuple_(FeedbackItem.source, FeedbackItem.external_id).in_(chunk_keys)
            )
            known_keys |= {(s, e): i for s, e, i in conn.execute(query)}
    resolved = []
    for line, ref, label in pending:
        if ref["item_id"]:
            if not ref["item_id"].isdecimal() or int(ref["item_id"]) not in known_ids:
                report.problems.append(
                    LabelProblem(line, "item_id", f"no item {ref['item_id']!r} in the ledger")
                )
                continue
            label.item_id = int(ref["item_id"])
        else:
            key = (ref["source"], ref["external_id"])
            if key not in known_keys:
                report.problems.append(
                    LabelProblem(
                        line,
                        "external_id",
                        f"no item {key[1]!r} of source {key[0]!r} in the ledger",
                    )
                )
                continue
            label.item_id = known_keys[key]
        resolved.append(label)
    return resolved
