"""``otklik serve``, ``otklik user`` and ``otklik token``: the web app and who may use it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from otklik.cli import app
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.errors import ConfigError

__all__ = ["serve_command", "token_app", "user_app"]

user_app = typer.Typer(no_args_is_help=True, help="People who sign in to the web app.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens (Authorization: Bearer TOKEN).")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,  # more would fork a process each before anything can refuse them
            help="Worker processes (uvicorn); with more than one, rate limits and caches are "
            "kept in the store so they behave as one.",
        ),
    ] = 1,
    healthcheck_timeout: Annotated[
        int,
        typer.Option(
            "--healthcheck-timeout",
            min=1,
            max=600,
            help="With several workers: seconds a worker may take to answer uvicorn's health "
            "check before it is replaced (uvicorn's own default, 5, replaced busy workers and "
            "lost their requests under load in the soak test, docs/benchmarks.md).",
        ),
    ] = 30,
    db: DbOption = None,
) -> None:
    """Run the web app: dashboards, items, team inboxes and the JSON API (/api/v1)."""
    import os

    import uvicorn

    from otklik.web import create_app

    settings = load_settings(database_url=db)
    web_app = create_app(settings)  # checks the settings here, before any worker starts
    console.print(f"otklik on http://{host}:{port}/ (API: /api/v1, OpenAPI: /api/v1/openapi.json)")
    if workers == 1:
        uvicorn.run(web_app, host=host, port=port, log_level="info", proxy_headers=False)
        return
    # Each worker process builds its own app from the environment.
    os.environ["OTKLIK_DATABASE_URL"] = settings.database_url
    os.environ.setdefault("OTKLIK_SHARED_STATE", "store")
    uvicorn.run(
        "otklik.web:create_app",
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=healthcheck_timeout,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
    )


def _password_from_stdin() -> str:
    if sys.stdin is None:
        raise ConfigError("--password-stdin: no standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ConfigError("--password-stdin: standard input is empty")
    return password


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Option("--email", help="The user's e-mail (their login).")],
    role: Annotated[
        str,
        typer.Option(
            "--role", help="admin, analyst, team or lead (a team user who configures their team)."
        ),
    ],
    team: Annotated[
        str | None, typer.Option("--team", help="Owner team of the zone (roles team and lead).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user who signs in with an e-mail and a password (argon2-hashed)."""
    from otklik.auth import add_user

    if not password_stdin:
        raise ConfigError("give the password on standard input with --password-stdin")
    password = _password_from_stdin()
    with open_store(db) as engine:
        user = add_user(engine, email=email, role=role, password=password, team=team)
    zone = f", team {user.team}" if user.team else ""
    console.print(f"user {user.email} added (role {user.role.value}{zone})", markup=False)


@user_app.command("password")
def user_password(
    email: Annotated[str, typer.Option("--email", help="The user whose password is set.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a user's password (an admin's reset); every browser session of theirs ends."""
    from otklik.auth import set_password

    if not password_stdin:
        raise ConfigError("give the new password on standard input with --password-stdin")
    password = _password_from_stdin()
    with open_store(db) as engine:
        ended = set_password(engine, email=email, password=password)
    console.print(f"password of {email} set; {ended} session(s) ended", markup=False)


@user_app.command("list")
def user_list(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The users, their roles and teams."""
    from otklik.auth import list_users

    with open_store(db) as engine:
        users = list_users(engine)
    if json_output:
        print_json(users)
        return
    for user in users:
        state = "" if user["active"] else " (inactive)"
        team = f" [{user['team']}]" if user["team"] else ""
        console.print(f"{user['email']}\t{user['role']}{team}{state}", markup=False)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option("--email", help="The user the token acts as.")],
    name: Annotated[str | None, typer.Option("--name", help="What the token is for.")] = None,
    db: DbOption = None,
) -> None:
    """Create an API token; it is printed once, as the last line (only its hash is kept)."""
    from otklik.auth import create_token

    with open_store(db) as engine:
        token = create_token(engine, email=email, name=name)
    sys.stderr.write(f"API token for {email} (shown once; send it as Authorization: Bearer):\n")
    sys.stdout.write(token + "\n")
