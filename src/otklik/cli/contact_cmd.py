"""``otklik contact``: record and import messages, check one against the policy, measure fatigue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, OutputFormat, console, open_store, print_json
from otklik.config import load_settings
from otklik.contact import (
    TYPES,
    ContactError,
    check_contact,
    fatigue,
    import_communications,
    latest_sent_at,
    now_utc,
    opt_out,
    policy_file,
    policy_in_force,
    preview,
    read_contact_policy,
    record_communication,
    templates_in_force,
    trends,
)
from otklik.ingest import DateParser
from otklik.yamlconf import issues_error

__all__ = ["contact_app"]

contact_app = typer.Typer(
    no_args_is_help=True,
    help="Contact policy: every message a customer receives, checked by one policy.",
)
app.add_typer(contact_app, name="contact")

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
CustomerOption = Annotated[str, typer.Option("--customer", help="The customer id.")]
TypeOption = Annotated[str, typer.Option("--type", help=f"Message type: {', '.join(TYPES)}.")]
ChannelOption = Annotated[str, typer.Option("--channel", help="Channel: sms, email, push, …")]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="When (ISO time, UTC unless it names a zone); default: now."),
]


def _at(value: str | None) -> object:
    if value is None:
        return None
    try:
        return DateParser()(value)
    except ValueError as exc:
        raise ContactError(f"--at: {exc}") from None


@contact_app.command("check")
def check_command(
    customer: CustomerOption,
    message_type: TypeOption,
    channel: ChannelOption,
    record: Annotated[
        bool, typer.Option("--record", help="Take the slot: store the message when allowed.")
    ] = False,
    at: AtOption = None,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """May this message go now? {"allowed", "reason", "next_allowed_at"}; exit 0 either way."""
    settings = load_settings(database_url=db)
    policy = policy_in_force(settings)
    when = _at(at)
    with open_store(db) as engine:
        decision = check_contact(
            engine,
            policy,
            customer_id=customer,
            type_=message_type,
            channel=channel,
            now=when,  # type: ignore[arg-type]
            record=record,
            zone=settings.timezone,
        )
    if fmt is OutputFormat.json:
        print_json(decision.to_dict())
        return
    shown = decision.to_dict()
    verdict = "allowed" if decision.allowed else "refused"
    after = f" (allowed from {shown['next_allowed_at']})" if shown["next_allowed_at"] else ""
    console.print(f"{verdict}: {decision.reason}{after}", markup=False, highlight=False)


@contact_app.command("record")
def record_command(
    customer: CustomerOption,
    message_type: TypeOption,
    channel: ChannelOption,
    at: AtOption = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="delivered, opened, answered, unsubscribed or complained."),
    ] = None,
    message_id: Annotated[
        str | None, typer.Option("--id", help="The sender's message id (recorded once).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Record a message sent outside otklik (no policy check; see `contact check --record`)."""
    with open_store(db) as engine:
        new_id = record_communication(
            engine,
            customer_id=customer,
            type_=message_type,
            channel=channel,
            sent_at=_at(at),  # type: ignore[arg-type]
            outcome=outcome,
            external_id=message_id,
        )
    console.print(f"message {new_id} recorded", markup=False, highlight=False)


