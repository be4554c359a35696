"""Message templates per type and language, with variables, checked for every channel.

A templates file (YAML, see ``data/templates.yaml``) lists templates: a ``name``, the message
``type``, the ``language`` (ru, en, id, ar, es), the form of ``address`` (formal: Вы, usted,
Anda; informal: ты, tú, kamu), the ``channels`` it is sent on, an optional ``subject`` (e-mail
subject, push title) and the ``body``. Variables are ``$name`` or ``${name}``; a template must
declare them in ``variables`` so a missing value is caught when it is rendered, not by the
customer reading ``$eta``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template as _Text
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from otklik.contact.checks import TextCheck, check_text
from otklik.contact.policy import CHANNELS, TYPES
from otklik.errors import ConfigError
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    check_config,
    issues_error,
    parse_yaml,
    unknown_name,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "LANGUAGES",
    "MessageTemplate",
    "Rendered",
    "Templates",
    "parse_templates",
    "preview",
    "render",
]

DEFAULT_TEMPLATES = Path(str(resources.files("otklik.contact") / "data" / "templates.yaml"))
LANGUAGES = ("ru", "en", "id", "ar", "es")


def _in(what: str, known: tuple[str, ...]) -> Any:
    def check(value: str) -> str:
        if value not in known:
            raise ValueError(unknown_name(what, value, known))
        return value

    return AfterValidator(check)


class MessageTemplate(BaseModel):
    """One template; ``variables`` are the names its subject and body use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    type: Annotated[str, _in("message type", TYPES)]
    language: Annotated[str, _in("language", LANGUAGES)]
    address: Literal["formal", "informal", "none"] = "formal"
    channels: tuple[Annotated[str, _in("channel", CHANNELS)], ...] = Field(min_length=1)
    subject: str | None = Field(default=None, max_length=500)
    body: str = Field(min_length=1, max_length=10_000)
    variables: tuple[str, ...] = ()

    def used(self) -> set[str]:
        names: set[str] = set()
        for text in (self.subject or "", self.body):
            for match in _Text.pattern.finditer(text):
                name = match.group("named") or match.group("braced")
                if name:
                    names.add(name)
        return names


class Templates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    templates: tuple[MessageTemplate, ...] = ()

    def get(self, name: str) -> MessageTemplate:
        for template in self.templates:
            if template.name == name:
                return template
        raise ConfigError(unknown_name("template", name, [t.name for t in self.templates]))


def _check(config: Templates, doc: LocatedYaml) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    seen: dict[str, int] = {}
    for position, template in enumerate(config.templates):
        if template.name in seen:
            issues.append(
                doc.issue(
                    ("templates", position, "name"), f"template {template.name!r} is given twice"
                )
            )
        seen.setdefault(template.name, position)
        undeclared = sorted(template.used() - set(template.variables))
        if undeclared:
            issues.append(
                doc.issue(
                    ("templates", position, "body"),
                    f"undeclared variable(s): {', '.join(undeclared)} (add to variables)",
                )
            )
        if "email" in template.channels and not template.subject:
            issues.append(
                doc.issue(("templates", position, "channels"), "an e-mail template needs a subject")
            )
    return issues


def parse_templates(
    source: str, label: str = "<templates>"
) -> tuple[Templates | None, list[ConfigIssue]]:
    """The templates in ``source`` and every problem, each with its line."""
    return check_config(parse_yaml(source, label), Templates, _check)


def load_templates(path: Path | None = None) -> Templates:
    target = path or DEFAULT_TEMPLATES
    config, issues = parse_templates(target.read_text(encoding="utf-8"), str(target))
    if config is None:
        raise issues_error(issues)
    return config


@dataclass(frozen=True)
class Rendered:
    """A template filled in for one channel, and what the checks found."""

    template: str
    channel: str
    subject: str | None
    body: str
    check: TextCheck

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "channel": self.channel,
            "subject": self.subject,
            "body": self.body,
            "check": self.check.to_dict(),
        }


def render(template: MessageTemplate, values: Mapping[str, object], channel: str) -> Rendered:
    """Fill ``template`` with ``values`` for ``channel``; a missing value is a ConfigError."""
    if channel not in template.channels:
        raise ConfigError(
            f"template {template.name} is not for {channel} (its channels: "
            f"{', '.join(template.channels)})"
        )
    missing = sorted(name for name in template.used() if name not in values)
    if missing:
        raise ConfigError(f"template {template.name}: no value for {', '.join(missing)}")
    filled = {key: str(value) for key, value in values.items()}
    body = _Text(template.body).safe_substitute(filled)
    subject = _Text(template.subject).safe_substitute(filled) if template.subject else None
    result = check_text(
        body,
        channel=channel,
        subject=subject if channel in ("email", "push") else None,
        language=template.language,
        address=template.address,
    )
    return Rendered(template.name, channel, subject, body, result)


def preview(template: MessageTemplate, values: Mapping[str, object]) -> list[Rendered]:
    """The template rendered and checked on each of its channels; variables without a value
    are shown as ``[name]`` so the preview works before the data is there."""
    shown = {name: values.get(name, f"[{name}]") for name in template.used()}
    return [render(template, shown, channel) for channel in template.channels]
