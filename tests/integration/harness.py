"""A real tradescreen worker process against the embedded broker, and a reader that
collects everything the worker writes. Used by the integration tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Consumer

from streams import topics
from streams.broker import free_port
from streams.kafka import client_config, flush_or_raise, make_producer

OUTPUT_TOPICS = (topics.DECISIONS, topics.HOLDS, topics.ALERTS, topics.DEADLETTER)


class WorkerProcess:
    """`tradescreen worker` as a child process, configured only through TRADESCREEN_* env."""

    def __init__(self, bootstrap: str, data_dir: Path, cwd: Path | None = None, **env: str) -> None:
        # cwd: run the worker from another checkout's code (first on sys.path with -m).
        self.cwd = cwd
        self.port = free_port()
        self.env = {
            **os.environ,
            "TRADESCREEN_KAFKA_BOOTSTRAP": bootstrap,
            "TRADESCREEN_WEB_PORT": str(self.port),
            "TRADESCREEN_DATA_DIR": str(data_dir),
            "TRADESCREEN_SESSION_TIMEOUT_S": "10",
            "TRADESCREEN_HEARTBEAT_INTERVAL_S": "1",
            **env,
        }
        self.log_path = data_dir / "worker.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-m", "streams.cli", "worker", "--loglevel", "info"],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd)
        return self

    def health(self) -> dict[str, Any]:
        return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=5).json()  # type: ignore[no-any-return]

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text

    def wait_health(self, ready: Callable[[dict[str, Any]], bool], timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        last: Any = None
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.tail_log()
            try:
                last = self.health()
                if ready(last):
                    return last  # type: ignore[no-any-return]
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"worker not ready in {timeout_s}s; last health {last}\n{self.tail_log()}")

    def tail_log(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "<no log>"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class OutputReader:
    """Reads every output topic from the beginning in a thread and keeps what it saw."""

    def __init__(self, bootstrap: str, prefix: str = "") -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {t: [] for t in OUTPUT_TOPICS}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer = Consumer(client_config(bootstrap, **{
            "group.id": f"test-reader-{uuid.uuid4()}", "auto.offset.reset": "earliest", "enable.auto.commit": False}))
        self._consumer.subscribe([prefix + t for t in OUTPUT_TOPICS])
        self._prefix = prefix
        self._bootstrap = bootstrap
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _nudge(self, producer: Any) -> None:
        """The embedded broker hides a partition's last batch behind a lagging high
        watermark until another batch is written: write one (a null marker) to every
        partition of the output topics whenever they go quiet."""
        meta = producer.list_topics(timeout=5).topics
        for t in OUTPUT_TOPICS:
            for p in (meta[self._prefix + t].partitions if self._prefix + t in meta else ()):
                producer.produce(self._prefix + t, key=b"_sync:test-reader", value=None, partition=p)
        producer.flush(5)

    def _run(self) -> None:
        producer = make_producer(self._bootstrap)
        last_seen = last_nudge = time.monotonic()
        while not self._stop.is_set():
            msg = self._consumer.poll(0.2)
            now = time.monotonic()
            if msg is None and now - last_seen > 0.5 and now - last_nudge > 1.0:
                self._nudge(producer)
                last_nudge = now
            if msg is None or msg.error() or msg.value() is None:
                continue
            last_seen = now
            with self._lock:
                self.messages[msg.topic().removeprefix(self._prefix)].append(json.loads(msg.value()))
        self._consumer.close()

    def where(self, topic: str, **fields: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.messages[topic] if all(_get(m, k) == v for k, v in fields.items())]

    def wait_for(self, topic: str, count: int = 1, timeout_s: float = 60.0, **fields: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.where(topic, **fields)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"expected {count} {topic} message(s) with {fields}; saw {self.where(topic, **fields)}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _get(message: dict[str, Any], dotted: str) -> Any:
    value: Any = message
    for part in dotted.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def produce(bootstrap: str, topic: str, key: str, value: bytes | None) -> None:
    producer = make_producer(bootstrap)
    producer.produce(topic, key=key.encode(), value=value)
    flush_or_raise(producer, 30)
