"""The taxonomy: topics (a tree, each with an owner team), feedback types, sentiments, CX pillars
and churn reasons, each with keywords and example phrases per language.

A taxonomy is YAML (see ``data/taxonomy.yaml``, the shipped default for a bank, marketplace or
telecom); :func:`load_taxonomy` validates it and names every problem as ``file:line: key: msg``.
A keyword is a word or a phrase, compared by normal forms (lemmas for Russian, stems for the
others); a single word ending in ``*`` matches any word that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from otklik.classify.text import RULE_LANGUAGES
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    YamlSyntaxError,
    check_config,
    issues_error,
    parse_yaml,
    read_yaml,
    unknown_name,
)

__all__ = [
    "DEFAULT_TAXONOMY",
    "FALLBACK_TYPE",
    "REQUIRED_SENTIMENTS",
    "REQUIRED_TYPES",
    "LabelSpec",
    "Taxonomy",
    "Topic",
    "TopicNode",
    "check_taxonomy",
    "load_taxonomy",
    "parse_taxonomy",
    "read_taxonomy",
]

DEFAULT_TAXONOMY = Path(str(resources.files("otklik.classify") / "data" / "taxonomy.yaml"))
REQUIRED_TYPES = ("complaint", "suggestion", "question", "praise")
FALLBACK_TYPE = "other"
REQUIRED_SENTIMENTS = ("negative", "neutral", "positive")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_STRICT = ConfigDict(extra="forbid")

Phrases = dict[str, list[str]]


class LabelSpec(BaseModel):
    """A label (type, sentiment, pillar, churn reason) and the words that signal it."""

    model_config = _STRICT

    label: dict[str, str] = {}
    description: str | None = None
    keywords: Phrases = {}
    examples: Phrases = {}


class Topic(LabelSpec):
    """A topic; ``owner`` is the team responsible (inherited from the parent when left out)."""

    id: str
    owner: str | None = None
    topics: list[Topic] = []


class Taxonomy(BaseModel):
    model_config = _STRICT

    version: int = Field(1, ge=1, le=1)
    default_owner: str
    types: dict[str, LabelSpec]
    sentiments: dict[str, LabelSpec]
    negations: Phrases = {}
    contrast: Phrases = {}
    pillars: dict[str, LabelSpec] = {}
    churn_reasons: dict[str, LabelSpec] = {}
    topics: list[Topic]

    @property
    def type_names(self) -> list[str]:
        names = list(self.types)
        return names if FALLBACK_TYPE in names else [*names, FALLBACK_TYPE]

    def flat_topics(self) -> list[TopicNode]:
        """Every topic, parents before children, with full dotted ids and resolved owners."""
        return list(_walk(self.topics, None, self.default_owner))

    def topic_ids(self) -> list[str]:
        return [node.id for node in self.flat_topics()]


@dataclass(frozen=True)
class TopicNode:
    id: str  # full dotted path, e.g. "app.login"
    topic: Topic
    owner: str
    parent: str | None

    def title(self, language: str = "en") -> str:
        return self.topic.label.get(language) or self.topic.label.get("en") or self.id


def _walk(topics: list[Topic], parent: str | None, owner: str) -> Iterator[TopicNode]:
    for topic in topics:
        full = topic.id if parent is None else f"{parent}.{topic.id}"
        resolved = topic.owner or owner
        yield TopicNode(full, topic, resolved, parent)
        yield from _walk(topic.topics, full, resolved)


def _check_phrases(
    doc: LocatedYaml, key: tuple[str | int, ...], phrases: Phrases
) -> list[ConfigIssue]:
    issues = []
    for language, words in phrases.items():
        if language not in RULE_LANGUAGES:
            issues.append(
                doc.issue(
                    (*key, language),
                    f"unknown language {language!r}; use ISO codes such as ru, en, id, ar, es",
                )
            )
        for position, word in enumerate(words):
            text = word.strip()
            if not text:
                issues.append(doc.issue((*key, language, position), "empty keyword"))
            elif "*" in text and (not text.endswith("*") or " " in text or text.count("*") > 1):
                issues.append(
                    doc.issue(
                        (*key, language, position),
                        f"{word!r}: '*' is allowed only at the end of a single word",
                    )
                )
    return issues


def _check_label(
    doc: LocatedYaml, key: tuple[str | int, ...], spec: LabelSpec
) -> list[ConfigIssue]:
    return _check_phrases(doc, (*key, "keywords"), spec.keywords) + _check_phrases(
        doc, (*key, "examples"), spec.examples
    )


def _check_topics(
    doc: LocatedYaml,
    topics: list[Topic],
    key: tuple[str | int, ...],
    parent: str | None,
    seen: dict[str, tuple[str | int, ...]],
    teams: set[str] | None,
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for position, topic in enumerate(topics):
        here = (*key, position)
        full = topic.id if parent is None else f"{parent}.{topic.id}"
        if not _SLUG.match(topic.id):
            issues.append(
                doc.issue((*here, "id"), f"{topic.id!r}: use lower-case letters, digits and _")
            )
        if full in seen:
            first = doc.line_of(seen[full])
            issues.append(
                doc.issue((*here, "id"), f"duplicate topic {full!r} (first at line {first})")
            )
        seen.setdefault(full, (*here, "id"))
        if teams is not None and topic.owner is not None and topic.owner not in teams:
            issues.append(doc.issue((*here, "owner"), unknown_name("team", topic.owner, teams)))
        issues += _check_label(doc, here, topic)
        issues += _check_topics(doc, topic.topics, (*here, "topics"), full, seen, teams)
    return issues


def check_taxonomy(
    doc: LocatedYaml, taxonomy: Taxonomy, *, teams: set[str] | None = None
) -> list[ConfigIssue]:
    """Problems pydantic cannot see: languages, required labels, duplicate ids, unknown teams."""
    issues: list[ConfigIssue] = []
    for name in REQUIRED_TYPES:
        if name not in taxonomy.types:
            issues.append(doc.issue(("types",), f"missing the type {name!r}"))
    if sorted(taxonomy.sentiments) != sorted(REQUIRED_SENTIMENTS):
        issues.append(
            doc.issue(
                ("sentiments",), f"sentiments must be exactly {', '.join(REQUIRED_SENTIMENTS)}"
            )
        )
    for section in ("types", "sentiments", "pillars", "churn_reasons"):
        specs: dict[str, LabelSpec] = getattr(taxonomy, section)
        for name, spec in specs.items():
            if not _SLUG.match(name):
                issues.append(
                    doc.issue((section, name), f"{name!r}: use lower-case letters, digits and _")
                )
            issues += _check_label(doc, (section, name), spec)
    issues += _check_phrases(doc, ("negations",), taxonomy.negations)
    issues += _check_phrases(doc, ("contrast",), taxonomy.contrast)
    if teams is not None and taxonomy.default_owner not in teams:
        issues.append(
            doc.issue(("default_owner",), unknown_name("team", taxonomy.default_owner, teams))
        )
    if not taxonomy.topics:
        issues.append(doc.issue(("topics",), "at least one topic is needed"))
    issues += _check_topics(doc, taxonomy.topics, ("topics",), None, {}, teams)
    return issues


def read_taxonomy(
    path: Path | None = None, *, teams: set[str] | None = None
) -> tuple[Taxonomy | None, list[ConfigIssue]]:
    """The taxonomy at ``path`` (default: the shipped one) and every problem found in it."""
    return _checked(read_yaml(path or DEFAULT_TAXONOMY, what="taxonomy"), teams)


def _checked(doc: LocatedYaml, teams: set[str] | None) -> tuple[Taxonomy | None, list[ConfigIssue]]:
    return check_config(
        doc, Taxonomy, lambda taxonomy, located: check_taxonomy(located, taxonomy, teams=teams)
    )


def parse_taxonomy(
    source: str, label: str = "taxonomy.yaml", *, teams: set[str] | None = None
) -> tuple[Taxonomy | None, list[ConfigIssue]]:
    """Taxonomy YAML text checked exactly as :func:`read_taxonomy` checks a file (``label``
    names it in the issues); invalid YAML is one issue, not an exception."""
    try:
        doc = parse_yaml(source, label)
    except YamlSyntaxError as exc:
        return None, [exc.issue]
    return _checked(doc, teams)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy at ``path`` (default: the shipped one); any problem raises ConfigError."""
    taxonomy, issues = read_taxonomy(path)
    if taxonomy is None:
        raise issues_error(issues)
    return taxonomy
