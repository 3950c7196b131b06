"""One hostile-input run against a running worker: draw payloads (hostile_payloads.py),
produce them interleaved, and check what came out. Shared by the suite's seed-fixed
sample (test_hostile_property.py) and the full run (bench/hostile_input.py)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from streams import topics
from streams.kafka import flush_or_raise, make_producer
from tests.integration.harness import OutputReader, WorkerProcess
from tests.integration.hostile_payloads import TEST_LIST, Payload, TopicShape, payloads, schedule

# Topics read whole by every worker through one partition: a bad sentinel written last
# proves, once its dead letter is out, that everything before it was read.
SINGLE_PARTITION = (topics.LIST_ENTRIES, topics.OWNERSHIP)


def draw_payloads(shapes: tuple[TopicShape, ...], count: int, seed_value: int, run_id: str) -> list[Payload]:
    """`count` payloads, the same ones for the same seed (ids, which carry `run_id`, and
    event times, which are the time of drawing, apart). A seeded schedule fixes the topic
    and kind of each; one hypothesis run per (topic, kind) with that seed draws their
    contents. Only the generate phase runs: the payloads are produced to the broker
    afterwards, where no shrinking is possible."""
    serial = itertools.count()
    plan = schedule(shapes, count, seed_value)
    cells = Counter((shape.topic, kind) for shape, kind in plan)
    by_topic = {shape.topic: shape for shape in shapes}
    drawn: dict[tuple[str, str], list[Payload]] = {}
    for (topic, kind), wanted in sorted(cells.items()):
        found: list[Payload] = []
        attempt = 0
        while len(found) < wanted:  # a small space can run dry: draw again, another seed
            found += _draw_cell(by_topic[topic], kind, wanted - len(found), seed_value + attempt,
                                lambda: f"{run_id}-{next(serial):07d}")
            attempt += 1
            assert attempt < 20, f"hypothesis drew only {len(found)} of {wanted} {topic} {kind}"
        drawn[(topic, kind)] = found
    # Back into the schedule's order, so topics and kinds interleave.
    return [drawn[(shape.topic, kind)].pop() for shape, kind in reversed(plan)][::-1]


def _draw_cell(shape: TopicShape, kind: str, count: int, seed_value: int, new_id: Callable[[], str]
               ) -> list[Payload]:
    found: list[Payload] = []

    @seed(seed_value)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(payloads(shape, kind, new_id))
    def collect(payload: Payload) -> None:
        found.append(payload)

    collect()
    return found[:count]


@dataclass
class Sent:
    payload: Payload
    partition: int = -1
    offset: int = -1


class RssSampler:
    """Peak resident memory of a process, sampled in a thread."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self.pid, self.every_s = pid, every_s
        self.first = self.peak = rss_of(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.peak = max(self.peak, rss_of(self.pid))
            except (OSError, IndexError):
                return  # the process is gone: the caller's liveness check says so

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


def rss_of(pid: int) -> int:
    fields = Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()
    return int(fields[0]) * 1024


def produce_all(bootstrap: str, payloads: list[Payload], run_id: str) -> list[Sent]:
    """Produce in draw order, one producer, recording where each message landed; then a
    bad sentinel on each single-partition topic."""
    tail = [Payload(t, f"{TEST_LIST}:sentinel-{run_id}".encode(), b"[]", "sentinel", bad=True, hints=("object",))
            for t in SINGLE_PARTITION if any(p.topic == t for p in payloads)]
    sent = [Sent(p) for p in [*payloads, *tail]]
    producer = make_producer(bootstrap, None, **{"message.max.bytes": 16 << 20, "linger.ms": 20})
    failures: list[str] = []

    def delivered(item: Sent) -> Callable[[Any, Any], None]:
        def report(err: Any, msg: Any) -> None:
            if err is not None:
                failures.append(f"{item.payload.topic} {item.payload.kind}: {err}")
            else:
                item.partition, item.offset = msg.partition(), msg.offset()
        return report

    for i, item in enumerate(sent):
        producer.produce(item.payload.topic, key=item.payload.key, value=item.payload.value,
                         on_delivery=delivered(item))
        if i % 200 == 199:
            flush_or_raise(producer, 120)
    flush_or_raise(producer, 120)
    assert not failures, failures[:10]
    return sent


@dataclass
class Outcome:
    sent: list[Sent]
    missing_letters: list[Sent] = field(default_factory=list)
    unreadable: list[tuple[Sent, str]] = field(default_factory=list)
    lettered_valid: list[tuple[Sent, dict[str, Any]]] = field(default_factory=list)
    undecided: list[Sent] = field(default_factory=list)
    error_kinds: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def counts(self) -> dict[tuple[str, str], int]:
        return dict(sorted(Counter((s.payload.topic, s.payload.kind) for s in self.sent).items()))

    def ok(self) -> bool:
        return not (self.missing_letters or self.unreadable or self.lettered_valid or self.undecided)

    def summary(self, limit: int = 8) -> str:
        def show(s: Sent) -> str:
            value = s.payload.value
            shown = repr(value[:120]) if value is not None else "tombstone"
            return f"{s.payload.topic}[{s.partition}]@{s.offset} {s.payload.kind} key={s.payload.key!r} {shown}"
        lines = [f"missing dead letters: {len(self.missing_letters)}",
                 *(show(s) for s in self.missing_letters[:limit]),
                 f"unreadable dead letters: {len(self.unreadable)}",
                 *(f"{show(s)}: {why}" for s, why in self.unreadable[:limit]),
                 f"valid payloads dead-lettered: {len(self.lettered_valid)}",
                 *(f"{show(s)}: {m.get('error')}" for s, m in self.lettered_valid[:limit]),
                 f"valid events undecided: {len(self.undecided)}",
                 *(show(s) for s in self.undecided[:limit])]
        return "\n".join(lines)


def unreadable(letter: dict[str, Any], payload: Payload) -> str | None:
    """Why a dead letter's error does not tell a producer what was wrong, or None."""
    error = letter.get("error") or ""
    if not error or len(error) > 2000:
        return f"error is empty or too long ({len(error)} characters)"
    if not error.isprintable():
        return f"error holds unprintable characters: {error!r}"
    if not letter.get("error_kind"):
        return "no error_kind"
    if letter["error_kind"] == "processing":
        return f"the decoder let it through and screening failed on it: {error}"
    if not any(hint.lower() in error.lower() for hint in payload.hints):
        return f"error names none of {payload.hints}: {error}"
    return None


def check(outputs: OutputReader, sent: list[Sent], timeout_s: float) -> Outcome:
    """Wait until every bad payload has its dead letter and every valid order and shipment
    its decision (or `timeout_s` passes), then judge each payload."""
    started = time.monotonic()
    bad = {(s.payload.topic, s.partition, s.offset): s for s in sent
           if s.payload.bad or s.payload.topic == topics.DISPOSITIONS}
    wanted_events = {s.payload.event_id for s in sent if s.payload.event_id}
    while True:
        letters = {(m["topic"], m["partition"], m["offset"]): m for m in outputs.where(topics.DEADLETTER)}
        decided = {m["event_id"] for m in outputs.where(topics.DECISIONS)}
        if (all(k in letters for k in bad) and wanted_events <= decided) or \
                time.monotonic() - started > timeout_s:
            break
        time.sleep(0.5)
    outcome = Outcome(sent, seconds=time.monotonic() - started)
    for s in sent:
        letter = letters.get((s.payload.topic, s.partition, s.offset))
        if s.payload.bad:
            if letter is not None:
                outcome.error_kinds[str(letter.get("error_kind"))] += 1
            if letter is None:
                outcome.missing_letters.append(s)
            elif (why := unreadable(letter, s.payload)) is not None:
                outcome.unreadable.append((s, why))
        elif s.payload.topic == topics.DISPOSITIONS:
            # A valid disposition for a hold that does not exist is judged and refused:
            # its letter says why, in the worker's terms.
            if letter is None:
                outcome.missing_letters.append(s)
            elif not str(letter.get("error_kind", "")).startswith("disposition."):
                outcome.lettered_valid.append((s, letter))
        else:
            if letter is not None:
                outcome.lettered_valid.append((s, letter))
            if s.payload.event_id and s.payload.event_id not in decided:
                outcome.undecided.append(s)
    return outcome


def applied_entries(worker: WorkerProcess) -> int:
    return int(worker.health()["lists"]["entries"].get(TEST_LIST, 0))


def clean_up(bootstrap: str, sent: list[Sent]) -> None:
    """Tombstones for the list entries and ownership links the run added, so the shared
    session worker goes on with the state it had."""
    producer = make_producer(bootstrap)
    for s in sent:
        if s.payload.cleanup_key is not None:
            producer.produce(s.payload.topic, key=s.payload.cleanup_key, value=None)
    flush_or_raise(producer, 60)
