"""The CLI reference (docs/cli.md), generated from the commands themselves.

A test compares docs/cli.md with :func:`render_reference`, so a command, option or help text
that changes without the reference fails the build; `make docs` writes it anew.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_reference"]


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n\n")[0].replace("\n", " ").strip()


def _param_row(param: Any) -> str:
    if type(param).__name__.endswith("Argument"):
        name = f"`{param.name.upper()}`"
    else:
        name = " / ".join(f"`{opt}`" for opt in param.opts)
        if not getattr(param, "is_flag", False):
            name += " VALUE"
    required = "yes" if param.required else ""
    help_text = _first_line(getattr(param, "help", None)).replace("|", "\\|")
    return f"| {name} | {required} | {help_text} |"


def _walk(command: Any, path: list[str], out: list[str]) -> None:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name in sorted(subcommands):
            _walk(subcommands[name], [*path, name], out)
        return
    out.append(f"## `{' '.join(path)}`")
    out.append("")
    out.append(_first_line(command.help) or "(no description)")
    out.append("")
    params = [p for p in command.params if p.name != "help"]
    if params:
        out.append("| parameter | required | meaning |")
        out.append("| --- | --- | --- |")
        out.extend(_param_row(param) for param in params)
        out.append("")


def render_reference() -> str:
    """Markdown for every command of ``otklik``, sorted by name."""
    from otklik.cli import command_tree

    root = command_tree()
    lines = [
        "# otklik command reference",
        "",
        "Generated from the commands by `make docs` (`python -m otklik.cli.reference`); a test",
        "checks it is current. Every command takes `--help`. The store is `--db URL` or",
        "`$OTKLIK_DATABASE_URL` (default `sqlite:///otklik.db`).",
        "",
    ]
    _walk(root, ["otklik"], lines)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_reference())
