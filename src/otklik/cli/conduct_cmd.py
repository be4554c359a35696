"""``otklik conduct``: abuse detection, the conduct policy's steps, appeals, risk flags and the
figures for both sides (docs/conduct.md)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.cases_cmd import current_actor
from otklik.cli.common import DbOption, OutputFormat, console, open_store, print_json
from otklik.conduct import (
    PERIODS,
    ConductPolicy,
    active_risks,
    agent_flag_rates,
    appeal,
    apply_step,
    clear_risk,
    customer_status,
    list_flags,
    load_policy,
    protection_figures,
    review,
    scan_items,
    set_risk,
)
from otklik.config import load_settings
from otklik.sheets import csv_writer

__all__ = ["conduct_app"]

conduct_app = typer.Typer(
    help="Conduct: abusive customers and the policy that protects operators (docs/conduct.md).",
    no_args_is_help=True,
)
app.add_typer(conduct_app, name="conduct")

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy", help="Policy YAML (default: $OTKLIK_CONDUCT_POLICY or the shipped one)."
    ),
]
FLAG_COLUMNS = ("item_id", "external_id", "category", "confidence", "evidence")


def _policy(path: Path | None) -> ConductPolicy:
    return load_policy(path or load_settings().conduct_policy)


def _date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


@conduct_app.command("scan")
def scan_command(
    all_items: Annotated[
        bool,
        typer.Option(
            "--all", help="Check every item again, not only those new since the last scan."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Check items' texts for abuse, threats and harassment and store the flags (with the
    trained model beside the lexicon once `otklik conduct train` has made one)."""
    from otklik.conduct import MODEL_FILE, load_conduct_model

    model = load_conduct_model(load_settings().model_dir / MODEL_FILE)
    with open_store(db) as engine:
        report = scan_items(engine, rescan=all_items, model=model)
    console.print(
        f"scanned {report.scanned} items: {report.flagged_items} flagged ({report.flags} flags)"
    )


@conduct_app.command("flags")
def flags_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Items on or after this date.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """List flagged items with category, confidence and the evidence (masked)."""
    start = _date(since, "--since")
    with open_store(db) as engine:
        flags = list_flags(engine, since=start)
    if output is OutputFormat.json:
        print_json(flags)
    elif output is OutputFormat.csv:
        writer = csv_writer(sys.stdout)
        writer.writerow(FLAG_COLUMNS)
        for flag in flags:
            writer.writerow([flag[c] for c in FLAG_COLUMNS])
    else:
        table = Table(title=f"{len(flags)} flags", title_justify="left")
        for column in FLAG_COLUMNS:
            table.add_column(column, overflow="fold")
        for flag in flags:
            table.add_row(*(str(flag[c]) for c in FLAG_COLUMNS))
        console.print(table)


