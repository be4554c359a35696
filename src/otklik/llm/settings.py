"""LLM settings: one pydantic-settings object read from ``OTKLIK_LLM_*``.

``allow_send`` is the switch for companies that allow only local models: when it is false no
text leaves the machine unless ``base_url`` points at this host (127.0.0.1, ::1, localhost);
with ``local_only`` even that is refused and every LLM call raises :class:`LlmRefused`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from otklik.config import settings_error
from otklik.llm.errors import LlmRefused

__all__ = ["LOCAL_HOSTS", "LlmSettings", "load_llm_settings"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class LlmSettings(BaseSettings):
    """Where the OpenAI-compatible endpoint is, what it costs and how hard to push it."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_LLM_", extra="ignore")

    base_url: str | None = None  # e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1
    model: str | None = None
    api_key: str | None = None
    # False: texts may go only to an endpoint on this machine (vLLM, Ollama, llama.cpp here).
    allow_send: bool = True
    disabled: bool = False  # True: no LLM call at all, not even a local one
    prompts_dir: Path | None = None  # edited prompts; a file here replaces the shipped one
    timeout_s: float = 60.0
    retries: int = 3  # further tries after a 429, a 5xx, a timeout or a malformed answer
    backoff_s: float = 1.0  # first wait; doubled each try unless Retry-After says otherwise
    max_wait_s: float = 60.0  # the longest single wait, Retry-After included
    concurrency: int = 4  # requests in flight at once
    temperature: float = 0.0
    max_tokens: int = 800
    price_prompt_per_1k: float = 0.0  # money per 1,000 prompt tokens (the currency is yours)
    price_completion_per_1k: float = 0.0
    web_max_items: int = 20  # the most items one run from the web page sends

    def is_local(self) -> bool:
        """Whether ``base_url`` is on this machine."""
        host = urlsplit(self.base_url or "").hostname or ""
        return host in LOCAL_HOSTS

    def require_endpoint(self) -> tuple[str, str]:
        """(base_url, model), or :class:`LlmRefused` saying which setting forbids or lacks it."""
        if self.disabled:
            raise LlmRefused("LLM calls are switched off (OTKLIK_LLM_DISABLED=true)")
        if not self.base_url or not self.model:
            raise LlmRefused(
                "no LLM endpoint: set OTKLIK_LLM_BASE_URL and OTKLIK_LLM_MODEL (see docs/llm.md)"
            )
        if not self.allow_send and not self.is_local():
            raise LlmRefused(
                f"OTKLIK_LLM_ALLOW_SEND=false: texts may not leave this machine, and "
                f"{self.base_url} is not local (use a model served on 127.0.0.1)"
            )
        return self.base_url.rstrip("/"), self.model


def load_llm_settings(**overrides: object) -> LlmSettings:
    """Settings from the environment, explicit values taking precedence."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return LlmSettings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise settings_error(exc, "OTKLIK_LLM_") from None
