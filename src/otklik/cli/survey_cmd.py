"""``otklik survey``: create surveys, invite customers with signed links, show the policy."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, OutputFormat, console, err_console, open_store, print_json
from otklik.config import load_settings
from otklik.errors import SurveyError
from otklik.sheets import sheet_cell
from otklik.surveys import (
    LANGUAGES,
    SURVEY_TYPES,
    Inviter,
    RowResult,
    close_survey,
    create_survey,
    list_surveys,
    load_policy,
    load_reasons,
    read_customers,
)
from otklik.surveys.invite import operation_time

__all__ = ["survey_app"]

survey_app = typer.Typer(
    no_args_is_help=True,
    help="Surveys: create them, invite customers with signed one-time links, see the policy.",
)
app.add_typer(survey_app, name="survey")

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


def _questions(values: list[str]) -> dict[str | None, str]:
    """``--question TEXT`` for every language, ``--question en=TEXT`` for one."""
    questions: dict[str | None, str] = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if sep and lang.strip() in LANGUAGES:
            questions[lang.strip()] = text.strip()
        else:
            questions[None] = value.strip()
    return questions


@survey_app.command("create")
def create_command(
    name: Annotated[str, typer.Option("--name", help="A unique name, e.g. checkout-csat.")],
    survey_type: Annotated[
        str, typer.Option("--type", help=f"Survey type: {', '.join(SURVEY_TYPES)}.")
    ],
    question: Annotated[
        list[str] | None,
        typer.Option(
            "--question",
            help="The question (all languages), or LANG=TEXT for one "
            f"of {', '.join(LANGUAGES)}; repeatable. Default: otklik's wording.",
        ),
    ] = None,
    reasons: Annotated[
        Path | None,
        typer.Option(
            "--reasons",
            help="Exit reasons: YAML/JSON list or a text file, one a "
            "line ('other' is always added).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Create a survey: a score question with a follow-up comment, or exit reasons."""
    ready = load_reasons(reasons) if reasons is not None else None
    with open_store(db) as engine:
        survey = create_survey(
            engine,
            name=name,
            type=survey_type.strip().lower(),
            questions=_questions(question or []),
            reasons=ready,
        )
    if fmt is OutputFormat.json:
        print_json(survey.to_dict())
        return
    scale = survey.spec.scale or "reasons"
    console.print(
        f"survey {survey.id} created: {survey.name} ({survey.type}, {scale})",
        markup=False,
        highlight=False,
    )


@survey_app.command("list")
def list_command(fmt: FormatOption = OutputFormat.table, db: DbOption = None) -> None:
    """The surveys."""
    with open_store(db) as engine:
        surveys = list_surveys(engine)
    if fmt is OutputFormat.json:
        print_json([survey.to_dict() for survey in surveys])
        return
    table = Table(title="surveys")
    for column in ("id", "name", "type", "scale", "active", "created"):
        table.add_column(column)
    for s in surveys:
        table.add_row(
            str(s.id),
            s.name,
            s.type,
            s.spec.scale or "reasons",
            "yes" if s.active else "no",
            f"{s.created_at:%Y-%m-%d}",
        )
    console.print(table)


@survey_app.command("close")
def close_command(
    survey: Annotated[int, typer.Option("--survey", help="Survey id (see `otklik survey list`).")],
    db: DbOption = None,
) -> None:
    """Close a survey: no new invitations, and its open links stop taking answers."""
    with open_store(db) as engine:
        closed = close_survey(engine, survey)
    console.print(f"survey {closed.id} ({closed.name}) closed", markup=False, highlight=False)


