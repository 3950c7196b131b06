"""`tradescreen review`: the hold review service (JSON API, reviewer UI, read model);
`tradescreen review token`: a new bearer token and the line for the reviewers file."""

from __future__ import annotations

from collections.abc import Callable

import typer

from streams.commands.common import BootstrapOption, configure_logging, require_bootstrap, settings
from streams.settings import Settings

app = typer.Typer(help="Hold review service.", invoke_without_command=True, no_args_is_help=False)


@app.callback()
def review(
    ctx: typer.Context,
    bootstrap: str | None = BootstrapOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="drop the read model and rebuild it from the topics"),
    loglevel: str = typer.Option("info", help="log level"),
) -> None:
    """Start the review service (default http://127.0.0.1:6070/ui/)."""
    if ctx.invoked_subcommand is not None:
        return
    from review.service import build_service

    configure_logging(loglevel)
    cfg = settings()
    service = build_service(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), rebuild=rebuild)
    typer.echo(f"review service on {service.url}/ui/ (API docs {service.url}/docs)", err=True)
    service.serve()


def start_with_up(cfg: Settings, bootstrap: str) -> Callable[[], None] | None:
    """For `tradescreen up`: the review service in this process, if reviewers are configured.
    Returns what stops it."""
    if not (cfg.reviewers_file or cfg.reviewers):
        typer.echo("review service not started: no reviewers configured (TRADESCREEN_REVIEWERS_FILE)", err=True)
        return None
    from review.service import build_service

    service = build_service(cfg, bootstrap).start()
    typer.secho(f"review service on {service.url}/ui/", fg="green", err=True)
    return service.stop


@app.command("token")
def token(
    reviewer_id: str = typer.Argument(..., help="the reviewer's id, e.g. a login name"),
    role: str = typer.Option("reviewer", help="reviewer | senior | auditor"),
    name: str | None = typer.Option(None, help="display name"),
) -> None:
    """Print a new token (give it to the reviewer) and the entry to add to the reviewers file."""
    import json

    from schemas.review import Reviewer, ReviewerRole
    from screening.reviewers import new_token, token_digest

    secret = new_token()
    entry = Reviewer(id=reviewer_id, name=name, role=ReviewerRole(role), token_sha256=token_digest(secret))
    typer.echo(f"token (shown once): {secret}", err=True)
    typer.echo("- " + json.dumps(entry.model_dump(mode="json", exclude_none=True)))
