"""Token-bucket rate limits for the public endpoints (per client address, per survey link).

Each key may make ``per_minute`` requests in a burst and regains one every
``60 / per_minute`` seconds. Buckets live in this process's memory; with several server
processes each enforces its own share. Idle buckets are dropped so a flood of distinct keys
cannot grow memory without bound.
"""

from __future__ import annotations

import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """``hit(key)`` is None while ``key`` is within its rate, else the seconds to wait."""

    def __init__(self, per_minute: int, *, max_keys: int = 100_000) -> None:
        if per_minute < 1:
            raise ValueError("a rate limit needs at least 1 request a minute")
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self._rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_keys:
                self._prune(now)
        return None

    def _prune(self, now: float) -> None:
        refill = self._burst / self._rate
        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if now - bucket[1] < refill
        }
        if len(self._buckets) > self.max_keys:
            newest = sorted(self._buckets.items(), key=lambda item: item[1][1])
            self._buckets = dict(newest[len(newest) // 2 :])

    def __len__(self) -> int:
        return len(self._buckets)
