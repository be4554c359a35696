"""Located YAML: libyaml's parser and PyYAML's pure-Python one read every shipped file the same
way, and text either refuses gets the pure-Python parser's message and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import otklik
from otklik.yamlconf import YamlSyntaxError, _parse, parse_yaml

SHIPPED = sorted(Path(otklik.__file__).parent.rglob("*.yaml"))


def test_the_shipped_files_are_found() -> None:
    names = {path.name for path in SHIPPED}
    assert {"taxonomy.yaml", "teams.yaml"} <= names, names


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_both_parsers_give_the_same_data_and_lines(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    fast = _parse(source, path.name, yaml.CSafeLoader)
    slow = _parse(source, path.name, yaml.SafeLoader)
    assert fast.data == slow.data == yaml.safe_load(source)
    assert fast.lines == slow.lines
    assert parse_yaml(source, path.name).lines == slow.lines


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        # PyYAML's own words for each fault (its scanner and parser), and the line it names
        ("a: [1, 2\n", 2, "expected ',' or ']', but got '<stream end>'"),
        ("a: 1\n  b: 2\n", 2, "mapping values are not allowed here"),
        ("a: 1\nb: 'open\n", 3, "found unexpected end of stream"),
        ("a: 1\n---\nb: 2\n", 2, "but found another document"),
    ],
)
def test_refused_text_is_named_as_the_pure_python_parser_names_it(
    text: str, line: int, problem: str
) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text, "edit")
    issue = caught.value.issue
    assert issue.line == line
    assert str(issue) == f"edit:{line}: (top): not valid YAML: {problem}"
