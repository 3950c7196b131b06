"""`tradescreen schemas export DIR`."""

from __future__ import annotations

from pathlib import Path

import typer

from schemas.export import export_schemas

app = typer.Typer(help="JSON Schema files of the wire contract.", no_args_is_help=True)


@app.command("export")
def export(directory: Path = typer.Argument(..., help="folder to write <Message>.json into")) -> None:
    """Write one JSON Schema file per contract message."""
    for path in export_schemas(directory):
        typer.echo(str(path))
