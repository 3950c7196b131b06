"""`tradescreen match --lists DIR --input names.jsonl --output results.jsonl`: batch name screening."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from schemas.lists import EntryKind
from screening.lists import load_directory
from screening.matching import MatchConfig, NameIndex


def _kind(value: object, line_no: int, path: Path) -> EntryKind | None:
    if value in (None, ""):
        return None
    try:
        return EntryKind(str(value))
    except ValueError:
        typer.echo(f"{path}:{line_no}: unknown kind {value!r}, screening without kind", err=True)
        return None


_LISTS = typer.Option(..., "--lists", help="folder of list files (any supported format)")
_INPUT = typer.Option(..., "--input", help='JSON lines {"id", "name", "kind"?, "country"?}')
_OUTPUT = typer.Option(..., "--output", help="JSON lines {id, matches: [...]} written here")
_POTENTIAL = typer.Option(MatchConfig.potential_threshold, help="report hits at or above this score")
_STRONG = typer.Option(MatchConfig.strong_threshold, help="strong (block-worthy) threshold")
_LIMIT = typer.Option(10, help="at most this many matches per name")


def match(
    lists: Path = _LISTS,
    input: Path = _INPUT,
    output: Path = _OUTPUT,
    potential: float = _POTENTIAL,
    strong: float = _STRONG,
    limit: int = _LIMIT,
) -> None:
    """Screen every name in INPUT against the lists in DIR; write every hit >= potential."""
    loaded = load_directory(lists)
    for issue in loaded.issues:
        typer.echo(str(issue), err=True)
    index = NameIndex(MatchConfig(potential_threshold=potential, strong_threshold=strong))
    for entry in loaded.entries:
        index.upsert(entry)
    lines = input.read_text(encoding="utf-8").splitlines()
    failures = 0
    with (
        output.open("w", encoding="utf-8") as out,
        Progress(
            TextColumn("matching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=len(lines) < 1000,
        ) as progress,
    ):
        task = progress.add_task("names", total=len(lines))
        for line_no, line in enumerate(lines, 1):
            progress.advance(task)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                name = record["name"]
                if not isinstance(name, str):
                    raise TypeError("name is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                failures += 1
                typer.echo(f"{input}:{line_no}: skipped, not a {{id, name}} JSON object ({exc})", err=True)
                continue
            found = index.search(
                name,
                kind=_kind(record.get("kind"), line_no, input),
                country=record.get("country") or None,
                limit=limit,
            )
            matches = [
                {
                    "source_id": m.key,
                    "list": m.list_code,
                    "matched_name": m.matched_name,
                    "score": m.score,
                    "strong": m.strong,
                    "explanation": m.explanation,
                }
                for m in found
            ]
            out.write(json.dumps({"id": record.get("id"), "matches": matches}) + "\n")
    typer.echo(
        f"{len(index)} entries indexed, {len(lines) - failures} names screened, {failures} bad lines",
        err=True,
    )
