"""`tradescreen lists load DIR`: parse every list file in DIR and publish the delta."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.common import utc_now
from screening.lists import ListLoad, load_directory
from streams.commands import lists_diff, lists_fetch
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.list_publisher import PublishReport, publish_entries
from streams.settings import Settings

app = typer.Typer(help="Load, compare and fetch sanctions and export-control lists.", no_args_is_help=True)
console = Console(stderr=True)
app.command("diff")(lists_diff.diff)
app.command("fetch")(lists_fetch.fetch)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def parse_with_progress(directory: Path) -> ListLoad:
    with _progress() as progress:
        task = progress.add_task(f"parsing {directory}", total=None)

        def on_file(name: str, count: int) -> None:
            progress.update(task, advance=count, description=f"parsing {name}")

        return load_directory(directory, progress=on_file)


def print_summary(load: ListLoad, report: PublishReport) -> None:
    table = Table(title="lists published")
    for col in ("list", "entries", "added", "modified", "removed", "version"):
        table.add_column(col, justify="right" if col not in ("list", "version") else "left")
    summary = report.delta.summary()
    for code in sorted(report.counts):
        d = summary.get(code, {})
        table.add_row(code, str(report.counts[code]), str(d.get("added", 0)), str(d.get("modified", 0)),
                      str(d.get("removed", 0)), report.versions[code])
    console.print(table)
    if load.issues:
        console.print(f"[yellow]{len(load.issues)} malformed rows were reported and not published:[/]")
        for issue in load.issues[:20]:
            console.print(f"  {issue.file}:{issue.line or '-'}: {issue.message}")
        if len(load.issues) > 20:
            console.print(f"  ... and {len(load.issues) - 20} more")


def load_and_publish(cfg: Settings, bootstrap: str, directory: Path) -> PublishReport:
    load = parse_with_progress(directory)
    if not load.entries:
        console.print(f"[red]no list entries recognised in {directory}[/]")
        raise typer.Exit(1)
    with _progress() as progress:
        task = progress.add_task("publishing changes", total=None)
        report = publish_entries(cfg, bootstrap, load.entries, source=str(directory), loaded_at=utc_now(),
                                 progress=lambda n: progress.update(task, advance=n))
    print_summary(load, report)
    return report


@app.command("load")
def load(
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="folder of list files"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Parse every recognised list file in DIRECTORY and publish what changed."""
    cfg = settings()
    load_and_publish(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), directory)
