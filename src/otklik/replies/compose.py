"""Reply texts: the customer's language and form of address, from templates shipped as files.

``templates/<language>.yaml`` holds a ``subject``, a ``greeting`` (where the form of address
lives: Russian «Вы» and name with patronymic, Indonesian Bapak/Ibu/Kak, Arabic formal respect,
English "Dear Name"), a ``default_body`` and a ``closing``, each a Jinja template. The agent
writes the body; greeting and closing come from the template, so every reply addresses the
customer properly whoever sends it.

What is known of the customer comes from attributes (the customer's, overridden by the
item's): ``first_name``, ``patronymic``, ``last_name``, ``name``, ``gender`` (m/f, also
male/female, м/ж), ``email``, ``language``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from otklik.errors import ConfigError

__all__ = [
    "REPLY_LANGUAGES",
    "Addressee",
    "Reply",
    "addressee_of",
    "compose_reply",
    "default_body",
    "reply_language",
]

REPLY_LANGUAGES = ("ru", "en", "id", "ar")
_PARTS = ("subject", "greeting", "default_body", "closing")
_MALE = frozenset({"m", "male", "man", "м", "муж", "мужской", "laki-laki", "pria", "ذكر"})
_FEMALE = frozenset({"f", "female", "woman", "ж", "жен", "женский", "perempuan", "wanita", "أنثى"})
_ENV = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


@dataclass(frozen=True)
class Addressee:
    """What a reply may call the customer by (all optional)."""

    first_name: str | None = None
    patronymic: str | None = None
    last_name: str | None = None
    name: str | None = None
    gender: str | None = None  # "m", "f" or None
    email: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Reply:
    """A composed reply: its ``language``, ``subject`` and full ``text`` (greeting, body,
    closing)."""

    language: str
    subject: str
    text: str


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _gender(value: Any) -> str | None:
    text = (_clean(value) or "").lower()
    return "m" if text in _MALE else "f" if text in _FEMALE else None


def addressee_of(*attributes: Mapping[str, Any] | None) -> Addressee:
    """The addressee from attribute mappings, later ones overriding earlier (customer, item)."""
    merged: dict[str, Any] = {}
    for found in attributes:
        for key, value in (found or {}).items():
            if _clean(value) is not None:
                merged[key] = value
    return Addressee(
        first_name=_clean(merged.get("first_name")),
        patronymic=_clean(merged.get("patronymic")),
        last_name=_clean(merged.get("last_name")),
        name=_clean(merged.get("name")),
        gender=_gender(merged.get("gender")),
        email=_clean(merged.get("email")),
        language=_clean(merged.get("language")),
    )


def reply_language(*candidates: str | None, fallback: str = "ru") -> str:
    """The first of ``candidates`` (e.g. the item's language, the customer's) that has
    templates (``ru-RU`` counts as ``ru``), else ``fallback``."""
    for candidate in candidates:
        code = (candidate or "").strip().lower().replace("_", "-").split("-")[0]
        if code in REPLY_LANGUAGES:
            return code
    return fallback


@cache
def _templates(language: str) -> dict[str, Any]:
    if language not in REPLY_LANGUAGES:
        raise ConfigError(f"no reply templates for {language!r}; use {', '.join(REPLY_LANGUAGES)}")
    path = resources.files("otklik.replies") / "templates" / f"{language}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {part: _ENV.from_string(str(data[part])) for part in _PARTS}


def _context(addressee: Addressee, **extra: Any) -> dict[str, Any]:
    return {**addressee.__dict__, **extra}


def default_body(language: str) -> str:
    """The template's suggested body (the agent edits it before sending)."""
    return str(_templates(language)["default_body"].render()).strip()


def compose_reply(
    language: str, addressee: Addressee, body: str, *, case_id: int, signature: str
) -> Reply:
    """The reply in ``language`` (of :data:`REPLY_LANGUAGES`; else ConfigError): the greeting
    for ``addressee``, the agent's ``body``, the closing signed ``signature``."""
    if not body.strip():
        raise ConfigError("a reply needs a text")
    parts = _templates(language)
    context = _context(addressee, case_id=case_id, signature=signature)
    greeting = parts["greeting"].render(context).strip()
    closing = parts["closing"].render(context).strip()
    text = f"{greeting}\n\n{body.strip()}\n\n{closing}\n"
    return Reply(language=language, subject=parts["subject"].render(context).strip(), text=text)
