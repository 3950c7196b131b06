"""`tradescreen rules check [DIR] [--licences FILE]`: validate rule data before a worker
is pointed at it."""

from __future__ import annotations

from pathlib import Path

import typer

from screening.ruledata.loader import RuleDataError, load_rule_data

app = typer.Typer(help="Export-control rule data (screening/ruledata/*.yaml).", no_args_is_help=True)


@app.command("check")
def check(
    directory: Path | None = typer.Argument(None, help="rule data folder (default: the packaged copy)"),
    licences: Path | None = typer.Option(None, "--licences", help="licence register file to check with it"),
) -> None:
    """Load and validate rule data as a worker would; print its version, or every problem
    with file and line (exit status 1)."""
    try:
        data = load_rule_data(directory, licences)
    except RuleDataError as e:
        for problem in e.problems:
            typer.secho(problem, fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"rules_version {data.version}: {len(data.country_groups)} country group entries, "
               f"{len(data.embargoes)} embargo programmes, {len(data.country_chart)} Country Chart rows, "
               f"{len(data.eccns)} ECCN entries, {len(data.licences)} licences")
