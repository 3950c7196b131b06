"""`tradescreen` command line: one typer app; each command lives in streams/commands/."""

from __future__ import annotations

import typer

from streams.commands import match_cmd, schemas_cmd

app = typer.Typer(
    name="tradescreen",
    help="Real-time export-control and sanctions screening.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("match")(match_cmd.match)
app.add_typer(schemas_cmd.app, name="schemas")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
