"""Pieces every command shares: the settings object and where the Kafka cluster is."""

from __future__ import annotations

import logging

import typer

from streams.settings import Settings

BootstrapOption = typer.Option(None, "--bootstrap", "-b", envvar="TRADESCREEN_KAFKA_BOOTSTRAP",
                               help="Kafka bootstrap servers (default: TRADESCREEN_KAFKA_BOOTSTRAP)")


def settings() -> Settings:
    return Settings()


def require_bootstrap(bootstrap: str | None) -> str:
    if not bootstrap:
        typer.secho("No Kafka cluster: pass --bootstrap HOST:PORT or set TRADESCREEN_KAFKA_BOOTSTRAP "
                    "(`tradescreen up` prints the embedded broker's address).", fg="red", err=True)
        raise typer.Exit(2)
    return bootstrap


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
