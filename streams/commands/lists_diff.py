"""`tradescreen lists diff OLD NEW`: what changed between two list files or folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas.lists import ListEntry
from screening.lists import ListLoad, load_paths
from screening.lists.delta import ListDelta, compute_delta

console = Console()
_SHOWN = 10  # names listed per list and change kind; the counts cover the rest


def _load(path: Path) -> ListLoad:
    load = load_paths(path)
    for issue in load.issues[:_SHOWN]:
        console.print(f"[yellow]{issue}[/]")
    if len(load.issues) > _SHOWN:
        console.print(f"[yellow]... and {len(load.issues) - _SHOWN} more issues in {path}[/]")
    return load


def _names(label: str, names: list[str]) -> None:
    if not names:
        return
    more = f" (+{len(names) - _SHOWN} more)" if len(names) > _SHOWN else ""
    console.print(f"  [bold]{label}[/]{more}: " + "; ".join(names[:_SHOWN]))


def print_delta(delta: ListDelta, old: dict[str, ListEntry]) -> None:
    summary = delta.summary()
    table = Table(title="list changes")
    for column in ("list", "added", "modified", "removed"):
        table.add_column(column, justify="left" if column == "list" else "right")
    for code, counts in summary.items():
        table.add_row(code, str(counts["added"]), str(counts["modified"]), str(counts["removed"]))
    console.print(table)
    for code in summary:
        console.print(f"[bold cyan]{code}[/]")
        _names("added", [f"{e.name} ({e.source_id})" for e in delta.added if e.list_code == code])
        _names("modified", [f"{e.name} ({e.source_id})" for e in delta.modified if e.list_code == code])
        _names(
            "removed",
            [f"{old[k].name} ({old[k].source_id})" for k in delta.removed if old[k].list_code == code],
        )


def diff(
    old: Annotated[Path, typer.Argument(exists=True, help="earlier list file or folder")],
    new: Annotated[Path, typer.Argument(exists=True, help="later list file or folder")],
) -> None:
    """Compare two loads of the same lists: added, modified and removed entries per list."""
    before = {e.key: e for e in _load(old).entries}
    after = _load(new)
    delta = compute_delta(before, after.entries)
    if not delta:
        console.print("no changes")
        return
    print_delta(delta, before)
