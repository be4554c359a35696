"""Prompts as files: ``<task>.<language>.txt``, shipped in ``otklik/llm/prompts/``.

A file starts with ``version: N`` and has a ``## system`` and a ``## user`` section; both are
:class:`string.Template` texts (``$text``, ``$topics`` …), so JSON braces need no escaping.
A directory named by ``OTKLIK_LLM_PROMPTS_DIR`` overrides the shipped files one by one.

A prompt's :attr:`Prompt.version` is ``<task>.<language>.v<N>-<8 hex of the file>``: editing
a file changes it even when ``version:`` is not bumped, so cached answers of the old wording
are never reused, and every stored LLM label names the exact prompt that produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from otklik.errors import ConfigError

__all__ = ["PROMPT_LANGUAGES", "TASKS", "Prompt", "load_prompt", "prompt_language"]

TASKS = ("classify", "summarize", "reply", "offer")
PROMPT_LANGUAGES = ("ru", "en")


@dataclass(frozen=True)
class Prompt:
    """One prompt file: its task, language, version and the two message templates."""

    task: str
    language: str
    number: int
    digest: str
    system: str
    user: str
    source: str  # where it was read from: "shipped" or the override file's path

    @property
    def version(self) -> str:
        return f"{self.task}.{self.language}.v{self.number}-{self.digest}"

    def messages(self, **values: object) -> list[dict[str, str]]:
        """The chat messages with ``values`` filled in; a missing value is a ConfigError."""
        filled = {key: "" if value is None else str(value) for key, value in values.items()}
        try:
            return [
                {"role": "system", "content": Template(self.system).substitute(filled)},
                {"role": "user", "content": Template(self.user).substitute(filled)},
            ]
        except (KeyError, ValueError) as exc:
            raise ConfigError(
                f"prompt {self.version} ({self.source}): bad placeholder {exc}"
            ) from None


def prompt_language(language: str | None) -> str:
    """The prompt language for an item's language: Russian for ``ru``, else English."""
    return "ru" if (language or "").lower().startswith("ru") else "en"


def load_prompt(task: str, language: str = "en", *, directory: Path | None = None) -> Prompt:
    """The prompt for ``task`` in ``language`` (``ru``/``en``), the override file first.

    Raises ConfigError for an unknown task or a file without ``version:`` and both sections.
    """
    if task not in TASKS:
        raise ConfigError(f"unknown prompt {task!r}: use one of {', '.join(TASKS)}")
    language = prompt_language(language)
    name = f"{task}.{language}.txt"
    if directory is not None and (Path(directory) / name).is_file():
        path = Path(directory) / name
        return _parse(task, language, path.read_text(encoding="utf-8"), str(path))
    text = resources.files("otklik.llm").joinpath("prompts", name).read_text(encoding="utf-8")
    return _parse(task, language, text, "shipped")


def _parse(task: str, language: str, text: str, source: str) -> Prompt:
    text = text.replace("\r\n", "\n")
    head, _, rest = text.partition("\n")
    key, _, number = head.partition(":")
    if key.strip() != "version" or not number.strip().isdecimal():
        raise ConfigError(f"{source}: the first line must be 'version: N'")
    system, marker, user = rest.partition("\n## user\n")
    system = system.removeprefix("## system\n")
    if not marker or not rest.startswith("## system\n"):
        raise ConfigError(f"{source}: needs a '## system' and a '## user' section")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return Prompt(task, language, int(number), digest, system.strip(), user.strip(), source)
