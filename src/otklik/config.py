"""Settings: one pydantic-settings object read from the environment (prefix ``OTKLIK_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from otklik.errors import ConfigError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ENV_FILE",
    "PLACEHOLDER_SECRETS",
    "Settings",
    "ensure_secret_in_env_file",
    "env_file",
    "load_settings",
    "set_in_env_file",
    "settings_error",
]

DEFAULT_DATABASE_URL = "sqlite:///otklik.db"
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "secret", "dev"})
_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    import_batch_size: int = 50_000  # rows per transaction (docs/import.md)
    import_max_text_chars: int = 20_000  # longest comment an import stores (see docs/import.md)
    import_max_mb: int = 2048  # largest file `otklik import` reads (refused before parsing)
    # The reporting time zone (IANA name): where days, weeks, months, quarters and years of
    # every metric, KPI, page and export are cut. Times are stored in UTC whatever it is.
    timezone: str = "UTC"

    # Classification and routing (`otklik classify`, `otklik cases`).
    taxonomy: Path | None = None  # default: the taxonomy shipped in otklik.classify
    teams: Path | None = None  # default: the teams shipped in otklik.routing
    # KPI definitions; unset: kpis_local when that file exists, else the set shipped in
    # otklik.kpi. The web editor saves to kpis, or to kpis_local when kpis is unset.
    kpis: Path | None = None
    kpis_local: Path = Path("kpis.yaml")
    model_dir: Path = Path("models")
    conduct_policy: Path | None = None  # default: the policy shipped in otklik.conduct
    classify_on_import: bool = False
    classify_batch_size: int = 2000
    # processes reading texts in `otklik classify`, this one included (0: auto, by the run's size
    # and the cores; 1: this one only)
    classify_processes: int = Field(default=0, ge=0)
    actor: str | None = None  # who the audit trail names; default: the login name

    # The web app (`otklik serve`).
    environment: Literal["development", "production"] = "development"
    secret_key: str = "changethis"
    session_cookie: str = "otklik_session"
    session_max_age_s: int = 8 * 3600
    cookie_secure: bool = True
    login_attempts: int = 5
    login_window_s: int = 300
    default_locale: Literal["ru", "en"] = "ru"
    metrics_check_every_s: float = 5.0
    rollup_dimensions: tuple[str, ...] = ("channel", "owner_team")
    # Precompute the overview, pillars and filter lists in the background at start-up, and
    # refresh expired page figures in the background (serving the previous ones meanwhile).
    web_prewarm: bool = True
    pdf_font: str | None = None
    upload_max_mb: int = 50  # the largest uploaded file (its request: +1 MB), refused unread
    api_max_body_mb: int = 16  # the largest request body under /api/
    form_max_kb: int = 1024  # the largest body of any other request (forms)
    json_max_depth: int = 32  # nesting of arrays and objects a JSON body may have

    # Surveys (`otklik survey`, the public /s/<token> pages and /widget.js).
    public_url: str = "http://127.0.0.1:8000"  # where customers reach the server: link base
    survey_policy: Path | None = None  # default: the contact policy shipped in otklik.surveys
    # One contact policy for every message type (otklik.contact); unset: contact-policy.yaml
    # in the working directory when it exists, else the shipped one. The web editor saves here.
    contact_policy: Path | None = None
    contact_templates: Path | None = None  # same for the message templates (contact-templates.yaml)
    survey_link_days: int = 14  # how long a link stays valid unless --expires-days says
    survey_ip_per_minute: int = 600  # requests to /s/… per client address (NAT: be generous)
    survey_token_per_minute: int = 20  # requests per link
    # The largest answer accepted: a 2,000-character comment and a 500-character "other"
    # in 3-byte UTF-8 characters, percent-encoded by a form, take 23 KB.
    survey_max_body_kb: int = 32
    survey_allowed_origins: tuple[str, ...] = ("*",)  # pages that may embed the widget (CORS)
    survey_batch_max: int = 256  # answers written per transaction by the collector

    # Replies to customers from a case (the inbox): e-mail over SMTP, other channels through
    # a webhook signed with HMAC-SHA256 of the body (docs/web.md, "Replying to the customer").
    smtp_host: str | None = None  # unset: e-mail replies are not configured
    smtp_port: int = 25
    smtp_from: str | None = None  # the From address of replies
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = 10.0
    reply_webhook_url: str | None = None  # unset: webhook replies are not configured
    reply_webhook_secret: str | None = None
    reply_signature: str = "otklik"  # the sign-off under every reply (a team or company name)
    # Employee experience (otklik.ex, docs/ex.md): answers are anonymous unless the company
    # keeps employee ids; no figure is shown for a group smaller than ex_min_group.
    ex_keep_employee_ids: bool = False
    ex_min_group: int = Field(default=5, ge=2)
    ex_costs: Path | None = None  # YAML: replacement cost per role (default: none configured)

    # Background work (docs/deploy.md): where arrivals are processed. auto: the queue on
    # PostgreSQL (run `otklik worker`), in the writing process on SQLite; queue, inline, off.
    jobs: Literal["auto", "queue", "inline", "off"] = "auto"
    jobs_attempts: int = 5  # tries of a failing job in all, before the dead-letter list
    jobs_retry_base_s: int = 2  # the wait before try k+1 is base ** k seconds
    jobs_concurrency: int = 1  # jobs one `otklik worker` runs at once (--concurrency)
    jobs_keep_days: int = 7  # succeeded jobs are deleted after this many days (failed: kept)
    # State of the web app kept in the store (rate limits, cache versions) so several web
    # workers behave like one: auto (the store on PostgreSQL, memory on SQLite), store, memory.
    # `otklik serve --workers N` (N > 1) sets it to store.
    shared_state: Literal["auto", "store", "memory"] = "auto"
    queue_depth_warn: int = 10_000  # `otklik doctor` warns above this many waiting jobs
    # Incidents (docs/incidents.md): spike detection after imports and survey answers, and
    # notifications on open / ETA change / resolve and on bad ratings from valuable customers.
    # The weekly digest sent by `otklik worker` (docs/drivers.md): management recipients, each
    # team's digest to its users, and the language.
    digest_to: tuple[str, ...] = ()
    digest_teams: bool = False
    digest_language: Literal["ru", "en"] = "ru"
    incidents_detect_on_import: bool = False
    incident_webhook_url: str | None = None  # signed: HMAC-SHA256 of "<timestamp>.<body>"
    incident_webhook_secret: str | None = None
    incident_email_to: tuple[str, ...] = ()  # e-mail recipients (through OTKLIK_SMTP_*)
    telegram_api_url: str = "https://api.telegram.org"  # Bot API base (a local fake in tests)
    telegram_bot_token: str | None = None
    telegram_chat_id: str | None = None
    notify_attempts: int = 4  # tries per delivery; waits 1, 2, 4 … × notify_backoff_s between
    notify_backoff_s: float = 1.0
    alert_high_value: float = 100_000  # a customer's revenue from which a bad rating alerts

    # Drivers and money (`otklik drivers`, `otklik backlog`, the Priorities page, reports).
    currency: str = "RUB"  # the currency of customers.revenue, named on every money figure
    drivers: Path | None = None  # priority formula, churn window, bootstrap (docs/drivers.md)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = value.strip() or "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as UTC or Europe/Moscow"
            ) from None
        return name

    def require_secret(self) -> None:
        """Refuse a placeholder or short secret key outside development."""
        if self.environment == "development":
            return
        if self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < _MIN_SECRET_LENGTH:
            raise ConfigError(
                "OTKLIK_SECRET_KEY is a placeholder or shorter than "
                f"{_MIN_SECRET_LENGTH} characters; set a random one, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )


ENV_FILE = "otklik.env"


def env_file() -> Path:
    """The settings file read under the environment: ``$OTKLIK_ENV_FILE``, else ``./otklik.env``.

    ``KEY=value`` lines (``OTKLIK_SECRET_KEY=…``); a variable set in the environment wins.
    ``otklik demo`` writes its secret key there so survey links signed by the CLI stay valid
    for the server, and sign-ins survive a restart.
    """
    return Path(os.environ.get("OTKLIK_ENV_FILE") or ENV_FILE)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and :func:`env_file`, explicit values (``--db``) first.

    Raises ConfigError (one line: which variable, what it holds, what is wrong) when a value
    cannot be read, e.g. ``OTKLIK_CLASSIFY_PROCESSES=-1``.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    path = env_file()
    try:
        return Settings(_env_file=path if path.is_file() else None, **given)  # type: ignore[arg-type,call-arg]
    except ValidationError as exc:
        raise settings_error(exc, "OTKLIK_", path) from None


def settings_error(exc: ValidationError, prefix: str, path: Path | None = None) -> ConfigError:
    """The ConfigError that says which settings' values are wrong, from pydantic's errors:
    ``OTKLIK_CLASSIFY_PROCESSES='-1': Input should be greater than or equal to 0; set it in
    the environment (or in otklik.env)``."""
    problems = []
    for error in exc.errors():
        name = prefix + "_".join(str(part) for part in error.get("loc", ())).upper()
        value = error.get("input")
        shown = f"={value!r}" if isinstance(value, (str, int, float)) else ""
        problems.append(f"{name}{shown}: {error.get('msg', 'invalid')}")
    where = f" (or in {path})" if path is not None else ""
    return ConfigError("; ".join(problems) + f"; set it right in the environment{where}")


def set_in_env_file(name: str, value: str, path: Path | None = None) -> Path:
    """Append ``name=value`` to the env file (``path``, else :func:`env_file`); returns its path."""
    path = path or env_file()
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    line = f"{name}={value}\n"
    path.write_text(old + ("" if not old or old.endswith("\n") else "\n") + line, encoding="utf-8")
    path.chmod(0o600)
    return path


def ensure_secret_in_env_file(path: Path | None = None) -> tuple[Path, bool]:
    """Make sure a random ``OTKLIK_SECRET_KEY`` is set, writing one to ``path`` when missing.

    Returns ``(path, written)``; nothing is written when the environment or the file already
    holds a key that is not a placeholder.
    """
    import secrets

    path = path or env_file()
    if load_settings().secret_key not in PLACEHOLDER_SECRETS:
        return path, False
    return set_in_env_file("OTKLIK_SECRET_KEY", secrets.token_urlsafe(48), path), True
