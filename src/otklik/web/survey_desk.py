"""What the public survey endpoints keep between requests (on ``app.state.surveys``).

The link signer (None, with the reason, when no real secret is configured: the endpoints then
answer 503), the survey cache, the one answer writer and the two rate limiters, built in the
app's lifespan and closed with it (the writer finishes what is queued first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from otklik.config import Settings
from otklik.errors import ConfigError
from otklik.incidents import AnswerWatch
from otklik.jobs import StoreRateLimiter
from otklik.surveys import AnswerWriter, LinkSigner, SurveyCache, signer_from_settings
from otklik.web.ratelimit import RateLimiter

__all__ = ["SurveyDesk"]


class SurveyDesk:
    """The public survey endpoints' state, built in the app's lifespan."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        shared: bool = False,
        on_items: Callable[[Sequence[int]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.max_body = settings.survey_max_body_kb * 1024
        self.cache = SurveyCache(engine)
        # Shared: every web worker draws from the same buckets in the store.
        self.by_ip: RateLimiter | StoreRateLimiter
        self.by_token: RateLimiter | StoreRateLimiter
        if shared:
            self.by_ip = StoreRateLimiter(engine, settings.survey_ip_per_minute, prefix="s-ip:")
            self.by_token = StoreRateLimiter(
                engine, settings.survey_token_per_minute, prefix="s-link:"
            )
        else:
            self.by_ip = RateLimiter(settings.survey_ip_per_minute)
            self.by_token = RateLimiter(settings.survey_token_per_minute)
        self.signer: LinkSigner | None = None
        self.problem: str | None = None
        self.writer: AnswerWriter | None = None
        try:
            self.signer = signer_from_settings(settings)
        except ConfigError as exc:
            self.problem = str(exc)
            return
        self.writer = AnswerWriter(
            engine,
            self.signer,
            batch_max=settings.survey_batch_max,
            on_items=on_items,
            after_batch=AnswerWatch(engine, settings)
            if settings.incidents_detect_on_import
            else None,
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
