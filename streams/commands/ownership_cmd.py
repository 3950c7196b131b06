"""`tradescreen ownership load FILE`: publish ownership links (contract v1.1) to the
compacted `ownership` topic, which every worker reads."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml

from schemas import MessageError, OwnershipLink, parse_message
from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import flush_or_raise, make_producer

app = typer.Typer(help="Ownership links behind the OWNERSHIP rule (OFAC 50% rule, BIS Affiliates Rule).")


def read_links(path: Path) -> dict[str, OwnershipLink]:
    """Links by id from a JSON Lines, JSON or YAML file: a list of links, each with an `id`
    (or a mapping id -> link). Every link is checked like a message on the topic."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        items = yaml.safe_load(text)
    if isinstance(items, dict):
        items = [{"id": k, **v} for k, v in items.items()]
    if not isinstance(items, list):
        raise typer.BadParameter(f"{path}: expected a list of links")
    links: dict[str, OwnershipLink] = {}
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("id"):
            raise typer.BadParameter(f"{path}: link {n} has no 'id' (the stable link id used as key)")
        link_id = str(item.pop("id"))
        try:
            links[link_id] = parse_message(OwnershipLink, json.dumps(item), topics.OWNERSHIP)
        except MessageError as exc:
            raise typer.BadParameter(f"{path}: link {n} ({link_id}): {exc}") from exc
    return links


@app.command("load")
def load(path: Path = typer.Argument(..., exists=True, dir_okay=False),
         bootstrap: str | None = BootstrapOption) -> None:
    """Publish every link in PATH, keyed by its id."""
    cfg = settings()
    links = read_links(path)
    producer = make_producer(require_bootstrap(bootstrap or cfg.kafka_bootstrap), cfg)
    for link_id, link in links.items():
        producer.produce(cfg.topic(topics.OWNERSHIP), key=link_id.encode(), value=link.to_json_bytes())
    flush_or_raise(producer)
    typer.echo(f"published {len(links)} ownership links to {cfg.topic(topics.OWNERSHIP)}", err=True)
