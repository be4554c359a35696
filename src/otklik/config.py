"""Settings: one pydantic-settings object read from the environment (prefix ``OTKLIK_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite:///otklik.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    import_batch_size: int = 5000


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit values (e.g. ``--db``) taking precedence."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
