"""``otklik incidents``: spikes detected, incident records with an honest ETA, the score of
promises kept, and the notification log (a thin shell over :mod:`otklik.incidents`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from otklik import incidents
from otklik.cli import app
from otklik.cli.cases_cmd import current_actor
from otklik.cli.common import DbOption, OutputFormat, console, open_store, print_json
from otklik.config import load_settings
from otklik.configs import check_team, check_topic
from otklik.errors import ConfigError

__all__ = ["incidents_app", "parse_moment"]

incidents_app = typer.Typer(
    help="Incidents: spikes detected, records with an honest ETA, status for customers.",
    no_args_is_help=True,
)
app.add_typer(incidents_app, name="incidents")

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table|json")]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When this was recorded (default now): to enter a past incident after the fact. "
        "An ETA must be later than this.",
    ),
]
ScopeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        help="Affected topic or segment as FIELD=VALUE (topic, type, channel, "
        "product, region, partner); repeatable.",
    ),
]


def parse_moment(value: str | None, *, name: str = "time") -> datetime | None:
    """A date or date-time (ISO 8601) as naive UTC; without an offset it is read in the
    reporting time zone (``OTKLIK_TIMEZONE``)."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"cannot read {name} {value!r}: use a date or date-time such as 2025-06-09 or "
            "2025-06-09T18:00 (an offset like +03:00 is allowed)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(load_settings().timezone))
    return moment.astimezone(UTC).replace(tzinfo=None)


def _scopes(values: list[str] | None) -> list[tuple[str, str]]:
    found = []
    for value in values or []:
        field_name, sep, rest = value.partition("=")
        if not sep:
            raise ConfigError(f"--scope {value!r}: write FIELD=VALUE, e.g. topic=app.login")
        found.append((field_name.strip(), rest.strip()))
    return found


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "")


def _notifier(engine: Any) -> incidents.Notifier | None:
    notifier = incidents.Notifier(engine, load_settings())
    return notifier if notifier.channels() else None


@incidents_app.command("detect")
def detect_command(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Alarms from this date (default: a week before the last item).",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List spikes: per topic, complaints, channel, product, region and partner, daily and
    hourly, and the daily share of low scores (docs/incidents.md)."""
    settings = load_settings()
    with open_store(db) as engine:
        found = incidents.detect(
            engine, since=parse_moment(since, name="--since"), timezone=settings.timezone
        )
    rows = [d.to_dict() for d in found]
    if output is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title=f"Spikes / всплески ({len(rows)})", title_justify="left")
    for name in ("key", "started_at", "detected_at", "observed", "expected", "score", "status"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            row["key"],
            row["started_at"],
            row["detected_at"],
            str(row["observed"]),
            f"{row['expected']:.1f}",
            f"{row['score']:.1f}",
            row["status"],
        )
    console.print(table)


def _print_incident(found: dict[str, Any]) -> None:
    table = Table(show_header=False, title=f"Incident {found['id']}", title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name in (
        "title",
        "status",
        "owner_team",
        "started_at",
        "detected_at",
        "eta_at",
        "first_eta_at",
        "eta_moves",
        "resolved_at",
        "resolution",
        "message_ru",
        "message_en",
        "items",
    ):
        table.add_row(name, _when(found.get(name)))
    table.add_row("scopes", ", ".join(f"{s['field']}={s['value']}" for s in found["scopes"]))
    table.add_row("cases", ", ".join(str(c["id"]) for c in found.get("cases", [])))
    console.print(table)
    if found.get("etas"):
        etas = Table(title="ETA history / история сроков", title_justify="left")
        for name in ("eta (UTC)", "set at", "by", "note"):
            etas.add_column(name)
        for eta in found["etas"]:
            etas.add_row(
                _when(eta["eta_at"]), _when(eta["set_at"]), eta["set_by"], eta["note"] or ""
            )
        console.print(etas)


def _emit(found: dict[str, Any], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(found)
    else:
        _print_incident(found)


@incidents_app.command("open")
def open_command(
    message_ru: Annotated[str, typer.Option("--message-ru", help="What customers read (ru).")],
    message_en: Annotated[str, typer.Option("--message-en", help="What customers read (en).")],
    title: Annotated[str | None, typer.Option("--title", help="Internal title.")] = None,
    from_detection: Annotated[
        str | None,
        typer.Option("--from-detection", help="A key from `otklik incidents detect`."),
    ] = None,
    scope: ScopeOption = None,
    team: Annotated[str | None, typer.Option("--team", help="Owner team.")] = None,
    started: Annotated[str | None, typer.Option("--started", help="Start (default now).")] = None,
    eta: Annotated[str | None, typer.Option("--eta", help="Promised time to fix.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="With --from-detection: search from here.")
    ] = None,
    at: AtOption = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Open an incident by hand (--title, --scope) or from a detection (--from-detection)."""
    settings = load_settings()
    check_team(settings, team)
    for field_name, value in _scopes(scope):
        if field_name == "topic":
            check_topic(settings, value)
    with open_store(db) as engine:
        if from_detection:
            found = incidents.open_from_detection(
                engine,
                from_detection,
                actor=current_actor(),
                message_ru=message_ru,
                message_en=message_en,
                eta_at=parse_moment(eta, name="--eta"),
                title=title,
                owner_team=team,
                since=parse_moment(since, name="--since"),
                timezone=settings.timezone,
                at=parse_moment(at, name="--at"),
                on_event=_notifier(engine),
            )
        else:
            if not title:
                raise ConfigError("give --title (or --from-detection KEY)")
            found = incidents.open_incident(
                engine,
                title=title,
                message_ru=message_ru,
                message_en=message_en,
                actor=current_actor(),
                started_at=parse_moment(started, name="--started"),
                eta_at=parse_moment(eta, name="--eta"),
                owner_team=team,
                scopes=_scopes(scope),
                at=parse_moment(at, name="--at"),
                on_event=_notifier(engine),
            )
    _emit(found, output)


@incidents_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="open|resolved|all (default all).")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's zone.")] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List incidents, newest first."""
    with open_store(db) as engine:
        rows = incidents.list_incidents(engine, status=status, team=team)
    if output is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title=f"Incidents / инциденты ({len(rows)})", title_justify="left")
    for name in ("id", "status", "team", "title", "started", "eta", "moves", "resolved", "items"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["status"],
            row["owner_team"] or "",
            row["title"],
            _when(row["started_at"]),
            _when(row["eta_at"]),
            str(row["eta_moves"]),
            _when(row["resolved_at"]),
            str(row["items"]),
        )
    console.print(table)


