"""`tradescreen` command line: one typer app; each command lives in streams/commands/."""

from __future__ import annotations

import typer

from streams.commands import (
    alerts_cmd,
    audit_cmd,
    deadletter_cmd,
    demo_cmd,
    lists_cmd,
    match_cmd,
    ownership_cmd,
    review_cmd,
    rules_cmd,
    schemas_cmd,
    tail_cmd,
    topics_cmd,
    worker_cmd,
)

app = typer.Typer(
    name="tradescreen",
    help="Real-time export-control and sanctions screening.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("up")(worker_cmd.up)
app.command("worker")(worker_cmd.worker)
app.command("demo")(demo_cmd.demo)
app.command("tail")(tail_cmd.tail)
app.command("match")(match_cmd.match)
app.add_typer(schemas_cmd.app, name="schemas")
app.add_typer(topics_cmd.app, name="topics")
app.add_typer(lists_cmd.app, name="lists")
app.add_typer(deadletter_cmd.app, name="deadletter")
app.add_typer(rules_cmd.app, name="rules")
app.add_typer(ownership_cmd.app, name="ownership")
app.add_typer(review_cmd.app, name="review")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(alerts_cmd.app, name="alerts")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