@contact_app.command("opt-out")
def opt_out_command(
    customer: CustomerOption,
    message_type: Annotated[
        str | None, typer.Option("--type", help="Only this type (default: every type).")
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this channel (default: every one).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Opt a customer out of a channel, a type, or every message."""
    with open_store(db) as engine:
        opt_out(engine, customer_id=customer, channel=channel, type_=message_type)
    console.print(f"customer {customer} opted out", markup=False, highlight=False)


@contact_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON(L) file of messages.")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Import messages: customer_id, channel, type, sent_at[, outcome, id] a row."""
    with open_store(db) as engine:
        result = import_communications(engine, path, sheet=sheet)
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    console.print(
        f"{result.file}: {result.rows} rows, {result.imported} imported, "
        f"{result.updated} outcomes updated, {result.duplicates} already there, "
        f"{len(result.errors)} left out, "
        f"{result.opt_outs} opt-outs",
        markup=False,
        highlight=False,
    )
    for error in result.errors[:50]:
        console.print(f"  {error}", markup=False, highlight=False)
    if len(result.errors) > 50:
        console.print(f"  … and {len(result.errors) - 50} more (--format json lists all)")


@contact_app.command("fatigue")
def fatigue_command(
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=3660, help="Period: N days up to the newest message."),
    ] = 90,
    lookback: Annotated[
        int, typer.Option("--lookback", min=1, max=366, help="Frequency: messages in N days.")
    ] = 30,
    message_type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Response and opt-out rates by contact frequency, per type and channel, with 95% CIs;
    the period is the last --days before the newest message."""
    with open_store(db) as engine:
        until = (latest_sent_at(engine) or now_utc()) + timedelta(seconds=1)
        rows = fatigue(
            engine,
            since=until - timedelta(days=days),
            until=until,
            lookback_days=lookback,
            type_=message_type,
            channel=channel,
        )
    if fmt is OutputFormat.json:
        print_json(
            {
                "days": days,
                "lookback_days": lookback,
                "rows": [r.to_dict() for r in rows],
                "trends": [trend.to_dict() for trend in trends(rows)],
            }
        )
        return
    table = Table(title=f"fatigue: messages in the last {days} days by messages in {lookback}")
    for column in ("type", "channel", "earlier", "n", "response", "95% CI", "opt-out", "95% CI"):
        table.add_column(column)
    for row in rows:
        shown = row.to_dict()
        cells = []
        for key in ("response", "opt_out"):
            rate = shown[key]
            cells += [f"{rate['rate']:.1%}", f"{rate['ci_low']:.1%}–{rate['ci_high']:.1%}"]
        table.add_row(row.type, row.channel, row.bin, str(row.n), *cells)
    console.print(table)
    for trend in trends(rows):
        if trend.z is not None and trend.p_value is not None:
            direction = "falls" if trend.z < 0 else "rises"
            console.print(
                f"{trend.type} · {trend.channel}: {trend.rate} {direction} with frequency "
                f"(z = {trend.z:.2f}, p = {trend.p_value:.3g}, n = {trend.n})",
                markup=False,
                highlight=False,
            )


@contact_app.command("validate")
def validate_command(
    path: Annotated[
        Path | None, typer.Argument(help="Policy file (default: the one in force).")
    ] = None,
) -> None:
    """Check a contact policy file; every problem with its line."""
    target = path or policy_file(load_settings())
    policy, issues = read_contact_policy(target)
    if policy is None:
        raise issues_error(issues)
    console.print(
        f"{target}: ok ({len(policy.caps)} caps, {len(policy.quiet_hours)} quiet hours, "
        f"{len(policy.yields)} yields)",
        markup=False,
        highlight=False,
    )


template_app = typer.Typer(
    no_args_is_help=True, help="Message templates: render and check them on every channel."
)
contact_app.add_typer(template_app, name="template")


def _values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ContactError(f"--var {pair!r}: use NAME=VALUE")
        values[name.strip()] = value
    return values


@template_app.command("check")
def template_check_command(
    name: Annotated[str | None, typer.Option("--name", help="Only this template.")] = None,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="NAME=VALUE for a variable; repeatable.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Render the templates in force on each channel: length, tone, address, promises.
    Exit 1 when any is too long for its channel."""
    templates = templates_in_force(load_settings())
    chosen = [templates.get(name)] if name else list(templates.templates)
    values = _values(var or [])
    shown = [rendered for template in chosen for rendered in preview(template, values)]
    if fmt is OutputFormat.json:
        print_json([rendered.to_dict() for rendered in shown])
    else:
        for rendered in shown:
            check = rendered.check
            size = f"{check.characters} chars"
            if check.segments is not None:
                size += f", {check.segments} SMS segment(s) {check.encoding}"
            verdict = "ok" if check.ok else "TOO LONG"
            console.print(
                f"{rendered.template} · {rendered.channel}: {verdict} ({size})",
                markup=False,
                highlight=False,
            )
            for finding in check.findings:
                quoted = f" «{finding.text}»" if finding.text else ""
                console.print(
                    f"  {finding.severity} {finding.kind}: {finding.message}{quoted}",
                    markup=False,
                    highlight=False,
                )
    if not all(rendered.check.ok for rendered in shown):
        raise typer.Exit(1)


@contact_app.command("draft")
def draft_command(
    message_type: TypeOption,
    channel: ChannelOption,
    language: Annotated[str, typer.Option("--language", help="ru, en, id, ar or es.")],
    address: Annotated[
        str, typer.Option("--address", help="formal (Вы, usted, Anda), informal or none.")
    ] = "formal",
    facts: Annotated[str, typer.Option("--facts", help="What the message must say.")] = "",
    rewrite: Annotated[
        str | None, typer.Option("--rewrite", help="A text to rewrite instead.")
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Draft (or rewrite) a message with the configured LLM, then check it (masked first)."""
    from otklik.cli.llm_cmd import llm_client
    from otklik.contact import draft_message
    from otklik.llm import load_llm_settings

    with open_store(db) as engine, llm_client(engine) as client:
        result = draft_message(
            client,
            type_=message_type,
            channel=channel,
            language=language,
            address=address,
            facts=facts,
            rewrite=rewrite,
            engine=engine,
            directory=load_llm_settings().prompts_dir,
        )
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    if result.answer is None:
        console.print(f"no draft: {result.failure}", markup=False, highlight=False)
        raise typer.Exit(1)
    if result.answer.subject:
        console.print(f"subject: {result.answer.subject}", markup=False, highlight=False)
    console.print(result.answer.text, markup=False, highlight=False)
    for finding in result.check.findings if result.check else []:
        quoted = f" «{finding.text}»" if finding.text else ""
        console.print(
            f"  {finding.severity} {finding.kind}: {finding.message}{quoted}",
            markup=False,
            highlight=False,
        )
