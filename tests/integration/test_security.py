"""No secret and no personal data leaves a running worker through /metrics, /health or its
log: party names never become metric label values, and a configured SASL password (set, but
unused on the embedded broker, which has no SASL) is never printed."""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.broker import EmbeddedBroker
from streams.kafka import create_topics
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess, produce
from tests.integration.test_screening_pipeline import decision_for, order, send_order

# Names no list, code or topic contains: one of them anywhere in a scrape is a leak.
PARTIES = ("Quillon Zephyrine Varga-Oduya", "Ostrander Blythe Marchetti Holdings", "Ysolde Przybyszewska-Nkemelu")
PASSWORD = "pw-" + uuid.uuid4().hex
USERNAME = "sasl-user-" + uuid.uuid4().hex[:8]
PREFIX = "sec."
# Label values come from closed vocabularies (topics, outcomes, triggers, codes, list codes,
# error kinds, bucket bounds): no spaces, short.
LABEL_VALUE = re.compile(r"^[A-Za-z0-9_.:+\-]{0,64}$")


def leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    folded = text.casefold()
    words = {w.casefold() for s in secrets for w in re.split(r"[\s-]+", s) if len(w) > 4}
    return sorted(w for w in words | {s.casefold() for s in secrets} if w in folded)


def odd_label_values(exposition: str) -> list[str]:
    return [f"{sample.name}{{{key}={value!r}}}"
            for family in text_string_to_metric_families(exposition) if family.name.startswith("tradescreen_")
            for sample in family.samples for key, value in sample.labels.items() if not LABEL_VALUE.match(value)]


def test_party_names_never_reach_metrics_or_health(broker: EmbeddedBroker, screening_worker: WorkerProcess,
                                                   outputs: OutputReader) -> None:
    events = [order(PARTIES[0]), order(PARTIES[1], ship_to="IR")]
    events[1]["parties"][0]["name"] = PARTIES[2]  # the seller too
    for event in events:
        send_order(broker, event)
    # Dead-lettered with the name in the message: its error text must not become a label.
    bad = order(PARTIES[0])
    bad["lines"][0]["quantity"] = PARTIES[1]
    produce(broker.bootstrap, "orders", bad["order_id"], json.dumps(bad).encode())
    for event in events:
        decision_for(outputs, event)
    letter = outputs.wait_for("deadletter", key=bad["order_id"])[0]
    assert letter["error_kind"]

    metrics, health = screening_worker.metrics(), json.dumps(screening_worker.health())
    assert "tradescreen_deadletters_total" in metrics and "tradescreen_decisions_total" in metrics
    assert leaks(metrics, PARTIES) == []
    assert leaks(health, PARTIES) == []
    assert odd_label_values(metrics) == []


@pytest.fixture(scope="module")
def worker_with_secrets(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    create_topics(Settings(_env_file=None, topic_prefix=PREFIX), broker.bootstrap)  # type: ignore[call-arg]
    worker = WorkerProcess(broker.bootstrap, tmp_path_factory.mktemp("sec-worker"),
                           TRADESCREEN_TOPIC_PREFIX=PREFIX, TRADESCREEN_APP_ID="tradescreen-sec",
                           TRADESCREEN_KAFKA_SASL_USERNAME=USERNAME, TRADESCREEN_KAFKA_SASL_PASSWORD=PASSWORD,
                           TRADESCREEN_KAFKA_SSL_KEY_PASSWORD=PASSWORD + "-key",
                           # No lists on these topics: screen (fail closed) soon, not after 60 s.
                           TRADESCREEN_STARTUP_GRACE_S="5").start()
    try:
        worker.wait_health(lambda h: h["broker"]["reachable"])
        yield worker
    finally:
        worker.stop()


def test_configured_secrets_never_reach_metrics_health_or_log(broker: EmbeddedBroker,
                                                              worker_with_secrets: WorkerProcess) -> None:
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    try:
        event = order(PARTIES[0])
        produce(broker.bootstrap, PREFIX + "orders", event["order_id"], json.dumps(event).encode())
        produce(broker.bootstrap, PREFIX + "orders", "SO-bad", b"\xff not json")
        decision = reader.wait_for("decisions", event_id=event["event_id"])[0]
        assert decision["outcome"] == "HOLD"  # no lists on these topics: fail closed
        reader.wait_for("deadletter", key="SO-bad")
    finally:
        reader.close()
    worker = worker_with_secrets
    port = worker.port
    texts = {"/metrics": worker.metrics(), "/health": json.dumps(worker.health()),
             "/": httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text}
    worker.stop()  # shutdown logs too
    texts["log"] = worker.log_path.read_text(errors="replace")
    assert "tradescreen-sec" in texts["log"], texts["log"][-2000:]  # the worker did log
    for where, text in texts.items():
        assert PASSWORD not in text, where
        assert PASSWORD + "-key" not in text, where
    assert leaks(texts["/metrics"], PARTIES) == [] and leaks(texts["/health"], PARTIES) == []
    assert odd_label_values(texts["/metrics"]) == []


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port`, from the kernel's tables."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    raw = bytes.fromhex(address)
                    # The kernel prints each 32-bit word in host (little-endian) order.
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                    found.add(str(ipaddress.ip_address(words)))
    return found


def test_web_server_listens_on_loopback_only(screening_worker: WorkerProcess) -> None:
    """The default web host is 127.0.0.1 (the image and the manifests opt in to 0.0.0.0)."""
    assert Settings(_env_file=None).web_host == "127.0.0.1"  # type: ignore[call-arg]
    addresses = listening_addresses(screening_worker.port)
    assert addresses == {"127.0.0.1"}, addresses
