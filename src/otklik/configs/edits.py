"""Form edits of the YAML documents: add, change or remove one topic, team or KPI.

Each function takes the document's text and returns the new text. Edits are made on a
round-trip parse (ruamel.yaml), so comments, key order and flow style (``{ru: …, en: …}``) of
everything else survive and the diff shows only what the form changed. Invalid results are not
refused here; :func:`otklik.configs.save_config` validates. Raises
:class:`~otklik.errors.ConfigError` when the text is not YAML or not a mapping, or a topic's
parent does not exist.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from otklik.errors import ConfigError

__all__ = ["remove_kpi", "remove_team", "remove_topic", "set_kpi", "set_team", "set_topic"]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _load(source: str) -> CommentedMap:
    try:
        doc = _yaml().load(source) if source.strip() else CommentedMap()
    except YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}") from None
    if not isinstance(doc, CommentedMap):
        raise ConfigError("expected a mapping of keys at the top of the document")
    return doc


def _dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _edit(source: str, change: Callable[[CommentedMap], None]) -> str:
    """``source`` with ``change`` applied to its parse, touching only the lines that change.

    A round trip re-flows long flow lists, so the changed lines of the re-dumped text are
    spliced into the original text; when that cannot be done exactly (the result must load to
    the same data), the whole re-dumped text is returned.
    """
    doc = _load(source)
    normalized = _dump(doc)
    change(doc)
    modified = _dump(doc)
    spliced = _splice(source, normalized, modified)
    if spliced is not None and pyyaml.safe_load(spliced) == pyyaml.safe_load(modified):
        return spliced
    return modified


def _splice(original: str, normalized: str, modified: str) -> str | None:
    o, n, m = (text.splitlines(keepends=True) for text in (original, normalized, modified))
    to_o: dict[int, int] = {}
    for tag, i1, _i2, j1, j2 in difflib.SequenceMatcher(None, o, n, autojunk=False).get_opcodes():
        if tag == "equal":
            to_o.update({j1 + k: i1 + k for k in range(j2 - j1)})
    edits: list[tuple[int, int, list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, n, m, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            found = [to_o.get(k) for k in range(i1, i2)]
            if any(k is None for k in found):
                return None
            start = found[0]
            assert start is not None
            if found != list(range(start, start + len(found))):
                return None
            end = start + len(found)
        elif i1 in to_o:
            start = end = to_o[i1]
        elif i1 - 1 in to_o:
            start = end = to_o[i1 - 1] + 1
        elif i1 == len(n):
            start = end = len(o)
        else:
            return None
        edits.append((start, end, m[j1:j2]))
    out: list[str] = []
    position = 0
    for start, end, lines in edits:
        if start < position:
            return None
        out += o[position:start] + lines
        position = end
    return "".join(out + o[position:])


def _flow_map(values: Mapping[str, Any]) -> CommentedMap:
    flow = CommentedMap(values)
    flow.fa.set_flow_style()
    return flow


def _flow_seq(values: list[str]) -> CommentedSeq:
    flow = CommentedSeq(values)
    flow.fa.set_flow_style()
    return flow


def _replace(target: MutableMapping[str, Any], key: str, value: Any) -> None:
    """Set ``target[key]`` (dropping it for an empty value), keeping a mapping's own style."""
    if value in (None, "", {}, []):
        target.pop(key, None)
        return
    current = target.get(key)
    if isinstance(value, Mapping) and isinstance(current, MutableMapping):
        for old in [k for k in current if k not in value]:
            del current[old]
        for name, item in value.items():
            if isinstance(item, list) and isinstance(current.get(name), list):
                current[name][:] = item
            elif isinstance(item, list):
                current[name] = _flow_seq(item)
            else:
                current[name] = item
        return
    if isinstance(value, Mapping):
        value = _flow_map({k: _flow_seq(v) if isinstance(v, list) else v for k, v in value.items()})
    target[key] = value


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", {}, [])}


