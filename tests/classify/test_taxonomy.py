"""The taxonomy and teams files: the shipped ones are valid; broken ones are located exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from otklik.classify import DEFAULT_TAXONOMY, load_taxonomy, read_taxonomy
from otklik.errors import ConfigError
from otklik.routing import DEFAULT_TEAMS, check_configs, load_teams

MINIMAL = """\
version: 1
default_owner: cx
types:
  complaint: {keywords: {ru: [жалоба]}}
  suggestion: {}
  question: {}
  praise: {}
sentiments:
  negative: {keywords: {en: [bad]}}
  neutral: {}
  positive: {}
topics:
  - id: app
    owner: digital
    keywords: {ru: [приложение]}
    topics:
      - id: login
        keywords: {en: [login]}
"""
TEAMS = """\
version: 1
default_team: cx
teams:
  cx: {sla_hours: 72}
  digital: {sla_hours: 24, first_response_hours: 4, escalate_to: cx}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_taxonomy_covers_the_cx_basics() -> None:
    taxonomy = load_taxonomy()
    ids = set(taxonomy.topic_ids())
    for topic in (
        "payments.fees",
        "cards",
        "app.login",
        "app.crash",
        "delivery",
        "support.waiting",
        "support.operator",
        "support.handoffs",
        "pricing",
        "loyalty",
        "quality",
    ):
        assert topic in ids
    assert {"complaint", "suggestion", "question", "praise"} <= set(taxonomy.types)
    assert set(taxonomy.sentiments) == {"negative", "neutral", "positive"}
    assert set(taxonomy.pillars) == {
        "integrity",
        "resolution",
        "expectations",
        "time_effort",
        "personalisation",
        "empathy",
    }
    assert taxonomy.churn_reasons
    raw = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    for topic in raw["topics"]:  # every top topic has ru, en, id, ar and es keywords
        assert {"ru", "en", "id", "ar", "es"} <= set(topic["keywords"]), topic["id"]


def test_shipped_configs_are_consistent() -> None:
    check = check_configs()
    assert check.ok, [str(issue) for issue in check.issues]
    assert check.topics == len(load_taxonomy().flat_topics())
    owners = {node.owner for node in load_taxonomy().flat_topics()}
    assert owners <= set(load_teams().teams)


def test_children_inherit_their_parents_owner(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(_write(tmp_path, "t.yaml", MINIMAL))
    nodes = {node.id: node for node in taxonomy.flat_topics()}
    assert nodes["app.login"].owner == "digital"
    assert nodes["app.login"].parent == "app"
    assert taxonomy.type_names[-1] == "other"  # the fallback type is always there


@pytest.mark.parametrize(
    ("change", "line", "key", "message"),
    [
        (
            ("keywords: {ru: [приложение]}", "keywords: {xx: [приложение]}"),
            15,
            "topics.0.keywords.xx",
            "unknown language 'xx'",
        ),
        (("      - id: login", "      - id: Login"), 17, "topics.0.topics.0.id", "use lower-case"),
        (
            ("    owner: digital", "    owner: nobody"),
            14,
            "topics.0.owner",
            "unknown team 'nobody'",
        ),
        (
            ("keywords: {en: [login]}", "keywords: {en: ['log*in']}"),
            18,
            "topics.0.topics.0.keywords.en.0",
            "'*' is allowed only at the end",
        ),
        (("  praise: {}\n", ""), 3, "types", "missing the type 'praise'"),
        (("  neutral: {}\n", ""), 8, "sentiments", "sentiments must be exactly"),
        (("default_owner: cx\n", ""), 1, "default_owner", "Field required"),
        (
            ("  question: {}", "  question: {keyword: []}"),
            6,
            "types.question.keyword",
            "Extra inputs are not permitted",
        ),
        (
            ("  suggestion: {}", "  suggestion: {}\n  suggestion: {}"),
            6,
            "types.suggestion",
            "duplicate key",
        ),
    ],
)
def test_problems_are_located_by_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], line: int, key: str, message: str
) -> None:
    assert change[0] in MINIMAL
    path = _write(tmp_path, "t.yaml", MINIMAL.replace(change[0], change[1], 1))
    teams = {"cx", "digital"}
    taxonomy, issues = read_taxonomy(path, teams=teams)
    assert taxonomy is None
    located = [(i.file, i.line, i.key) for i in issues if message in i.message]
    assert located == [(str(path), line, key)], [str(i) for i in issues]


def test_duplicate_topic_ids_name_the_first(tmp_path: Path) -> None:
    text = MINIMAL + "  - id: app\n    keywords: {en: [app]}\n"
    _, issues = read_taxonomy(_write(tmp_path, "t.yaml", text))
    assert [str(i).split(": ", 1)[1] for i in issues] == [
        "topics.1.id: duplicate topic 'app' (first at line 13)"
    ]
    assert issues[0].line == 19


def test_broken_yaml_and_missing_file_raise_config_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.yaml", MINIMAL.replace("  - id: app", "  - id: [app"))
    with pytest.raises(ConfigError, match=r"t\.yaml:\d+: \(top\): not valid YAML"):
        load_taxonomy(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_teams_file_problems_and_cross_check(tmp_path: Path) -> None:
    teams = _write(
        tmp_path,
        "teams.yaml",
        TEAMS.replace("escalate_to: cx", "escalate_to: boss").replace(
            "sla_hours: 72", "sla_hours: -1"
        ),
    )
    taxonomy = _write(tmp_path, "t.yaml", MINIMAL)
    check = check_configs(taxonomy, teams)
    assert sorted(str(i).replace(str(tmp_path) + "/", "") for i in check.issues) == [
        "teams.yaml:4: teams.cx.sla_hours: Input should be greater than 0",
    ]
    teams = _write(tmp_path, "teams.yaml", TEAMS.replace("escalate_to: cx", "escalate_to: boss"))
    check = check_configs(taxonomy, teams)
    assert [str(i).replace(str(tmp_path) + "/", "") for i in check.issues] == [
        "teams.yaml:5: teams.digital.escalate_to: unknown team 'boss' (teams: cx, digital)"
    ]
    teams = _write(tmp_path, "teams.yaml", TEAMS.replace("  digital:", "  web:"))
    check = check_configs(taxonomy, teams)
    assert [str(i).replace(str(tmp_path) + "/", "") for i in check.issues] == [
        "t.yaml:14: topics.0.owner: unknown team 'digital' (teams: cx, web)"
    ]
    assert str(DEFAULT_TEAMS).endswith("teams.yaml")
