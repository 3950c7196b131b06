"""A review service running in this process against the session's embedded broker, with
its own topic prefix (so other tests' holds stay out of its queue); a worker of its own on
that prefix, screening against a small list and knowing the test reviewers; and, for the
service's own tests, the messages a worker would write."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from review.service import ReviewService, build_service
from schemas import Decision, HoldEvent, ListEntry
from streams.broker import free_port
from streams.kafka import create_topics, flush_or_raise, make_producer
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import WorkerProcess
from tests.review.conftest import directory

T = TypeVar("T")


@contextmanager
def running_review(bootstrap: str, data_dir: Path, prefix: str | None = None,
                   db_url: str | None = None) -> Iterator[ReviewService]:
    settings = Settings(_env_file=None, topic_prefix=prefix or f"rv-{uuid.uuid4().hex[:8]}.",  # type: ignore[call-arg]
                        review_port=free_port(), data_dir=data_dir, review_db_url=db_url, partitions=2)
    service = build_service(settings, bootstrap, directory=directory()).start()
    try:
        wait_for(lambda: httpx.get(f"{service.url}/healthz", timeout=2).status_code == 200, "review service up")
        yield service
    finally:
        service.stop()
        service.store.engine.dispose()


def reviewers_env() -> str:
    """The test reviewers (bob, rita: reviewer; sam, tess: senior; ann: auditor) as the
    worker reads them from TRADESCREEN_REVIEWERS."""
    import json

    return json.dumps([r.model_dump(mode="json") for r in directory().reviewers])


def start_review_worker(bootstrap: str, data_dir: Path, prefix: str) -> WorkerProcess:
    return WorkerProcess(bootstrap, data_dir, TRADESCREEN_TOPIC_PREFIX=prefix,
                         TRADESCREEN_APP_ID=f"tradescreen-{prefix.strip('.')}",
                         TRADESCREEN_REVIEWERS=reviewers_env()).start()


def list_ready(count: int) -> Callable[[dict[str, Any]], bool]:
    return lambda h: sum(h["lists"]["entries"].values()) >= count and h["lists"]["fail_closed"] is None


@contextmanager
def review_worker(bootstrap: str, data_dir: Path, prefix: str, entries: list[ListEntry]) -> Iterator[WorkerProcess]:
    """A worker on `prefix` topics whose list state is `entries`."""
    settings = Settings(_env_file=None, topic_prefix=prefix)  # type: ignore[call-arg]
    create_topics(settings, bootstrap)
    publish_entries(settings, bootstrap, entries, source="test", loaded_at=datetime.now(UTC))
    worker = start_review_worker(bootstrap, data_dir, prefix)
    try:
        worker.wait_health(list_ready(len(entries)))
        yield worker
    finally:
        worker.stop()


def wait_for(check: Callable[[], T | bool | None], what: str, timeout_s: float = 30.0) -> T:
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result  # type: ignore[return-value]
        except (httpx.HTTPError, KeyError, IndexError) as exc:
            last_error = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last error: {last_error})")


class WorkerStandIn:
    """Produces what the worker writes (decisions, hold events, list entries) to the real
    broker, as the worker's emit point would."""

    def __init__(self, bootstrap: str, settings: Settings) -> None:
        self.settings = settings
        self.producer = make_producer(bootstrap)

    def send(self, topic: str, key: str, value: bytes | None) -> None:
        self.producer.produce(self.settings.topic(topic), key=key.encode(), value=value)
        flush_or_raise(self.producer)

    def decision(self, d: Decision) -> None:
        self.send("decisions", d.subject.id, d.to_json_bytes())

    def hold(self, event: HoldEvent) -> None:
        self.send("holds", event.hold_id, event.to_json_bytes())

    def list_entry(self, entry: ListEntry) -> None:
        self.send("lists.entries", entry.key, entry.to_json_bytes())

    def order(self, body: dict[str, Any]) -> None:
        import json

        self.send("orders", body["order_id"], json.dumps(body).encode())
