"""`tradescreen deadletter replay`: after a fix (to the producer, to a limit, to the worker),
send dead-lettered messages again: each letter's original bytes, with its original key, to
the topic it was read from. The worker then decides them as if they had just arrived."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import typer
from pydantic import ValidationError

from schemas.outputs import DeadLetter
from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import flush_or_raise, make_producer, read_topic
from streams.settings import Settings

app = typer.Typer(help="Read and replay the dead-letter topic.", no_args_is_help=True)

# Topics tradescreen writes: a letter naming one of them is not an input to send again.
OUTPUT_TOPICS = (topics.DECISIONS, topics.HOLDS, topics.ALERTS, topics.AUDIT, topics.DEADLETTER)


@dataclass(frozen=True)
class LetterFilter:
    """Which letters to take. Topics are full names (with the configured prefix); offsets
    and partition are those of the original message; times are when it was dead-lettered.
    Empty fields select everything."""

    topics: frozenset[str] = frozenset()
    error_kinds: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    partition: int | None = None
    from_offset: int | None = None
    to_offset: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def is_empty(self) -> bool:
        return self == LetterFilter()

    def matches(self, letter: DeadLetter) -> bool:
        return ((not self.topics or letter.topic in self.topics)
                and (not self.error_kinds or (letter.error_kind or "") in self.error_kinds)
                and (not self.keys or (letter.key or "") in self.keys)
                and (self.partition is None or letter.partition == self.partition)
                and (self.from_offset is None or letter.offset >= self.from_offset)
                and (self.to_offset is None or letter.offset <= self.to_offset)
                and (self.since is None or letter.at >= self.since)
                and (self.until is None or letter.at <= self.until))


@dataclass
class Selection:
    letters: list[DeadLetter] = field(default_factory=list)
    read: int = 0
    unreadable: int = 0
    # The same original message dead-lettered more than once (redelivered after a restart).
    repeated: int = 0


def select_letters(records: Iterable[bytes | None], letter_filter: LetterFilter) -> Selection:
    """The matching letters, one per original message, in the original topics' order so a
    subject's events are replayed in the order they were first produced."""
    selection = Selection()
    chosen: dict[tuple[str, int, int], DeadLetter] = {}
    for value in records:
        selection.read += 1
        try:
            letter = DeadLetter.model_validate_json(value or b"")
        except ValidationError:
            selection.unreadable += 1
            continue
        if not letter_filter.matches(letter):
            continue
        origin = (letter.topic, letter.partition, letter.offset)
        if origin in chosen:
            selection.repeated += 1
            continue
        chosen[origin] = letter
    selection.letters = [chosen[o] for o in sorted(chosen)]
    return selection


def original_value(letter: DeadLetter) -> bytes | None:
    """The original bytes, or None when there are none to send (an empty message or a
    tombstone, which a letter cannot tell apart)."""
    try:
        value = base64.b64decode(letter.value_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value or None


def refusal(cfg: Settings, letter: DeadLetter) -> str | None:
    """Why a letter is not replayed, or None."""
    if letter.topic in {cfg.topic(t) for t in OUTPUT_TOPICS}:
        return f"{letter.topic} is an output topic"
    if original_value(letter) is None:
        return "no original bytes (empty message or tombstone)"
    return None


@dataclass
class ReplayReport:
    replayed: list[DeadLetter] = field(default_factory=list)
    refused: list[tuple[DeadLetter, str]] = field(default_factory=list)


def replay_letters(cfg: Settings, bootstrap: str, letters: list[DeadLetter], dry_run: bool = False) -> ReplayReport:
    report = ReplayReport()
    producer = None if dry_run else make_producer(bootstrap, cfg)
    for letter in letters:
        why = refusal(cfg, letter)
        if why is not None:
            report.refused.append((letter, why))
            continue
        if producer is not None:
            producer.produce(letter.topic, key=letter.key.encode() if letter.key is not None else None,
                             value=original_value(letter))
            producer.poll(0)
        report.replayed.append(letter)
    if producer is not None:
        flush_or_raise(producer)
    return report


def read_letters(cfg: Settings, bootstrap: str, letter_filter: LetterFilter) -> Selection:
    records = (value for _key, value in read_topic(bootstrap, cfg.topic(topics.DEADLETTER), settings=cfg))
    return select_letters(records, letter_filter)


def _describe(letter: DeadLetter) -> str:
    return (f"{letter.topic}[{letter.partition}]@{letter.offset} key={letter.key} {letter.error_kind or '?'} "
            f"at {letter.at.isoformat()}: {letter.error[:100]}")


def _full_topic(cfg: Settings, name: str) -> str:
    """`orders` or `prod.orders` with prefix `prod.`: both mean the same topic."""
    return name if cfg.topic_prefix and name.startswith(cfg.topic_prefix) else cfg.topic(name)


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{option}: not an ISO 8601 time: {text!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@app.command("replay")
def replay(
    topic: list[str] = typer.Option([], "--topic", "-t", help="original topic (repeatable), e.g. orders"),
    error_kind: list[str] = typer.Option([], "--error-kind", "-k", help="error kind (repeatable), e.g. schema"),
    key: list[str] = typer.Option([], "--key", help="original message key (repeatable)"),
    partition: int | None = typer.Option(None, "--partition", "-p", help="original partition"),
    from_offset: int | None = typer.Option(None, "--from-offset", help="first original offset (inclusive)"),
    to_offset: int | None = typer.Option(None, "--to-offset", help="last original offset (inclusive)"),
    since: str | None = typer.Option(None, "--since", help="dead-lettered at or after (ISO 8601; UTC if no zone)"),
    until: str | None = typer.Option(None, "--until", help="dead-lettered at or before (ISO 8601)"),
    replay_all: bool = typer.Option(False, "--all", help="replay every letter (when no other selector is given)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="list what would be replayed, send nothing"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Send dead-lettered messages again, as they were first produced, to their original
    topics. Run it after the fix: a letter whose message still fails is dead-lettered again."""
    cfg = settings()
    letter_filter = LetterFilter(
        topics=frozenset(_full_topic(cfg, name) for name in topic),
        error_kinds=frozenset(error_kind), keys=frozenset(key), partition=partition,
        from_offset=from_offset, to_offset=to_offset, since=_time(since, "--since"), until=_time(until, "--until"))
    if letter_filter.is_empty() and not (replay_all or dry_run):
        raise typer.BadParameter("select letters (--topic, --error-kind, --key, offsets, times) or pass --all")
    where = require_bootstrap(bootstrap or cfg.kafka_bootstrap)
    selection = read_letters(cfg, where, letter_filter)
    report = replay_letters(cfg, where, selection.letters, dry_run=dry_run)
    verb = "would replay" if dry_run else "replayed"
    for letter in report.replayed:
        typer.echo(f"{verb}: {_describe(letter)}")
    for letter, why in report.refused:
        typer.secho(f"skipped ({why}): {_describe(letter)}", fg="yellow")
    typer.echo(f"{len(report.replayed)} {verb}, {len(report.refused)} skipped; {selection.read} letters read, "
               f"{len(selection.letters)} selected, {selection.repeated} repeats of one message, "
               f"{selection.unreadable} unreadable", err=True)
