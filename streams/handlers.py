"""What the worker's agents, timers and table callbacks do, apart from declaring them
(`streams/topology.py`): decode or dead-letter, screen, send, and follow list state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import faust
from faust.types import EventT
from pydantic import ValidationError

from schemas import (
    Alert,
    AlertSeverity,
    AuditKind,
    Disposition,
    InputLimits,
    ListEntry,
    ListManifest,
    MessageError,
    OrderEvent,
    OwnershipLink,
    ReasonCode,
    ShipmentEvent,
    SubjectKind,
    check_key,
    decode_message,
    parse_message,
)
from schemas.common import utc_now
from schemas.review import AllowListEntry
from screening.decisions import hold_partition, stable_id
from screening.facts import parse_fact
from screening.holds import HoldState
from screening.liststate import ChangeKind, ListState
from screening.matching import tune_gc_after_build
from screening.outputs import AuditNote, dead_letter
from screening.reviewers import ReviewerDirectory
from screening.screener import Screener
from screening.subjects import SubjectRecord, subject_id
from streams import metrics, topics
from streams.emitter import Emitter
from streams.kafka import broker_reachable
from streams.settings import Settings

log = logging.getLogger("tradescreen.worker")

# List changes at least this large count as a bulk load (see _follow_list_state).
BULK_CHANGE = 1000


@dataclass
class Worker:
    """The Faust app plus the in-process state its agents share."""

    settings: Settings
    bootstrap: str
    app: faust.App
    state: ListState
    screener: Screener
    emitter: Emitter
    topics: dict[str, faust.TopicT] = field(default_factory=dict)
    # Set while screening fails closed, so the critical alert is raised once per episode.
    lists_unavailable_since: datetime | None = None
    broker_reachable: bool = False
    started_at: datetime = field(default_factory=utc_now)
    # List entry keys changed since the last re-screening pass.
    changed_keys: set[str] = field(default_factory=set)
    removed_keys: set[str] = field(default_factory=set)
    books: dict[SubjectKind, Any] = field(default_factory=dict)
    limits: InputLimits = field(default_factory=InputLimits)
    # Set once the list state has been read back after start (see await_list_state).
    list_state_settled: bool = False
    last_nudge: datetime | None = None
    # Shipments on owned partitions waiting for their order: key -> partition. None until
    # rebuilt from the book after a start or rebalance.
    pending_shipments: dict[bytes, int] = field(default_factory=dict)
    pending_rebuilt: bool = False
    # Holds by hold_id (a Faust table, co-partitioned with the subjects they hold).
    holds: Any = None
    reviewers: ReviewerDirectory = field(default_factory=lambda: ReviewerDirectory(()))
    # List loads audited by this process, and whether what arrived while no worker ran has
    # been audited since this worker came to own input partition 0.
    audited_loads: set[tuple[str, str]] = field(default_factory=set)
    shared_state_audited: bool = False

    def hold(self, hold_id: str | None) -> HoldState | None:
        raw = self.holds.get(hold_id.encode()) if hold_id and self.holds is not None else None
        return HoldState.model_validate_json(raw) if raw else None

    def owns(self, topic: str, partition: int) -> bool:
        return (self.settings.topic(topic), partition) in owned_partitions(self.app)


def owned_partitions(app: Any) -> set[tuple[str, int]]:
    """(topic, partition) of every partition this worker owns as active."""
    return {(tp.topic, tp.partition) for tp in app.assignor.assigned_actives()}


async def screen_subject(worker: Worker, event: EventT, model: type[OrderEvent | ShipmentEvent],
                          book: Any) -> None:
    msg = event.message
    metrics.labelled(metrics.EVENTS_CONSUMED, msg.topic).inc()
    now = utc_now()
    try:
        parsed, data = decode_message(model, event.value, msg.topic, worker.limits)
        check_key(msg.key, subject_id(parsed), "order_id" if model is OrderEvent else "shipment_id", msg.topic)
    except MessageError as exc:
        await dead_letter_event(worker, event, exc)
        return
    try:
        key = subject_id(parsed).encode()
        stored = book.get(key)
        record = SubjectRecord.model_validate_json(stored) if stored else None
        # A decided event gets its decision back at once; a new one waits for list state,
        # and if it did wait, a disposition may have changed the record meanwhile.
        if (record is None or parsed.event_id not in record.seen) and await await_list_state(worker):
            now = utc_now()
            stored = book.get(key)
            record = SubjectRecord.model_validate_json(stored) if stored else None
        started = utc_now()
        hold = worker.hold(record.open_hold_id) if record else None
        screened = worker.screener.on_event(parsed, record, now, partition=msg.partition, offset=msg.offset,
                                            hold=hold, event_data=data)
        if screened is None:
            metrics.DUPLICATE_EVENTS.labels(msg.topic).inc()
            log.info("duplicate event skipped event_id=%s subject=%s", parsed.event_id, key.decode())
            return
        metrics.SCREENING_SECONDS.observe((utc_now() - started).total_seconds())
        if screened.record is not record:  # a replay gives the stored record back: nothing to write
            book[key] = screened.record.model_dump_json().encode()
        if screened.hold is not None:
            worker.holds[screened.hold.hold_id.encode()] = screened.hold.model_dump_json().encode()
        await worker.emitter.emit(screened.outputs, msg.partition)
        if screened.record.pending_since is not None:
            worker.pending_shipments[key] = screened.record.partition
            log.info("shipment held pending its order event_id=%s subject=%s", parsed.event_id, key.decode())
        if screened.decision is not None:
            metrics.DECISION_LATENCY.observe(max((screened.decision.decided_at - parsed.occurred_at).total_seconds(),
                                                 0.0))
            await _maybe_alert_unavailable(worker, screened.decision)
    except Exception as exc:  # never let one event stop the agent, never drop it silently
        log.exception("processing failed topic=%s offset=%s", msg.topic, msg.offset)
        await dead_letter_event(worker, event, MessageError("processing", f"{msg.topic}: processing failed: {exc!r}"))


async def await_list_state(worker: Worker) -> bool:
    """Right after a (re)start, hold new events until the list state has been read back
    in full, rather than fail closed on each and bury reviewers in holds that the first
    re-screen clears again. Read in full: table recovery done, a manifest seen, and every
    list at the count its manifest published. Past `startup_grace_s` the worker screens
    anyway and fails closed while state is missing. True if it held the event (other
    agents ran meanwhile)."""
    if worker.list_state_settled:
        return False
    grace = worker.settings.startup_grace_s
    waited = False
    while True:
        now = utc_now()
        recovered = worker.app.tables.recovery.completed.is_set()  # type: ignore[attr-defined]
        if recovered and worker.state.manifests and worker.state.availability_problem(
                now, worker.screener.policy.max_list_age) is None:
            worker.list_state_settled = True
            log.info("list state read back in full after %.1f s", (now - worker.started_at).total_seconds())
            return waited
        if (now - worker.started_at).total_seconds() >= grace:
            worker.list_state_settled = True
            log.warning("list state not complete %.0f s after start: screening fails closed until it is", grace)
            return waited
        await asyncio.sleep(0.2)
        waited = True


async def dead_letter_event(worker: Worker, event: EventT, error: MessageError, topic: str | None = None,
                            origin: tuple[int, int] | None = None) -> None:
    """Dead-letter one input message (`topic` and `origin`, partition and offset: where it
    was first read, when it is not the message in hand)."""
    msg = event.message
    partition, offset = origin or (msg.partition, msg.offset)
    await worker.emitter.emit([dead_letter(topic or msg.topic, partition, offset, msg.key, msg.value, error,
                                           utc_now())])
    log.warning("dead-lettered topic=%s partition=%s offset=%s error=%s", msg.topic, msg.partition,
                msg.offset, error)


async def _maybe_alert_unavailable(worker: Worker, decision: Any) -> None:
    if any(r.code is ReasonCode.LISTS_UNAVAILABLE for r in decision.reasons):
        await _raise_unavailable(worker, decision.reasons[0].detail)


async def _raise_unavailable(worker: Worker, detail: str) -> None:
    if worker.lists_unavailable_since is not None:
        return
    now = utc_now()
    worker.lists_unavailable_since = now
    alert = Alert(alert_id=stable_id("a", "lists-unavailable", now.isoformat()), severity=AlertSeverity.critical,
                  code=ReasonCode.LISTS_UNAVAILABLE.value,
                  summary=f"Screening fails closed, every order and shipment is HELD: {detail}", at=now)
    await worker.emitter.emit([alert])
    log.error("lists unavailable, failing closed: %s", detail)


async def follow_list_state(worker: Worker) -> None:
    await audit_what_arrived_while_down(worker)
    now = utc_now()
    age = worker.state.age(now)
    metrics.LIST_STATE_AGE.set(age.total_seconds() if age is not None else -1)
    problem = worker.state.availability_problem(now, worker.screener.policy.max_list_age)
    if problem is not None:
        _nudge_list_topics(worker, now)
        if (now - worker.started_at).total_seconds() >= worker.settings.startup_grace_s:
            await _raise_unavailable(worker, problem)
        return
    if worker.lists_unavailable_since is not None:
        log.info("list state available again after outage since %s; re-screening held subjects",
                 worker.lists_unavailable_since)
        worker.lists_unavailable_since = None
        await _rescreen_pass(worker, now, lambda r: r.held_for_lists)
    if worker.changed_keys or worker.removed_keys:
        changed, worker.changed_keys = worker.changed_keys, set()
        removed, worker.removed_keys = worker.removed_keys, set()
        if len(changed) + len(removed) >= BULK_CHANGE:
            # A bulk load leaves a large heap: collect and freeze it now, and collect young
            # objects less often, so collection pauses stay out of screening (the same tuning
            # bench/names.py measures with). The name index re-reads its word counts now
            # rather than in the next search.
            worker.state.index.settle()
            tune_gc_after_build()
        await _rescreen_pass(worker, now, lambda r: r.held_for_lists or
                             (bool(changed) and worker.screener.touched_by(r, changed, now)), removed)


NUDGE_EVERY = timedelta(seconds=3)


def _nudge_list_topics(worker: Worker, now: datetime, force: bool = False) -> None:
    """At start, and while this worker holds fewer list entries than a manifest says, write
    a tombstone for a key of its own to the list topics (every few seconds at most), so a
    last record batch hidden behind a lagging high watermark (Tansu) becomes readable."""
    if not force and (not worker.state.short_lists()
                      or (worker.last_nudge and now - worker.last_nudge < NUDGE_EVERY)):
        return
    worker.last_nudge = now
    key = f"{topics.SYNC_KEY_PREFIX}{worker.settings.app_id}"
    worker.emitter.tombstone(topics.LIST_ENTRIES, key)
    worker.emitter.tombstone(topics.LIST_MANIFEST, key)


async def _rescreen_pass(worker: Worker, now: datetime, wanted: Any, removed: set[str] | frozenset[str] = frozenset()
                         ) -> None:
    """Re-screen the open subjects this worker owns that `wanted` selects; tell reviewers
    about holds that rest on `removed` entries."""
    started = utc_now()
    horizon = timedelta(days=worker.settings.rescreen_horizon_days)
    examined = changed = 0
    for book, key, record in owned_records(worker):
        if not worker.screener.is_open(record, now, horizon):
            continue
        if removed:
            await worker.emitter.emit(worker.screener.delisting_alerts(record, removed, now))
        if not wanted(record):
            continue
        examined += 1
        screened = worker.screener.rescreen(record, now, worker.hold(record.open_hold_id))
        metrics.RESCREENS.labels("true" if screened else "false").inc()
        if screened is None:
            continue
        changed += 1
        _store(worker, book, key, screened.record, screened.hold)
        await worker.emitter.emit(screened.outputs, record.partition)
    metrics.RESCREEN_SECONDS.observe((utc_now() - started).total_seconds())
    if examined:
        log.info("re-screened subjects=%d changed=%d seconds=%.3f", examined, changed,
                 (utc_now() - started).total_seconds())


def owned_records(worker: Worker) -> Iterator[tuple[Any, bytes, SubjectRecord]]:
    """(book, key, record) for every subject on an input partition this worker owns as
    active; standby copies of other workers' partitions are left to their owners. A
    snapshot of each book, so callers may write to it while iterating."""
    owned = owned_partitions(worker.app)
    for kind, book in worker.books.items():
        topic = worker.settings.topic(topics.ORDERS if kind is SubjectKind.order else topics.SHIPMENTS)
        for key, raw in list(book.items()):
            record = SubjectRecord.model_validate_json(raw)
            if (topic, record.partition) in owned:
                yield book, key, record


async def decide_pending_shipments(worker: Worker, now: datetime) -> None:
    """Decide the shipments held pending whose order has become known, or that waited
    longer than `shipment_order_wait_s` (then held for review)."""
    book = worker.books[SubjectKind.shipment]
    if not worker.pending_rebuilt:
        worker.pending_shipments = {key: record.partition for b, key, record in owned_records(worker)
                                    if b is book and record.pending_since is not None}
        worker.pending_rebuilt = True
    timeout = timedelta(seconds=worker.settings.shipment_order_wait_s)
    for key in list(worker.pending_shipments):
        raw = book.get(key)
        record = SubjectRecord.model_validate_json(raw) if raw else None
        if record is None or record.pending_since is None:
            worker.pending_shipments.pop(key, None)
            continue
        screened = worker.screener.decide_pending(record, now, timeout, worker.hold(record.open_hold_id))
        if screened.decision is None:
            continue
        worker.pending_shipments.pop(key, None)
        _store(worker, book, key, screened.record, screened.hold)
        await worker.emitter.emit(screened.outputs, record.partition)


def forget_pending_after_rebalance(worker: Worker) -> None:
    worker.pending_rebuilt = False
    worker.shared_state_audited = False


def _store(worker: Worker, book: Any, key: bytes, record: SubjectRecord, hold: HoldState | None) -> None:
    """Write a subject record (and its changed hold) from outside a stream event: to their
    own changelog partition, which is where the input topic put the subject."""
    _write(book, record.partition, key, record.model_dump_json().encode())
    if hold is not None:
        _write(worker.holds, record.partition, hold.hold_id.encode(), hold.model_dump_json().encode())


def _write(table: Any, partition: int, key: bytes, value: bytes) -> None:
    table.data[key] = value
    table.send_changelog(partition, key, value)


def expire_subjects(worker: Worker, now: datetime) -> int:
    """Forget owned subjects older than the re-screening horizon (table and changelog), so
    the books stay bounded. Younger closed subjects stay: their event ids still guard
    against re-delivered events."""
    horizon = timedelta(days=worker.settings.rescreen_horizon_days)
    expired = 0
    for book, key, record in owned_records(worker):
        if now - record.occurred_at > horizon:
            book.data.pop(key, None)
            book.send_changelog(record.partition, key, None)  # tombstone: compaction drops it
            expired += 1
    if expired:
        log.info("expired subjects=%d horizon_days=%s", expired, worker.settings.rescreen_horizon_days)
    return expired


def nudge_list_topics_at_start(worker: Worker) -> None:
    """Before table recovery reads the list topics: recovery reads up to the high
    watermark, so it must already stand past the last real record batch."""
    _nudge_list_topics(worker, utc_now(), force=True)


async def check_broker(worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    worker.broker_reachable = await loop.run_in_executor(None, broker_reachable, worker.bootstrap)
    metrics.BROKER_UP.set(1 if worker.broker_reachable else 0)


def _text_key(key: Any) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)


def _sync_marker(key: str, value: bytes | None) -> bool:
    """A null record under a `_sync:` key only pushes a lagging high watermark on."""
    return value is None and key.startswith(topics.SYNC_KEY_PREFIX)


def list_entry_applier(worker: Worker) -> Any:
    async def apply(event: EventT) -> None:
        key_raw, value = event.message.key, event.message.value
        key = _text_key(key_raw)
        if _sync_marker(key, value):
            return
        try:
            if key_raw is None:  # a keyless tombstone would otherwise "delete" the key "None"
                raise MessageError("key_missing", f"{topics.LIST_ENTRIES}: message has no key "
                                                  "(expected <list>:<source_id>)")
            entry = None if value is None else parse_message(ListEntry, value, topics.LIST_ENTRIES, worker.limits)
            if entry is not None:
                check_key(key_raw, entry.key, "<list>:<source_id>", topics.LIST_ENTRIES)
        except MessageError as exc:
            # A bad record must not stop list updates. Every worker reads the whole compacted
            # topic, so each reports it (same topic/partition/offset: consumers can dedupe).
            await dead_letter_event(worker, event, exc)
            return
        change = worker.state.apply(key, entry, utc_now())
        if change.kind in (ChangeKind.added, ChangeKind.modified):
            worker.changed_keys.add(key)
        elif change.kind is ChangeKind.removed:
            worker.removed_keys.add(key)
        list_code = (entry.list_code if entry else (change.old.list_code if change.old else key.split(":")[0]))
        metrics.LIST_DELTA.labels(list_code, change.kind.value).inc()
        metrics.LIST_ENTRIES.labels(list_code).set(worker.state.counts().get(list_code, 0))

    return apply


def manifest_applier(worker: Worker) -> Any:
    async def apply(event: EventT) -> None:
        key_raw, value = event.message.key, event.message.value
        list_code = _text_key(key_raw)
        try:
            manifest = None if value is None else parse_message(ListManifest, value, topics.LIST_MANIFEST)
        except MessageError as exc:
            await dead_letter_event(worker, event, exc)
            return
        worker.state.apply_manifest(manifest, list_code)
        if manifest is not None:
            metrics.LIST_LAST_LOAD.labels(list_code).set(manifest.loaded_at.timestamp())
            if _audits_shared_state(worker):
                await _audit_list_load(worker, manifest)

    return apply


def fact_applier(worker: Worker) -> Any:
    async def apply(event: EventT) -> None:
        key_raw, value = event.message.key, event.message.value
        key = _text_key(key_raw)
        if _sync_marker(key, value) or worker.emitter.wrote(event.message.headers):
            return  # our own facts were applied when written
        try:
            fact = None if value is None else parse_fact(value)
            worker.screener.facts.apply(key, fact)
        except (ValidationError, ValueError) as exc:
            await dead_letter_event(worker, event, MessageError("schema", f"{topics.FACTS}: {exc}"))

    return apply


def ownership_applier(worker: Worker) -> Any:
    async def apply(event: EventT) -> None:
        key_raw, value = event.message.key, event.message.value
        try:
            if key_raw is None:
                raise MessageError("key_missing", f"{topics.OWNERSHIP}: a link needs its link id as key")
            key = _text_key(key_raw)
            link = None if value is None else parse_message(OwnershipLink, value, topics.OWNERSHIP, worker.limits)
        except MessageError as exc:
            await dead_letter_event(worker, event, exc)
            return
        worker.screener.facts.apply_link(key, link)

    return apply


async def expire_facts(worker: Worker, now: datetime) -> int:
    """Tombstones (or shortened order facts) for facts past their window; written by the
    worker that owns orders partition 0 only, since every worker holds all facts."""
    if not worker.owns(topics.ORDERS, 0):
        return 0
    records = worker.screener.facts.expiry(now)
    for key, fact in records:
        if fact is None:
            worker.emitter.tombstone(topics.FACTS, key)
        else:
            await worker.emitter.emit([fact])  # an order fact without the activity that left the window
        worker.screener.facts.apply(key, fact)
    return len(records)


def count_list_alert(value: bytes) -> None:
    try:
        alert = Alert.model_validate_json(value)
    except ValueError:
        return  # not ours to judge: alerts is an output topic
    if alert.code == "LIST_QUARANTINED":
        metrics.LIST_QUARANTINED.labels(alert.list_code or "unknown").inc()
    elif alert.code == "LIST_FETCH_FAILED":
        metrics.LIST_FETCH_FAILURES.inc()


# -- dispositions ----------------------------------------------------------------------


async def route_disposition(worker: Worker, event: EventT) -> None:
    """A Disposition on `dispositions` (keyed by hold id, on any partition) is checked for
    shape and passed on, unchanged, to the `hold-actions` partition of its hold's subject;
    a bad one is dead-lettered and audited here."""
    msg = event.message
    try:
        disposition = parse_message(Disposition, event.value, msg.topic, worker.limits)
        check_key(msg.key, disposition.hold_id, "hold_id", msg.topic)
        partition = hold_partition(disposition.hold_id)
        if partition is None or partition >= worker.settings.partitions:
            raise MessageError("disposition.unknown_hold",
                               f"{msg.topic}: {disposition.hold_id!r} is not a hold id this service issued")
    except MessageError as exc:
        metrics.DISPOSITIONS.labels("refused").inc()
        await worker.emitter.emit([_refused_note(msg, exc)], msg.partition)
        await dead_letter_event(worker, event, exc)
        return
    worker.emitter.forward(topics.HOLD_ACTIONS, partition, msg.key, msg.value or b"",
                           [(ORIGIN_HEADER, f"{msg.partition}:{msg.offset}".encode())])


# Where a forwarded disposition was read from: `<partition>:<offset>` of `dispositions`,
# so that a refusal's dead letter names the message a producer sent.
ORIGIN_HEADER = "tradescreen-origin"


def _origin(msg: Any) -> tuple[int, int] | None:
    headers = msg.headers or ()
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        if name == ORIGIN_HEADER and value:
            part, _, offset = bytes(value).decode("ascii", "replace").partition(":")
            if part.isdigit() and offset.isdigit():
                return int(part), int(offset)
    return None


def _refused_note(msg: Any, error: MessageError) -> AuditNote:
    return AuditNote(AuditKind.disposition, _text_key(msg.key) if msg.key is not None else "-", {
        "result": "refused", "refusal_code": error.kind.removeprefix("disposition."), "refusal_reason": str(error),
        "message": {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset},
    }, utc_now())


async def apply_disposition(worker: Worker, event: EventT) -> None:
    """A disposition on the partition of its hold's subject: applied to the hold once, or
    refused (dead letter naming `dispositions`, and an audit record)."""
    msg = event.message
    dispositions_topic = worker.settings.topic(topics.DISPOSITIONS)
    origin = _origin(msg)
    try:
        disposition = parse_message(Disposition, event.value, topics.DISPOSITIONS, worker.limits)
    except MessageError as exc:
        await dead_letter_event(worker, event, exc, dispositions_topic, origin)
        return
    try:
        hold = worker.hold(disposition.hold_id)
        book = key = record = None
        if hold is not None:
            book = worker.books[hold.subject.kind]
            key = hold.subject.id.encode()
            raw = book.get(key)
            record = SubjectRecord.model_validate_json(raw) if raw else None
        reviewed = worker.screener.review(hold, disposition, worker.reviewers.role_of(disposition.reviewer), record,
                                          utc_now(), offset=msg.offset)
        if reviewed.hold is not None:
            worker.holds[reviewed.hold.hold_id.encode()] = reviewed.hold.model_dump_json().encode()
        if reviewed.record is not None and book is not None and key is not None:
            book[key] = reviewed.record.model_dump_json().encode()
        await worker.emitter.emit(reviewed.outputs, msg.partition)
        if reviewed.refusal is not None:
            refusal = reviewed.refusal
            metrics.DISPOSITIONS.labels("refused").inc()
            await dead_letter_event(worker, event, MessageError(
                f"disposition.{refusal.code}",
                f"{dispositions_topic}: {disposition.action.value} of {disposition.hold_id} by "
                f"{disposition.reviewer} refused: {refusal.reason}"), dispositions_topic, origin)
        else:
            metrics.DISPOSITIONS.labels("applied" if reviewed.hold is not None else "repeated").inc()
    except Exception as exc:  # never let one message stop the agent, never drop it silently
        log.exception("disposition failed topic=%s offset=%s", msg.topic, msg.offset)
        await dead_letter_event(worker, event, MessageError("processing", f"{dispositions_topic}: processing "
                                                            f"failed: {exc!r}"), dispositions_topic, origin)


# -- allow-list ------------------------------------------------------------------------


def allowlist_applier(worker: Worker) -> Any:
    async def apply(event: EventT) -> None:
        key_raw, value = event.message.key, event.message.value
        key = _text_key(key_raw)
        if _sync_marker(key, value):
            return
        try:
            entry = None if value is None else parse_message(AllowListEntry, value, topics.ALLOWLIST, worker.limits)
        except MessageError as exc:
            await dead_letter_event(worker, event, exc)
            return
        if entry is None:
            before = worker.screener.allowlist.pop(key, None)
        else:
            before = worker.screener.allowlist.get(key)
            worker.screener.allowlist[key] = entry
        shown = entry or before
        if _audits_shared_state(worker) and shown is not None:
            await _audit_allowlist_change(worker, key, "revoked" if entry is None else "added", shown)

    return apply


async def _audit_list_load(worker: Worker, manifest: ListManifest, read_at_start: bool = False) -> None:
    if (manifest.list_code, manifest.version) in worker.audited_loads:
        return
    worker.audited_loads.add((manifest.list_code, manifest.version))
    payload = manifest.model_dump(mode="json", by_alias=True, exclude_none=True)
    payload["lists_version"] = worker.state.version()
    if read_at_start:
        payload["read_at_start"] = True
    await worker.emitter.emit([AuditNote(AuditKind.list_update, f"list:{manifest.list_code}", payload, utc_now())], 0)


async def audit_what_arrived_while_down(worker: Worker) -> None:
    """Once list state is read back after a start (or a rebalance that gave this worker
    input partition 0): list loads and allow-list entries newer than the last record of
    audit partition 0 arrived while no worker audited them; audit them now."""
    if worker.shared_state_audited or not worker.list_state_settled or not worker.owns(topics.ORDERS, 0):
        return
    worker.shared_state_audited = True
    since = await worker.emitter.tail_at(0)
    for manifest in sorted(worker.state.manifests.values(), key=lambda m: m.loaded_at):
        if since is None or manifest.loaded_at > since:
            await _audit_list_load(worker, manifest, read_at_start=True)
    for key, entry in sorted(worker.screener.allowlist.items()):
        if since is None or entry.created_at > since:
            await _audit_allowlist_change(worker, key, "added", entry, read_at_start=True)


async def _audit_allowlist_change(worker: Worker, key: str, change: str, entry: AllowListEntry,
                                  read_at_start: bool = False) -> None:
    payload: dict[str, Any] = {"key": key, "change": change, "entry": entry.model_dump(mode="json", exclude_none=True)}
    if read_at_start:
        payload["read_at_start"] = True
    await worker.emitter.emit([AuditNote(AuditKind.allowlist, key, payload, utc_now())], 0)


def _audits_shared_state(worker: Worker) -> bool:
    """Changes to state every worker reads (list versions, the allow-list) are audited once,
    by the owner of input partition 0: as they arrive while it runs, and what arrived while
    none ran once it has read them back (audit_what_arrived_while_down)."""
    return worker.list_state_settled and worker.owns(topics.ORDERS, 0)
