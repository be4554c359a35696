"""The weekly digest: the management page in short, as plain-text e-mail, per team (each team
sees only its zone: items whose owner team is theirs) or for management (everything).

Sent over SMTP with the replies' settings (``OTKLIK_SMTP_HOST``, ``_PORT``, ``_STARTTLS``,
``_USER``, ``_PASSWORD``, ``_FROM``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from otklik.auth import list_users
from otklik.config import Settings
from otklik.drivers.options import Context, default_period
from otklik.drivers.report import _label, _money, _num, _t, _team, _trend, management_report
from otklik.metrics import Grain, Period
from otklik.replies import send_email

__all__ = ["Digest", "compose_digest", "send_digest", "send_team_digests", "team_recipients"]

_SUBJECT = {
    "en": "otklik weekly digest {period}: {scope}",
    "ru": "otklik, еженедельная сводка {period}: {scope}",
}
_SCOPE = {"en": ("management", "team {team}"), "ru": ("руководство", "команда {team}")}


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    team: str | None


def compose_digest(
    engine: Engine,
    context: Context,
    *,
    team: str | None = None,
    period: str | Period | None = None,
    locale: str = "ru",
    top: int = 5,
) -> Digest:
    """The digest of ``period`` (default: the week of the latest item in the zone)."""
    filters = {"owner_team": [team]} if team else None
    if period is None:
        period = default_period(engine, context.zone, filters, Grain.WEEK)
    report = management_report(engine, context, period=period, filters=filters)
    everyone, one = _SCOPE.get(locale, _SCOPE["en"])
    scope = one.format(team=team) if team else everyone
    lines = [
        _t(locale, "title"),
        _t(locale, "period", period=report.period.label, previous=report.previous.label),
        "",
        _t(locale, "headline") + ":",
    ]
    for h in report.headlines:
        flag = _t(locale, "significant" if h["significant"] else "noise")
        lines.append(
            f"  {h['metric'].upper()}: {_num(h['value'], locale)} "
            f"[{_num(h['ci'][0], locale)} … {_num(h['ci'][1], locale)}] n = {h['n']}; "
            f"{_t(locale, 'change')} {_num(h['change'], locale)} ({flag})"
        )
    lines += ["", _t(locale, "problems") + ":"]
    for row in report.problems[:top]:
        ci = row["impact_ci"] or [None, None]
        owner = _team(report, row.get("owner_team"), locale)
        lines.append(
            f"  {row['rank']}. {_label(row, locale)} ({owner}): "
            f"{report.metric.upper()} {_num(row['impact'], locale)} "
            f"[{_num(ci[0], locale)} … {_num(ci[1], locale)}]; "
            f"{_t(locale, 'cost')} {_money(row, locale)}; {_t(locale, 'trend')} "
            f"{_trend(row, locale)}"
        )
    if not report.problems:
        lines.append("  –")
    lines += ["", _t(locale, "improved", previous=report.previous.label) + ":"]
    lines += [f"  {_label(row, locale)}: {_trend(row, locale)}" for row in report.improved] or [
        "  " + _t(locale, "nothing_improved")
    ]
    lines += ["", _t(locale, "how", metric=report.metric.upper(), window=report.window_days)]
    subject = _SUBJECT.get(locale, _SUBJECT["en"]).format(period=report.period.label, scope=scope)
    return Digest(subject, "\n".join(lines) + "\n", team)


def send_digest(settings: Settings, to: Sequence[str], digest: Digest) -> list[str]:
    """Send ``digest`` to each address; returns the Message-IDs. Raises DeliveryError."""
    return [send_email(settings, address, digest.subject, digest.text) for address in to]


def team_recipients(engine: Engine) -> dict[str, list[str]]:
    """Active users with a team (team members and leads), by team: who gets which digest."""
    found: dict[str, list[str]] = {}
    for user in list_users(engine):
        if user["active"] and user["team"]:
            found.setdefault(str(user["team"]), []).append(str(user["email"]))
    return found


def send_team_digests(
    engine: Engine,
    settings: Settings,
    context: Context,
    *,
    period: str | Period | None = None,
    locale: str = "ru",
) -> list[tuple[str, list[str], str]]:
    """Each team's digest (its zone only) to that team's users; (team, addresses, subject)."""
    sent = []
    for team, addresses in sorted(team_recipients(engine).items()):
        digest = compose_digest(engine, context, team=team, period=period, locale=locale)
        send_digest(settings, addresses, digest)
        sent.append((team, addresses, digest.subject))
    return sent