@conduct_app.command("status")
def status_command(
    customer: Annotated[str, typer.Option("--customer", help="The customer id.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """Where a customer stands under the policy: steps, block, next step, risk flags."""
    rules = _policy(policy)
    with open_store(db) as engine:
        status = customer_status(engine, rules, customer)
    data = status.to_dict()
    if output is OutputFormat.json:
        print_json(data)
        return
    console.print(f"customer {customer}", markup=False)
    console.print(f"  incidents: {data['incidents']} (confirmed {data['confirmed']})")
    console.print(f"  blocked until: {data['blocked_until'] or '-'}")
    console.print(f"  last step: {data['last_step'] or '-'}; next step: {data['next_step'] or '-'}")
    for risk in data["risks"]:
        console.print(
            f"  risk flag: {risk['reason']} (until {risk['expires_at'] or '-'})", markup=False
        )
    for step in data["steps"]:
        console.print(
            f"  {step['at']}  {step['step']:<8} by {step['actor']}  item {step['item_id']}"
            + (f"  {step['note']}" if step["note"] else ""),
            markup=False,
        )


def _print_events(events: list[dict[str, Any]], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(events)
        return
    for e in events:
        until = f" until {e['expires_at']}" if e.get("expires_at") else ""
        console.print(
            f"recorded {e['step']} on item {e['item_id']} by {e['actor']}{until}", markup=False
        )


@conduct_app.command("apply")
def apply_command(
    item: Annotated[int, typer.Option("--item", help="The item (evidence) id.")],
    step: Annotated[str, typer.Option("--step", help="warning|end|block")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who takes the step (default: you).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, in a few words.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """Record a policy step on an item (a threat also records block and review)."""
    if step not in {"warning", "end", "block"}:
        raise typer.BadParameter(f"{step!r}: use warning, end or block", param_hint="--step")
    rules = _policy(policy)
    with open_store(db) as engine:
        events = apply_step(
            engine, rules, item, step, by=current_actor() if by is None else by, note=note
        )
    _print_events(events, output)


@conduct_app.command("review")
def review_command(
    item: Annotated[int, typer.Option("--item", help="The item id.")],
    decision: Annotated[str, typer.Option("--decision", help="confirm|reverse")],
    by: Annotated[str | None, typer.Option("--by", help="The supervisor (default: you).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """A supervisor confirms an item's steps or reverses the latest one (recorded)."""
    rules = _policy(policy)
    with open_store(db) as engine:
        event = review(
            engine, rules, item, decision, by=current_actor() if by is None else by, note=note
        )
    _print_events([event], output)


@conduct_app.command("appeal")
def appeal_command(
    item: Annotated[int, typer.Option("--item", help="The item the appeal is about.")],
    by: Annotated[str | None, typer.Option("--by", help="Who records the appeal.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="The customer's words.")] = None,
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """Record a customer's appeal: a case in the review team's queue."""
    rules = _policy(policy)
    with open_store(db) as engine:
        case_id = appeal(engine, rules, item, by=current_actor() if by is None else by, note=note)
    console.print(f"appeal recorded: case {case_id} in team {rules.review_team}", markup=False)


risk_app = typer.Typer(help="Risk flags on customers and addresses.", no_args_is_help=True)
conduct_app.add_typer(risk_app, name="risk")


@risk_app.command("set")
def risk_set_command(
    kind: Annotated[str, typer.Option("--kind", help="customer|address")],
    value: Annotated[str, typer.Option("--value", help="The customer id or the address.")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=3650, help="Expires after (default: never)."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who sets it.")] = None,
    db: DbOption = None,
) -> None:
    """Set a risk flag by hand."""
    with open_store(db) as engine:
        risk_id = set_risk(
            engine, kind, value, reason=reason, by=current_actor() if by is None else by, days=days
        )
    console.print(f"risk flag {risk_id} set", markup=False)


@risk_app.command("clear")
def risk_clear_command(
    risk_id: Annotated[int, typer.Argument(help="The risk flag id.")], db: DbOption = None
) -> None:
    """Clear a risk flag before it expires."""
    with open_store(db) as engine:
        clear_risk(engine, risk_id)
    console.print(f"risk flag {risk_id} cleared", markup=False)


@risk_app.command("list")
def risk_list_command(
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Risk flags in force."""
    with open_store(db) as engine:
        risks = active_risks(engine)
    if output is OutputFormat.json:
        print_json(risks)
        return
    for r in risks:
        console.print(
            f"{r['id']}  {r['kind']:<8} {r['value']}  "
            f"until {r['expires_at'] or '-'}  {r['reason']}",
            markup=False,
        )


@conduct_app.command("agents")
def agents_command(
    since: Annotated[str | None, typer.Option("--since", help="Contacts on or after.")] = None,
    min_contacts: Annotated[int, typer.Option(min=1, help="Peers need this many contacts.")] = 30,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Per agent: how often they flag customers, how many flags supervisors confirmed, vs peers."""
    with open_store(db) as engine:
        rows = agent_flag_rates(engine, since=_date(since, "--since"), min_contacts=min_contacts)
    if output is OutputFormat.json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table(title="Operators' flags against peers", title_justify="left")
    for column in (
        "agent",
        "contacts",
        "flag rate [95% CI]",
        "z",
        "confirmed [95% CI]",
        "over-flagging",
    ):
        table.add_column(column)
    for r in rows:
        conf = (
            f"{r.confirmed}/{r.reviewed} [{r.confirmed_ci_low:.0%}–{r.confirmed_ci_high:.0%}]"
            if r.reviewed and r.confirmed_ci_low is not None and r.confirmed_ci_high is not None
            else "-"
        )
        table.add_row(
            r.agent,
            str(r.contacts),
            f"{r.rate:.1%} [{r.rate_ci_low:.1%}–{r.rate_ci_high:.1%}]",
            f"{r.rate_z:.1f}" if r.rate_z is not None else "-",
            conf,
            "yes" if r.over_flagging else "",
        )
    console.print(table)


@conduct_app.command("figures")
def figures_command(
    period: Annotated[str, typer.Option("--period", help="|".join(PERIODS))] = "month",
    since: Annotated[str | None, typer.Option("--since", help="Contacts on or after.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """Employee protection: abusive contacts per 1,000 by channel and period, share handled,
    time to review, blocks issued and reversed."""
    if period not in PERIODS:
        raise typer.BadParameter(f"{period!r}: use {', '.join(PERIODS)}", param_hint="--period")
    rules = _policy(policy)
    with open_store(db) as engine:
        data = protection_figures(engine, rules, period=period, since=_date(since, "--since"))
    if output is OutputFormat.json:
        print_json(data)
        return
    table = Table(title="Abusive contacts per 1,000", title_justify="left")
    for column in ("period", "channel", "contacts", "abusive", "per 1,000 [95% CI]"):
        table.add_column(column)
    for r in data["rates"]:
        table.add_row(
            r["period"],
            r["channel"] or "",
            str(r["contacts"]),
            str(r["abusive"]),
            f"{r['per_1000']:.1f} [{r['ci_low']:.1f}–{r['ci_high']:.1f}]",
        )
    console.print(table)
    h = data["handled"]
    if h["share"] is not None:
        console.print(
            f"handled under the policy: {h['handled']}/{h['abusive_contacts']} = {h['share']:.0%} "
            f"[{h['ci_low']:.0%}–{h['ci_high']:.0%}]"
        )
    t = data["time_to_review_hours"]
    if t["median"] is not None:
        console.print(f"time to review: median {t['median']:.1f} h (n={t['n']})")
    console.print(
        f"blocks issued {data['blocks']['issued']}, reversed {data['blocks']['reversed']}"
    )


@conduct_app.command("check")
def check_command(
    policy: Annotated[Path, typer.Argument(help="The policy YAML to validate.")],
) -> None:
    """Validate a policy file (problems as file:line: key: message)."""
    rules = load_policy(policy)
    console.print(f"{policy}: valid ({len(rules.steps)} steps)", markup=False)


@conduct_app.command("train")
def train_command(db: DbOption = None) -> None:
    """Train the model beside the lexicon on supervisors' decisions (confirm: abusive, reverse:
    not); it is saved in $OTKLIK_MODEL_DIR and used by `otklik conduct scan`."""
    from otklik.conduct import MODEL_FILE, review_labels, save_conduct_model, train_conduct_model

    with open_store(db) as engine:
        texts, labels = review_labels(engine)
    model = train_conduct_model(texts, labels)
    path = load_settings().model_dir / MODEL_FILE
    save_conduct_model(model, path, texts, labels)
    console.print(f"trained on {len(texts)} reviewed items → {path}", markup=False)