def _siblings(doc: CommentedMap, topic_id: str) -> tuple[CommentedSeq, str]:
    """The list holding the topic ``topic_id`` (dotted) and its last id part."""
    *parents, leaf = topic_id.strip().split(".")
    topics = doc.setdefault("topics", CommentedSeq())
    for depth, part in enumerate(parents):
        parent: Any = next(
            (t for t in topics if isinstance(t, Mapping) and t.get("id") == part), None
        )
        if parent is None:
            raise ConfigError(f"no topic {'.'.join(parents[: depth + 1])!r} to put {leaf!r} in")
        topics = parent.setdefault("topics", CommentedSeq())
    return topics, leaf


def set_topic(
    source: str,
    topic_id: str,
    *,
    labels: Mapping[str, str],
    owner: str | None = None,
    keywords: Mapping[str, list[str]] | None = None,
) -> str:
    """The taxonomy with the topic ``topic_id`` (dotted, e.g. ``app.login``) added or changed:
    its titles per language, owner team (None: inherited) and keywords per language."""

    def change(doc: CommentedMap) -> None:
        topics, leaf = _siblings(doc, topic_id)
        topic: Any = next(
            (t for t in topics if isinstance(t, Mapping) and t.get("id") == leaf), None
        )
        if topic is None:
            topic = CommentedMap(id=leaf)
            topics.append(topic)
        _replace(topic, "label", _clean(labels))
        if owner and "owner" not in topic:
            topic.insert(2, "owner", owner)
        else:
            _replace(topic, "owner", owner)
        _replace(topic, "keywords", _clean(keywords or {}))

    return _edit(source, change)


def remove_topic(source: str, topic_id: str) -> str:
    """The taxonomy without the topic ``topic_id`` (and its subtopics)."""

    def change(doc: CommentedMap) -> None:
        topics, leaf = _siblings(doc, topic_id)
        topics[:] = [t for t in topics if not (isinstance(t, Mapping) and t.get("id") == leaf)]

    return _edit(source, change)


def set_team(
    source: str,
    name: str,
    *,
    labels: Mapping[str, str],
    sla_hours: float,
    first_response_hours: float | None = None,
    escalate_to: str | None = None,
) -> str:
    """The teams file with the team ``name`` added or changed."""

    def change(doc: CommentedMap) -> None:
        teams = doc.setdefault("teams", CommentedMap())
        spec = teams.get(name)
        if not isinstance(spec, CommentedMap):
            spec = teams[name] = CommentedMap()
        _replace(spec, "label", _clean(labels))
        spec["sla_hours"] = sla_hours
        _replace(spec, "first_response_hours", first_response_hours)
        _replace(spec, "escalate_to", escalate_to)

    return _edit(source, change)


def remove_team(source: str, name: str) -> str:
    """The teams file without the team ``name``."""

    def change(doc: CommentedMap) -> None:
        teams = doc.get("teams")
        if isinstance(teams, MutableMapping):
            teams.pop(name, None)

    return _edit(source, change)


def set_kpi(source: str, kpi: Mapping[str, Any]) -> str:
    """The KPI file with ``kpi`` (a mapping with ``name``) added, or replacing the KPI of that
    name in place."""

    def change(doc: CommentedMap) -> None:
        kpis = doc.setdefault("kpis", CommentedSeq())
        cleaned = CommentedMap(_clean(kpi))
        for position, existing in enumerate(kpis):
            if isinstance(existing, Mapping) and existing.get("name") == kpi.get("name"):
                kpis[position] = cleaned
                break
        else:
            kpis.append(cleaned)

    return _edit(source, change)


def remove_kpi(source: str, name: str) -> str:
    """The KPI file without the KPI ``name``."""

    def change(doc: CommentedMap) -> None:
        kpis = doc.get("kpis")
        if isinstance(kpis, list):
            kpis[:] = [k for k in kpis if not (isinstance(k, Mapping) and k.get("name") == name)]

    return _edit(source, change)