def _print_rows(results: list[RowResult], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        print_json([result.to_dict() for result in results])
        return
    if fmt is OutputFormat.csv:
        fields = ["row", "customer_id", "status", "reason", "rule", "id", "url", "expires_at"]
        writer = csv.DictWriter(
            sys.stdout, fieldnames=fields, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(
            {name: sheet_cell(value) for name, value in result.to_dict().items()}
            for result in results
        )
        return
    table = Table(title="invitations")
    for column in ("row", "customer", "status", "link or reason"):
        table.add_column(column, overflow="fold")
    for result in results:
        detail = result.invitation.url if result.invitation else (result.reason or "")
        table.add_row(str(result.row), result.customer_id or "–", result.status, detail)
    console.print(table)


@survey_app.command("invite")
def invite_command(
    survey: Annotated[int, typer.Option("--survey", help="Survey id (see `otklik survey list`).")],
    customer: Annotated[
        str | None, typer.Option("--customer", help="The customer to invite.", show_default=False)
    ] = None,
    customers: Annotated[
        Path | None,
        typer.Option(
            "--customers",
            help="CSV of customers (column customer_id; optional "
            "channel, mechanic, transaction_id, expires_days, operation_at).",
            show_default=False,
        ),
    ] = None,
    expires_days: Annotated[
        int | None,
        typer.Option(
            "--expires-days",
            help="Days the link stays valid (default $OTKLIK_SURVEY_LINK_DAYS, 14).",
            show_default=False,
        ),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="How it is sent: sms, email, push, app, web.")
    ] = None,
    mechanic: Annotated[
        str | None,
        typer.Option(
            "--mechanic",
            help="How it is shown: link (default), success-screen, bottom-sheet, popup, section.",
        ),
    ] = None,
    transaction: Annotated[
        str | None,
        typer.Option(
            "--transaction",
            help="The operation that prompted it (per-transaction caps).",
            show_default=False,
        ),
    ] = None,
    operation_at: Annotated[
        str | None,
        typer.Option(
            "--operation-at",
            help="When the operation happened (ISO or dd.mm.yyyy HH:MM, UTC); the answer "
            "then records the time from operation to answer.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if the contact policy refuses (logged).")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Invite a customer (or a CSV of them) with a signed, single-use, expiring link."""
    if (customer is None) == (customers is None):
        raise SurveyError("give either --customer C or --customers FILE.csv")
    settings = load_settings(database_url=db)
    rows = read_customers(customers) if customers is not None else None
    with open_store(db) as engine:
        inviter = Inviter.from_settings(engine, settings)
        if rows is None:
            assert customer is not None
            result = inviter.invite(
                survey_id=survey,
                customer_id=customer,
                channel=channel,
                mechanic=mechanic,
                transaction_id=transaction,
                expires_days=expires_days,
                operation_at=operation_time(operation_at),
                force=force,
            )
        else:
            defaults = {
                "channel": channel,
                "mechanic": mechanic,
                "transaction_id": transaction,
                "expires_days": expires_days,
                "operation_at": operation_at,
            }
            filled = [
                (n, {**{k: v for k, v in defaults.items() if v is not None}, **fields})
                for n, fields in rows
            ]
            results = inviter.invite_many(survey_id=survey, rows=filled, force=force)
    if rows is None:
        if fmt is OutputFormat.json:
            print_json(result.to_dict())
        else:
            note = f" (forced past {', '.join(result.broken_rules)})" if result.forced else ""
            console.print(
                f"invitation {result.id} for {result.customer_id}, valid until "
                f"{result.expires_at:%Y-%m-%d %H:%M} UTC{note}:",
                markup=False,
            )
            sys.stdout.write(result.url + "\n")
        return
    _print_rows(results, fmt)
    failed = [r for r in results if r.status != "invited"]
    if failed:
        refused = sum(r.status == "refused" for r in failed)
        err_console.print(
            f"{len(results) - len(failed)} of {len(results)} invited; "
            f"{refused} refused by the contact policy, "
            f"{len(failed) - refused} with errors (reasons per row)",
            markup=False,
        )
        raise typer.Exit(8 if refused == len(failed) else 7)


@survey_app.command("policy")
def policy_command(fmt: FormatOption = OutputFormat.table) -> None:
    """The contact policy in force (default, or $OTKLIK_SURVEY_POLICY), validated."""
    settings = load_settings()
    policy = load_policy(settings.survey_policy)
    if fmt is OutputFormat.json:
        print_json(policy.model_dump(mode="json"))
        return
    source = settings.survey_policy or "otklik's default"
    table = Table(title=f"contact policy ({source})")
    for column in ("rule", "new invitation of", "counts earlier", "at most", "description"):
        table.add_column(column)
    for rule in policy.rules:
        table.add_row(
            rule.name,
            ", ".join(rule.applies_to),
            ", ".join(rule.counts),
            f"{rule.max} {rule.scope()}",
            rule.description,
        )
    console.print(table)
