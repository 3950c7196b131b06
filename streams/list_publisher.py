"""Publish list state to `lists.entries`: read back what is already published, compute the
delta, send only upserts and tombstones, then one manifest per list touched."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from confluent_kafka import Producer

from schemas import ListEntry, ListManifest, MessageError, parse_message
from screening.lists.delta import ListDelta, compute_delta, entry_fingerprint
from screening.liststate import ListVersions
from streams import topics
from streams.kafka import flush_or_raise, make_producer, read_topic
from streams.settings import Settings


@dataclass
class PublishReport:
    delta: ListDelta
    versions: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0


def published_entries(settings: Settings, bootstrap: str) -> tuple[dict[str, ListEntry], int]:
    """The list state as it stands on `lists.entries` (last record per key wins), and how
    many records could not be read as ListEntry."""
    state: dict[str, ListEntry] = {}
    unreadable = 0
    for key, value in read_topic(bootstrap, settings.topic(topics.LIST_ENTRIES), settings=settings):
        if key is None:
            continue
        k = key.decode("utf-8", "replace")
        if value is None:
            state.pop(k, None)
            continue
        try:
            state[k] = parse_message(ListEntry, value, topics.LIST_ENTRIES)
        except MessageError:
            unreadable += 1
    return state, unreadable


def publish_entries(
    settings: Settings,
    bootstrap: str,
    entries: Iterable[ListEntry],
    *,
    source: str,
    loaded_at: datetime,
    lists: Iterable[str] | None = None,
    demo: bool = False,
    progress: Callable[[int], None] | None = None,
) -> PublishReport:
    """Make the published state of `lists` (default: the lists present in `entries`) equal
    to `entries`, sending only what changed."""
    entries = list(entries)
    scope = set(lists) if lists is not None else {e.list_code for e in entries}
    current, unreadable = published_entries(settings, bootstrap)
    delta = compute_delta(current, entries, scope)

    versions = ListVersions()
    for key, entry in current.items():
        versions.add(key, entry.list_code, entry_fingerprint(entry))
    producer = make_producer(bootstrap, settings)
    topic = settings.topic(topics.LIST_ENTRIES)
    sent = 0
    for entry in [*delta.added, *delta.modified]:
        producer.produce(topic, key=entry.key.encode(), value=entry.to_json_bytes())
        versions.discard(entry.key, entry.list_code)
        versions.add(entry.key, entry.list_code, entry_fingerprint(entry))
        sent += 1
        if sent % 1000 == 0:
            producer.poll(0)
            if progress:
                progress(1000)
    for key in delta.removed:
        producer.produce(topic, key=key.encode(), value=None)
        versions.discard(key, current[key].list_code)
    if progress:
        progress(sent % 1000 + len(delta.removed))
    flush_or_raise(producer)
    _end_batch(producer, topic)

    # Manifests go out after the entries are acknowledged, so a worker that sees a
    # manifest can tell whether it has reached the version it names.
    counts = versions.counts()
    source_versions = {e.list_code: e.source_version for e in entries}
    report = PublishReport(delta=delta, unreadable=unreadable)
    for code in sorted(scope):
        manifest = ListManifest(list_code=code, version=versions.of(code), entries=counts.get(code, 0),
                                loaded_at=loaded_at, source=source, demo=demo,
                                source_version=source_versions.get(code))
        producer.produce(settings.topic(topics.LIST_MANIFEST), key=code.encode(), value=manifest.to_json_bytes())
        report.versions[code] = manifest.version
        report.counts[code] = manifest.entries
    flush_or_raise(producer)
    _end_batch(producer, settings.topic(topics.LIST_MANIFEST))
    return report


def _end_batch(producer: Producer, topic: str) -> None:
    """A batch of its own after the real ones, so that they are readable at once on a
    broker whose high watermark lags the last batch."""
    producer.produce(topic, key=f"{topics.SYNC_KEY_PREFIX}publisher".encode(), value=None)
    flush_or_raise(producer)
