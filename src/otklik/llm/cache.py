"""Where validated answers are kept: the store (``llm_cache``) or memory (evaluations).

The key is the SHA-256 of the model name, the prompt version and the masked messages: the
same content asked with the same prompt of the same model is answered from here, at no cost.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from otklik.ledger import LlmCacheEntry

__all__ = ["Cache", "CachedAnswer", "MemoryCache", "StoreCache", "cache_key"]


@dataclass(frozen=True)
class CachedAnswer:
    content: str
    prompt_tokens: int
    completion_tokens: int


class Cache(Protocol):
    def get(self, key: str) -> CachedAnswer | None: ...

    def put(self, key: str, answer: CachedAnswer, *, model: str, prompt_version: str) -> None: ...


def cache_key(model: str, prompt_version: str, messages: list[dict[str, str]]) -> str:
    """64 hex characters naming (model, prompt version, messages)."""
    payload = json.dumps([model, prompt_version, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class MemoryCache:
    """A dict behind a lock: for one process's run (``otklik model eval --method llm``)."""

    def __init__(self) -> None:
        self._found: dict[str, CachedAnswer] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            return self._found.get(key)

    def put(self, key: str, answer: CachedAnswer, *, model: str, prompt_version: str) -> None:
        with self._lock:
            self._found[key] = answer


class StoreCache:
    """The ``llm_cache`` table of the store; a key written twice keeps its first answer."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> CachedAnswer | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    LlmCacheEntry.content,
                    LlmCacheEntry.prompt_tokens,
                    LlmCacheEntry.completion_tokens,
                ).where(LlmCacheEntry.key == key)
            ).first()
        return CachedAnswer(row[0], int(row[1]), int(row[2])) if row else None

    def put(self, key: str, answer: CachedAnswer, *, model: str, prompt_version: str) -> None:
        values = {
            "key": key,
            "model": model[:200],
            "prompt_version": prompt_version[:100],
            "content": answer.content,
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
            "created_at": datetime.now(UTC).replace(tzinfo=None),
        }
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(LlmCacheEntry).values(**values).on_conflict_do_nothing()
        with self.engine.begin() as conn:
            conn.execute(statement)