@incidents_app.command("show")
def show_command(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Show an incident with its ETA history, scopes and linked cases."""
    with open_store(db) as engine:
        found = incidents.get_incident(engine, incident_id)
    _emit(found, output)


@incidents_app.command("eta")
def eta_command(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    eta: Annotated[str, typer.Argument(help="The new promised time to fix.")],
    note: Annotated[str | None, typer.Option("--note", help="Why it changed.")] = None,
    at: AtOption = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Give or move the ETA (kept with who and when)."""
    moment = parse_moment(eta, name="the ETA")
    assert moment is not None
    with open_store(db) as engine:
        found = incidents.move_eta(
            engine,
            incident_id,
            moment,
            actor=current_actor(),
            note=note,
            at=parse_moment(at, name="--at"),
            on_event=_notifier(engine),
        )
    _emit(found, output)


@incidents_app.command("resolve")
def resolve_command(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    resolution: Annotated[str, typer.Option("--resolution", help="What was done.")] = "",
    at: Annotated[str | None, typer.Option("--at", help="When (default now).")] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Resolve an incident."""
    with open_store(db) as engine:
        found = incidents.resolve_incident(
            engine,
            incident_id,
            actor=current_actor(),
            resolution=resolution,
            resolved_at=parse_moment(at, name="--at"),
            on_event=_notifier(engine),
        )
    _emit(found, output)


@incidents_app.command("link")
def link_command(
    incident_id: Annotated[
        int | None, typer.Argument(help="Incident id (default: every open one).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Link items that arrived during the incident and match its scopes."""
    with open_store(db) as engine:
        if incident_id is None:
            linked = incidents.link_open_incidents(engine)
        else:
            linked = incidents.link_items(engine, incident_id)
    console.print(f"linked / связано: {linked}", markup=False)


@incidents_app.command("answer")
def answer_command(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    channel: Annotated[str, typer.Option("--channel", help="email|webhook")] = "email",
    db: DbOption = None,
) -> None:
    """Answer the customers of every open linked case with the incident's message."""
    with open_store(db) as engine:
        tally = incidents.bulk_answer(
            engine, load_settings(), incident_id, actor=current_actor(), channel=channel
        )
    console.print(
        f"sent / отправлено: {tally['sent']}, failed / ошибки: {tally['failed']}", markup=False
    )


@incidents_app.command("score")
def score_command(
    by: Annotated[str, typer.Option("--by", help="all|month|quarter|year")] = "all",
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """The honest-ETA score: promises kept (Wilson 95% CI), median overrun, ETA moves,
    and the inflation guardrail (promised vs the team's historical time to fix)."""
    with open_store(db) as engine:
        rows = [
            s.to_dict()
            for s in incidents.eta_scores(
                engine, by=by, team=team, timezone=load_settings().timezone
            )
        ]
    if output is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title="Honest ETA / честные сроки", title_justify="left")
    for name in (
        "team",
        "period",
        "n",
        "kept %",
        "95% CI",
        "median overrun h",
        "moves/inc",
        "inflation",
        "inflated",
    ):
        table.add_column(name)
    for row in rows:
        table.add_row(
            row["team"],
            row["period"],
            str(row["n"]),
            f"{row['kept_pct']:.1f}",
            f"{row['kept_ci'][0]:.1f} … {row['kept_ci'][1]:.1f}",
            f"{row['median_overrun_h']:+.1f}",
            f"{row['moves_per_incident']:.2f}",
            "–" if row["inflation"] is None else f"{row['inflation']:.2f}",
            "yes" if row["inflated"] else "",
        )
    console.print(table)


@incidents_app.command("deliveries")
def deliveries_command(
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """The notification log: every webhook, e-mail and Telegram attempt and its outcome."""
    with open_store(db) as engine:
        rows = incidents.deliveries(engine, limit=limit)
    if output is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title="Deliveries / доставка", title_justify="left")
    for name in ("at", "event", "channel", "target", "attempt", "status", "error"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            _when(row["at"]),
            row["event"],
            row["channel"],
            row["target"],
            str(row["attempt"]),
            row["status"],
            row["error"] or "",
        )
    console.print(table)
