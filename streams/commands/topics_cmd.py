"""`tradescreen topics create`: create every contract topic explicitly."""

from __future__ import annotations

import typer

from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import create_topics

app = typer.Typer(help="Kafka topics of the contract.", no_args_is_help=True)


@app.command("create")
def create(bootstrap: str | None = BootstrapOption) -> None:
    """Create all contract topics with their partition counts and configs."""
    cfg = settings()
    for name, status in create_topics(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap)).items():
        typer.echo(f"{name}: {status}")
