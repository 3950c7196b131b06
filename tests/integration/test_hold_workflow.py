"""Given held orders on a running worker, expect reviewers' dispositions to move their holds
exactly once, refusals to be dead-lettered, allow-listed matches to clear, released
subjects to be held again when their list entry changes, and every step to sit in an
audit chain that verifies and links on across a restart.

Runs its own worker on prefixed topics ("hw."), with a small list of its own, so that its
holds and audit partitions hold only what these tests put there."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemas import AuditKind, Disposition, EntryKind, ListEntry
from screening.allowlist import allowlist_key, make_allowlist_entry
from streams.broker import EmbeddedBroker
from streams.commands.audit_cmd import read_audit_topic, verify_partitions
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess, produce
from tests.integration.review_support import list_ready, review_worker, running_review, start_review_worker, wait_for
from tests.review.conftest import auth

PREFIX = "hw."
SETTINGS = Settings(_env_file=None, topic_prefix=PREFIX)  # type: ignore[call-arg]
# Each possibly matches what the orders below name (a HOLD, not a strong match).
ORION = ListEntry(list_code="SDN", source_id="hw-901", kind=EntryKind.organization, name="ORION STARR TRADING",
                  programs=["IRAN"], source_version="hw-1")
ZEPHYRA = ListEntry(list_code="SDN", source_id="hw-902", kind=EntryKind.organization,
                    name="ZEPHYRA NOVVA LOGISTICS", programs=["SDGT"], source_version="hw-1")
# Reviewers: the review tests' bob, rita (reviewer), sam, tess (senior), ann (auditor).


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hw-worker")


@pytest.fixture(scope="module")
def hw_worker(broker: EmbeddedBroker, data_dir: Path) -> Iterator[WorkerProcess]:
    with review_worker(broker.bootstrap, data_dir, PREFIX, [ORION, ZEPHYRA]) as worker:
        yield worker


@pytest.fixture(scope="module")
def hw(broker: EmbeddedBroker, hw_worker: WorkerProcess) -> Iterator[OutputReader]:
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    yield reader
    reader.close()


def send_order(broker: EmbeddedBroker, buyer: str, country: str = "AE") -> dict[str, Any]:
    event = {
        "event_id": str(uuid.uuid4()), "type": "order.created", "order_id": f"HW-{uuid.uuid4().hex[:8]}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "parties": [{"role": "buyer", "name": buyer, "address": {"country": country}}],
        "ship_to": {"country": country}, "lines": [],
    }
    produce(broker.bootstrap, PREFIX + "orders", event["order_id"], json.dumps(event).encode())
    return event


def held(broker: EmbeddedBroker, hw: OutputReader, buyer: str = "Orion Star Trading FZE") -> dict[str, Any]:
    """An order that comes out HOLD, and the hold it opened."""
    event = send_order(broker, buyer)
    decision = hw.wait_for("decisions", event_id=event["event_id"])[0]
    assert decision["outcome"] == "HOLD", decision
    return hw.wait_for("holds", decision_id=decision["decision_id"], status="opened")[0]


def send_disposition(broker: EmbeddedBroker, hold_id: str, action: str, reviewer: str,
                     at: datetime | None = None) -> Disposition:
    d = Disposition.model_validate({"hold_id": hold_id, "action": action, "reviewer": reviewer,
                                    "reason": f"{action}: checked the party's registry entry",
                                    "at": (at or datetime.now(UTC)).isoformat()})
    produce(broker.bootstrap, PREFIX + "dispositions", hold_id, d.to_json_bytes())
    return d


def refused(hw: OutputReader, hold_id: str, kind: str) -> dict[str, Any]:
    def letters() -> list[dict[str, Any]]:
        return [d for d in hw.where("deadletter", error_kind=kind)
                if d["topic"] == PREFIX + "dispositions" and (hold_id in d["error"] or d["key"] == hold_id)]
    return wait_for(lambda: letters(), f"{kind} dead letter for {hold_id}")[0]


def test_a_confirmation_moves_the_hold_once_and_refusals_are_dead_lettered(
        broker: EmbeddedBroker, hw: OutputReader) -> None:
    hold = held(broker, hw)
    hold_id = hold["hold_id"]
    assert hold_id.startswith("h") and hold["outcome"] == "HOLD"

    # An auditor may not act: refused, dead-lettered with the reason, the hold unchanged.
    send_disposition(broker, hold_id, "confirm", "ann")
    letter = refused(hw, hold_id, "disposition.role")
    assert "auditor" in letter["error"]

    confirm = send_disposition(broker, hold_id, "confirm", "bob")
    done = hw.wait_for("holds", hold_id=hold_id, status="confirmed")[0]
    assert done["reviewer"] == "bob" and done["reason"] == confirm.reason

    # The same disposition again changes nothing; a release after the confirmation is the
    # wrong state. Both are keyed by the hold id, so the refusal comes after the repeat.
    produce(broker.bootstrap, PREFIX + "dispositions", hold_id, confirm.to_json_bytes())
    send_disposition(broker, hold_id, "release", "rita")
    assert "confirmed" in refused(hw, hold_id, "disposition.wrong_state")["error"]
    assert len(hw.where("holds", hold_id=hold_id, status="confirmed")) == 1

    unknown = "h0-" + "0" * 24
    send_disposition(broker, unknown, "release", "bob")
    refused(hw, unknown, "disposition.unknown_hold")
    send_disposition(broker, "not-a-hold-id", "release", "bob")
    refused(hw, "not-a-hold-id", "disposition.unknown_hold")


def test_a_block_needs_two_people_and_an_escalation_goes_to_another_senior(
        broker: EmbeddedBroker, hw: OutputReader) -> None:
    event = send_order(broker, "Orion Star Trading FZE", country="IR")  # embargoed: BLOCK
    decision = hw.wait_for("decisions", event_id=event["event_id"])[0]
    assert decision["outcome"] == "BLOCK"
    hold_id = hw.wait_for("holds", decision_id=decision["decision_id"])[0]["hold_id"]
    send_disposition(broker, hold_id, "release", "sam")  # nobody has looked at it yet
    refused(hw, hold_id, "disposition.four_eyes")
    send_disposition(broker, hold_id, "escalate", "rita")
    hw.wait_for("holds", hold_id=hold_id, status="escalated")
    send_disposition(broker, hold_id, "release", "bob")  # a reviewer, not a senior
    refused(hw, hold_id, "disposition.role")
    send_disposition(broker, hold_id, "release", "tess")
    assert hw.wait_for("holds", hold_id=hold_id, status="released")[0]["reviewer"] == "tess"


def test_an_allow_listed_match_clears_and_a_strong_one_still_holds(broker: EmbeddedBroker, hw: OutputReader) -> None:
    first = held(broker, hw, "Zephyra Nova Logistics FZE")
    allow = make_allowlist_entry("Zephyra Nova Logistics FZE", "AE", ZEPHYRA, "Dubai freight firm, other owners",
                                 "bob", datetime.now(UTC), hold_id=first["hold_id"])
    produce(broker.bootstrap, PREFIX + "allowlist", allowlist_key(allow.party_name, "AE", ZEPHYRA.key),
            allow.to_json_bytes())

    def cleared() -> dict[str, Any] | None:
        event = send_order(broker, "Zephyra Nova Logistics FZE")
        decision = hw.wait_for("decisions", event_id=event["event_id"])[0]
        return decision if decision["outcome"] == "CLEAR" else None

    decision = wait_for(cleared, "an allow-listed order to clear")
    [reason] = decision["reasons"]
    assert reason["code"] == "ALLOWLISTED" and "bob" in reason["detail"]
    assert hw.where("holds", subject__id=decision["subject"]["id"]) == []
    # The same party elsewhere is another party: held.
    elsewhere = send_order(broker, "Zephyra Nova Logistics FZE", country="TR")
    assert hw.wait_for("decisions", event_id=elsewhere["event_id"])[0]["outcome"] == "HOLD"


def test_a_released_subject_is_held_again_when_its_list_entry_changes(
        broker: EmbeddedBroker, hw: OutputReader) -> None:
    hold = held(broker, hw)
    send_disposition(broker, hold["hold_id"], "release", "bob")
    hw.wait_for("holds", hold_id=hold["hold_id"], status="released")
    time.sleep(1.0)  # the release reaches the subject record before the list changes
    changed = ORION.model_copy(update={"programs": ["IRAN", "SDGT"], "source_version": "hw-2"})
    publish_entries(SETTINGS, broker.bootstrap, [changed, ZEPHYRA], source="test", loaded_at=datetime.now(UTC))
    again = hw.wait_for("decisions", subject__id=hold["subject"]["id"], trigger="list_update")[0]
    assert again["outcome"] == "HOLD"
    reopened = hw.wait_for("holds", decision_id=again["decision_id"], status="opened")[0]
    assert reopened["hold_id"] != hold["hold_id"]


def audit(broker: EmbeddedBroker) -> dict[int, list[Any]]:
    return read_audit_topic(broker.bootstrap, PREFIX + "audit", timeout_s=30)


def test_every_step_is_in_an_audit_chain_that_verifies_and_links_on_after_a_restart(
        broker: EmbeddedBroker, hw: OutputReader, hw_worker: WorkerProcess, data_dir: Path) -> None:
    hold = held(broker, hw)
    send_disposition(broker, hold["hold_id"], "escalate", "rita")
    hw.wait_for("holds", hold_id=hold["hold_id"], status="escalated")

    def has_escalation() -> dict[int, list[Any]] | None:
        records = audit(broker)
        payloads = [r.payload for rs in records.values() for r in rs if r.kind is AuditKind.disposition]
        return records if any(p.get("disposition", {}).get("hold_id") == hold["hold_id"] for p in payloads) else None

    records = wait_for(has_escalation, "the escalation in the audit chain")
    assert all(broken is None for broken in verify_partitions(records, anchored=True).values())
    kinds = {r.kind for rs in records.values() for r in rs}
    assert {AuditKind.decision, AuditKind.hold, AuditKind.disposition, AuditKind.allowlist,
            AuditKind.list_update} <= kinds, kinds
    refusals = [r.payload for rs in records.values() for r in rs
                if r.kind is AuditKind.disposition and r.payload.get("result") == "refused"]
    assert {p["refusal_code"] for p in refusals} >= {"role", "wrong_state", "four_eyes", "unknown_hold"}
    before = {p: len(rs) for p, rs in records.items()}

    # Restart the worker: the next records link to the last ones written. A list load
    # published while no worker runs is audited once one has read it back.
    hw_worker.stop()
    while_down = ZEPHYRA.model_copy(update={"remarks": "published while no worker ran", "source_version": "hw-3"})
    published_at = datetime.now(UTC)
    publish_entries(SETTINGS, broker.bootstrap, [ORION.model_copy(update={"programs": ["IRAN", "SDGT"],
                                                                          "source_version": "hw-2"}), while_down],
                    source="test", loaded_at=published_at)
    restarted = start_review_worker(broker.bootstrap, data_dir, PREFIX)
    try:
        restarted.wait_health(list_ready(2))
        after_restart = held(broker, hw)
        partition = int(after_restart["hold_id"][1:].split("-")[0])

        def grown() -> dict[int, list[Any]] | None:
            now = audit(broker)
            return now if len(now.get(partition, [])) > before.get(partition, 0) else None

        records = wait_for(grown, "audit records after the restart", timeout_s=60)
        assert all(broken is None for broken in verify_partitions(records, anchored=True).values())

        def load_audited() -> dict[int, list[Any]] | None:
            now = audit(broker)
            return now if any(r.kind is AuditKind.list_update and r.payload.get("read_at_start")
                              and datetime.fromisoformat(r.payload["loaded_at"]) >= published_at
                              for r in now.get(0, [])) else None

        records = wait_for(load_audited, "the list load published while no worker ran, audited", timeout_s=60)
        assert all(broken is None for broken in verify_partitions(records, anchored=True).values())
        # The holds table came back from its changelog: the hold escalated before the
        # restart is decided by another senior now.
        send_disposition(broker, hold["hold_id"], "release", "sam")
        assert hw.wait_for("holds", hold_id=hold["hold_id"], status="released")[0]["reviewer"] == "sam"
        # The review service's view of the same hold: a reviewer confirms through the API.
        with running_review(broker.bootstrap, data_dir / "review", prefix=PREFIX) as service:
            api = httpx.Client(base_url=service.url, headers=auth("bob"), timeout=10)
            wait_for(lambda: api.get(f"/api/holds/{after_restart['hold_id']}").status_code == 200, "hold in the API")
            answer = api.post(f"/api/holds/{after_restart['hold_id']}/confirm", json={"reason": "same registry no."})
            assert answer.status_code == 202, answer.text
            wait_for(lambda: api.get(f"/api/holds/{after_restart['hold_id']}").json()["hold"]["status"] == "confirmed",
                     "the worker's confirmation in the read model", timeout_s=60)
            assert after_restart["hold_id"] not in [h["hold_id"] for h in api.get("/api/holds").json()["holds"]]
    finally:
        restarted.stop()
