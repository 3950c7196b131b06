"""`tradescreen alerts forward` as a real process on the real broker, against a local HTTP
server that fails the first attempts: every alert arrives signed, in order, and after a
restart the forwarder resumes after the last alert delivered (nothing lost, nothing twice)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemas import Alert
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics, flush_or_raise, make_producer, read_topic
from streams.settings import Settings

SECRET = "webhook-test-secret"


class FlakyWebhook:
    """Answers 503 to the first `failures` requests, then 200 (400 for alerts marked so)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[int, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with hook.lock:
                    status = 503 if hook.failures > 0 else (400 if b"REJECT-ME" in body else 200)
                    hook.failures -= 1
                    hook.requests.append((status, dict(self.headers), body))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"no" if status != 200 else b"ok")

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def delivered(self) -> list[dict[str, object]]:
        with self.lock:
            return [json.loads(body) for status, _, body in self.requests if status == 200]


@pytest.fixture
def webhook() -> Iterator[FlakyWebhook]:
    hook = FlakyWebhook(failures=2)
    yield hook
    hook.server.shutdown()


def start_forwarder(bootstrap: str, prefix: str, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRADESCREEN_KAFKA_BOOTSTRAP": bootstrap, "TRADESCREEN_TOPIC_PREFIX": prefix,
           "TRADESCREEN_ALERTS_WEBHOOK_SECRET": SECRET, "TRADESCREEN_ALERTS_BACKOFF_S": "0.1",
           "TRADESCREEN_SESSION_TIMEOUT_S": "6", "TRADESCREEN_HEARTBEAT_INTERVAL_S": "1"}
    return subprocess.Popen([sys.executable, "-m", "streams.cli", "alerts", "forward", "--webhook", url],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def alerts(settings: Settings, bootstrap: str, ids: list[str]) -> None:
    producer = make_producer(bootstrap)
    for alert_id in ids:
        alert = Alert(alert_id=alert_id, severity="critical", code="RESTRICTED_PARTY",
                      subject={"kind": "order", "id": f"o-{alert_id}"}, summary=f"order o-{alert_id} BLOCK",
                      at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        producer.produce(settings.topic("alerts"), key=f"o-{alert_id}", value=alert.to_json_bytes(), partition=0)
    flush_or_raise(producer)


def wait(check: object, what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_forward_with_retries_signatures_and_resume(broker: EmbeddedBroker, webhook: FlakyWebhook,
                                                    tmp_path: Path) -> None:
    prefix = f"af-{uuid.uuid4().hex[:8]}."
    settings = Settings(_env_file=None, topic_prefix=prefix, partitions=1)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    log = tmp_path / "forward.log"
    alerts(settings, broker.bootstrap, ["a1", "a2", "a3"])
    proc = start_forwarder(broker.bootstrap, prefix, webhook.url, log)
    try:
        wait(lambda: len(webhook.delivered()) >= 3, "first three alerts")
        # The two failed attempts were retried: five requests, all for a1 until it got through.
        statuses = [(status, json.loads(body)["alert_id"]) for status, _, body in webhook.requests]
        assert statuses == [(503, "a1"), (503, "a1"), (200, "a1"), (200, "a2"), (200, "a3")]
        for _, headers, body in webhook.requests:
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert headers["X-Tradescreen-Signature"] == expected
            assert headers["Content-Type"] == "application/json"
        stop(proc)

        alerts(settings, broker.bootstrap, ["a4", "REJECT-ME", "a5"])
        proc = start_forwarder(broker.bootstrap, prefix, webhook.url, log)
        wait(lambda: len(webhook.delivered()) >= 5, "alerts after the restart")
        time.sleep(1.0)  # anything sent twice would arrive now
        assert [a["alert_id"] for a in webhook.delivered()] == ["a1", "a2", "a3", "a4", "a5"]
        stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    # The alert the webhook refused went to the dead letters with the answer, not nowhere.
    letters = [json.loads(v or b"") for _, v in read_topic(broker.bootstrap, settings.topic("deadletter"))]
    assert len(letters) == 1 and "HTTP 400" in letters[0]["error"]
