"""`tradescreen deadletter replay` against the real broker and a running worker: a letter
whose message is valid now (say, rejected under an older limit) is sent again and decided;
one that still fails comes back to the dead-letter topic with the same bytes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from schemas.outputs import DeadLetter
from streams.broker import EmbeddedBroker
from tests.integration.harness import OutputReader, produce
from tests.integration.test_screening_pipeline import decision_for, order


def replay(broker: EmbeddedBroker, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRADESCREEN_KAFKA_BOOTSTRAP": broker.bootstrap}
    result = subprocess.run([sys.executable, "-m", "streams.cli", "deadletter", "replay", *args], env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_replay_after_a_fix(broker: EmbeddedBroker, outputs: OutputReader) -> None:
    # Dead-lettered by the running worker: a quantity that is not a number.
    still_bad = order("Nordlicht Automation GmbH")
    still_bad["lines"][0]["quantity"] = "two"
    bad_bytes = json.dumps(still_bad).encode()
    produce(broker.bootstrap, "orders", still_bad["order_id"], bad_bytes)
    first = outputs.wait_for("deadletter", key=still_bad["order_id"])[0]
    assert base64.b64decode(first["value_b64"]) == bad_bytes

    # Valid now: a letter as an earlier worker, with a stricter limit, would have written it.
    fixed = order("Nordlicht Automation GmbH")
    fixed_bytes = json.dumps(fixed).encode()
    letter = DeadLetter(topic="orders", partition=0, offset=10**9 + uuid.uuid4().int % 10**6, key=fixed["order_id"],
                        value_b64=base64.b64encode(fixed_bytes).decode(), error="orders: message over 10 bytes",
                        error_kind="message_too_large", at=datetime.now(UTC))
    produce(broker.bootstrap, "deadletter", fixed["order_id"], letter.to_json_bytes())
    outputs.wait_for("deadletter", key=fixed["order_id"])
    selectors = ["--topic", "orders", "--key", still_bad["order_id"], "--key", fixed["order_id"]]

    listed = replay(broker, *selectors, "--dry-run")
    assert listed.stdout.count("would replay:") == 2, listed.stdout
    assert f"key={fixed['order_id']} message_too_large" in listed.stdout
    time.sleep(3)
    assert outputs.where("decisions", event_id=fixed["event_id"]) == []

    done = replay(broker, *selectors)
    assert done.stdout.count("replayed:") == 2, done.stdout + done.stderr
    decision = decision_for(outputs, fixed)
    assert decision["outcome"] == "CLEAR" and decision["subject"]["id"] == fixed["order_id"]
    # The replayed message's letter names its new offset. Input is at-least-once, so the
    # first message may also have been dead-lettered twice (redelivered before the worker's
    # first commit): that copy, at the first offset, is not the replay's.
    again = wait_for_letter_from_elsewhere(outputs, still_bad["order_id"], (first["partition"], first["offset"]))
    assert again["value_b64"] == first["value_b64"] and again["error_kind"] == first["error_kind"]
    assert (again["partition"], again["offset"]) != (first["partition"], first["offset"])


def wait_for_letter_from_elsewhere(outputs: OutputReader, key: str, origin: tuple[int, int],
                                   timeout_s: float = 60.0) -> dict[str, Any]:
    """The first dead letter for `key` whose input partition and offset are not `origin`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for letter in outputs.where("deadletter", key=key):
            if (letter["partition"], letter["offset"]) != origin:
                return letter
        time.sleep(0.1)
    raise AssertionError(f"no dead letter for {key} from an offset other than {origin}: "
                         f"{[(m['partition'], m['offset']) for m in outputs.where('deadletter', key=key)]}")


def test_replay_without_a_selector_asks_for_all(broker: EmbeddedBroker) -> None:
    env = {**os.environ, "TRADESCREEN_KAFKA_BOOTSTRAP": broker.bootstrap}
    result = subprocess.run([sys.executable, "-m", "streams.cli", "deadletter", "replay"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "--all" in result.stdout + result.stderr
