"""Reading a YAML config into a pydantic model, with every problem located by file, line and key.

YAML is composed into nodes first, so each key path (``topics.3.keywords.ru``) keeps the line it
was written on; pydantic's error locations are then looked up in that index. Duplicate keys,
which YAML loaders silently resolve to the last value, are reported too.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from otklik.errors import ConfigError

__all__ = [
    "ConfigIssue",
    "LocatedYaml",
    "YamlSyntaxError",
    "check_config",
    "did_you_mean",
    "issues_error",
    "parse_yaml",
    "read_yaml",
    "unknown_name",
    "validate_model",
    "write_atomically",
]

Key = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file, printed as ``file:line: key: message``."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key or '(top)'}: {self.message}"


@dataclass
class LocatedYaml:
    """A YAML document's data and the line of every key path in it."""

    file: str
    data: Any
    lines: dict[Key, int]
    issues: list[ConfigIssue]

    def line_of(self, key: Sequence[str | int]) -> int:
        """The line of ``key``, or of its nearest ancestor that the file spells out."""
        path = tuple(key)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def issue(self, key: Sequence[str | int], message: str) -> ConfigIssue:
        return ConfigIssue(self.file, self.line_of(key), _dotted(key), message)


def _dotted(key: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in key)


def _index(node: yaml.Node, path: Key, doc: LocatedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            child = (*path, name)
            if name in seen:
                doc.issues.append(
                    ConfigIssue(
                        doc.file,
                        key_node.start_mark.line + 1,
                        _dotted(child),
                        "duplicate key (the earlier value would be silently lost)",
                    )
                )
            seen.add(name)
            doc.lines.setdefault(child, key_node.start_mark.line + 1)
            _index(value_node, child, doc)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            child = (*path, position)
            doc.lines.setdefault(child, item.start_mark.line + 1)
            _index(item, child, doc)


class YamlSyntaxError(ConfigError):
    """Text that is not valid YAML; ``issue`` locates the problem."""

    def __init__(self, issue: ConfigIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def read_yaml(path: Path, *, what: str) -> LocatedYaml:
    """Parse ``path``; a file that cannot be read or parsed raises :class:`ConfigError`."""
    label = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{what} {label}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} {label}: not UTF-8 text") from exc
    return parse_yaml(source, label)


def parse_yaml(source: str, label: str) -> LocatedYaml:
    """Parse YAML text named ``label``; invalid YAML raises :class:`YamlSyntaxError`."""
    # One parse: the node tree gives the lines (read first: constructing may flatten merge keys
    # in place), then the data is constructed from that same tree, as yaml.safe_load does after
    # composing, instead of parsing the text a second time. libyaml's parser (PyYAML's C one,
    # ~9× faster on the shipped files: the taxonomy is read by every process that classifies)
    # where PyYAML has it; text it refuses is parsed again by the pure-Python parser, whose
    # messages the issues quote.
    try:
        return _parse(source, label, _FAST_LOADER)
    except YamlSyntaxError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
    return _parse(source, label, yaml.SafeLoader)


_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(source: str, label: str, loader_class: type[yaml.SafeLoader]) -> LocatedYaml:
    loader = loader_class(source)
    doc = LocatedYaml(label, None, {(): 1}, [])
    try:
        node = loader.get_single_node()
        if node is not None:
            _index(node, (), doc)
            doc.data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        issue = ConfigIssue(label, line, "", f"not valid YAML: {problem}")
        raise YamlSyntaxError(issue) from exc
    finally:
        loader.dispose()
    return doc


def validate_model(
    doc: LocatedYaml, model: type[ModelT]
) -> tuple[ModelT | None, list[ConfigIssue]]:
    """The model built from ``doc``, or None and every problem pydantic found, located."""
    issues = list(doc.issues)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        issues.append(doc.issue((), "expected a mapping of keys at the top of the file"))
        return None, issues
    try:
        return model.model_validate(data), issues
    except ValidationError as exc:
        for error in exc.errors():
            location = tuple(part for part in error["loc"] if isinstance(part, str | int))
            message = error["msg"].removeprefix("Value error, ")
            issues.append(doc.issue(location, message))
        return None, issues


def check_config(
    doc: LocatedYaml,
    model: type[ModelT],
    check: Callable[[ModelT, LocatedYaml], list[ConfigIssue]] | None = None,
) -> tuple[ModelT | None, list[ConfigIssue]]:
    """Validate ``doc`` against ``model``, then run the file's own cross-checks.

    The config comes back only when there is no issue at all, so callers never act on a file
    that is half right.
    """
    config, issues = validate_model(doc, model)
    if config is not None and check is not None:
        issues += check(config, doc)
    return (config if not issues else None), issues


def did_you_mean(value: str, known: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'digital'?"`` for the known name closest to ``value`` (difflib's
    similarity ratio at least ``cutoff``), or ``""``."""
    close = difflib.get_close_matches(value, sorted(set(known)), n=1, cutoff=cutoff)
    if not close and value.lower() != value:
        close = [name for name in known if name == value.lower()][:1]
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_name(what: str, value: str, known: Iterable[str], *, plural: str | None = None) -> str:
    """The message for a reference to nothing: ``unknown team 'digitall'; did you mean
    'digital'? (teams: cards, cx, digital)``; ``plural`` defaults to ``what + "s"``."""
    names = sorted(set(known))
    listed = f" ({plural or what + 's'}: {', '.join(names)})" if names else ""
    return f"unknown {what} {value!r}{did_you_mean(value, names)}{listed}"


def issues_error(issues: Sequence[ConfigIssue]) -> ConfigError:
    """One :class:`ConfigError` naming every issue, one per line."""
    return ConfigError("\n".join(str(issue) for issue in issues))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` through a temporary file beside it
    and ``os.replace``: readers see the old file or the new one, never half of one. The file
    keeps its permissions (new files: 0644). Raises :class:`OSError` when it cannot be written.
    """
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
