"""The commands a newcomer runs: `tradescreen up` on its own embedded broker, and
`tradescreen lists load` against a running cluster."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from streams.broker import EmbeddedBroker, free_port
from streams.kafka import create_topics
from streams.list_publisher import published_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, produce


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _start_up(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
    """`tradescreen up` on its own embedded broker, configured only through env."""
    full = {**os.environ, "TRADESCREEN_DATA_DIR": str(tmp_path / "data"), "TRADESCREEN_SESSION_TIMEOUT_S": "10",
            "TRADESCREEN_HEARTBEAT_INTERVAL_S": "1", **env}
    full.pop("TRADESCREEN_KAFKA_BOOTSTRAP", None)
    if "TRADESCREEN_BROKER_PORT" not in env:
        full.pop("TRADESCREEN_BROKER_PORT", None)
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streams.cli", "up"], env=full, stdout=out,
                                stderr=subprocess.STDOUT)
    return proc, log


def _wait_health(proc: subprocess.Popen[bytes], log: Path, web_port: int,
                 ready: Callable[[dict[str, Any]], bool], timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            last = httpx.get(f"http://127.0.0.1:{web_port}/health", timeout=2).json()
            if last is not None and ready(last):
                return last
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"not ready in {timeout_s}s; last health {last}\n{log.read_text()[-3000:]}")


def test_up_runs_broker_demo_list_and_worker_and_stops_cleanly(tmp_path: Path) -> None:
    broker_port, web_port = free_port(), free_port()
    proc, log = _start_up(tmp_path, TRADESCREEN_BROKER_PORT=str(broker_port), TRADESCREEN_WEB_PORT=str(web_port))
    try:
        health = _wait_health(proc, log, web_port, lambda h: h["lists"]["entries"] == {"DPL": 2, "EL": 4}
                              and h["broker"]["reachable"])
        bootstrap = f"127.0.0.1:{broker_port}"
        assert health["broker"]["bootstrap"] == bootstrap
        assert health["lists"]["demo"] is True and "NOT fit for compliance use" in health["warning"]
        printed = log.read_text()
        assert bootstrap in printed and "DEMO LIST LOADED" in printed

        reader = OutputReader(bootstrap)
        event = {"event_id": str(uuid.uuid4()), "type": "order.created", "order_id": "SO-UP-1",
                 "occurred_at": datetime.now(UTC).isoformat(),
                 "parties": [{"role": "buyer", "name": "ZTE Parsian Co.", "address": {"country": "AE"}}],
                 "ship_to": {"country": "AE"}, "lines": []}
        produce(bootstrap, "orders", "SO-UP-1", json.dumps(event).encode())
        decision = reader.wait_for("decisions", event_id=event["event_id"])[0]
        reader.close()
        assert decision["outcome"] == "HOLD"
        assert [r["code"] for r in decision["reasons"]] == ["ENTITY_LIST"]

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert "embedded broker stopped" in log.read_text()
        assert not _port_open(broker_port) and not _port_open(web_port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_lists_load_publishes_the_delta_and_a_second_load_changes_nothing(
        broker: EmbeddedBroker, shared_lists: Path) -> None:
    prefix = "cli."
    settings = Settings(_env_file=None, topic_prefix=prefix)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    env = {**os.environ, "TRADESCREEN_TOPIC_PREFIX": prefix, "COLUMNS": "200"}
    folder = shared_lists / "ofac" / "sdn-2021-07"
    cmd = [sys.executable, "-m", "streams.cli", "lists", "load", str(folder), "--bootstrap", broker.bootstrap]

    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert first.returncode == 0, first.stderr
    assert "SDN" in first.stderr and "8976" in first.stderr
    state, unreadable = published_entries(settings, broker.bootstrap)
    assert len(state) == 8976 and unreadable == 0
    assert "SDN:306" in state

    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    row = next(line for line in second.stderr.splitlines() if "SDN" in line and "8976" in line)
    cells = [c.strip() for c in row.replace("|", "│").split("│") if c.strip()]
    assert cells[:5] == ["SDN", "8976", "0", "0", "0"], row  # list, entries, added, modified, removed


def test_up_with_a_lists_dir_loads_it_instead_of_the_demo_list(tmp_path: Path, shared_lists: Path) -> None:
    lists_dir = tmp_path / "lists"
    lists_dir.mkdir()
    (lists_dir / "el.csv").symlink_to(shared_lists / "formats" / "el.csv")
    web_port = free_port()
    proc, log = _start_up(tmp_path, TRADESCREEN_WEB_PORT=str(web_port), TRADESCREEN_LISTS_DIR=str(lists_dir))
    try:
        health = _wait_health(proc, log, web_port,
                              lambda h: bool(h["lists"]["entries"]) and not h["lists"]["differs_from_manifest"])
        lists = health["lists"]
        assert lists["entries"] == {"EL": 5} and lists["demo"] is False
        assert "warning" not in health and "DEMO LIST" not in log.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_up_leaves_no_broker_behind(tmp_path: Path) -> None:
    broker_port, web_port = free_port(), free_port()
    proc, log = _start_up(tmp_path, TRADESCREEN_BROKER_PORT=str(broker_port), TRADESCREEN_WEB_PORT=str(web_port))
    try:
        _wait_health(proc, log, web_port, lambda h: h["broker"]["reachable"])
        brokers = [c for c in _children(proc.pid) if "tansu" in Path(f"/proc/{c}/cmdline").read_bytes().decode(
            errors="replace") or "broker" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")]
        assert brokers and _port_open(broker_port)
        proc.kill()  # SIGKILL: no clean-up code runs in `up`
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (any(_alive(b) for b in brokers) or _port_open(broker_port)):
            time.sleep(0.2)
        assert not any(_alive(b) for b in brokers), "the embedded broker outlived `tradescreen up`"
        assert not _port_open(broker_port)
    finally:
        if proc.poll() is None:
            proc.kill()
