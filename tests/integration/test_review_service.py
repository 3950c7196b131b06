"""The review service against the real broker: the read model is built from the topics,
an accepted action is published to `dispositions`, and the worker's answer on `holds`
settles it; a fresh read model rebuilt from the topics says the same."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from prometheus_client import REGISTRY

from review.store import ReviewStore
from schemas import Disposition, HoldEvent
from screening.holds import disposition_key
from streams.broker import EmbeddedBroker
from streams.kafka import read_topic
from tests.integration.review_support import WorkerStandIn, running_review, wait_for
from tests.review.conftest import ENTRY, NOW, auth, decision, opened


def test_hold_to_disposition_and_back(broker: EmbeddedBroker, tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path / "a") as service:
        worker = WorkerStandIn(broker.bootstrap, service.settings)
        worker.list_entry(ENTRY)
        worker.send("holds", "h-0", b"{not json")  # skipped, logged and counted; ingest goes on
        d = decision("d-1", "o-1", "HOLD")
        worker.decision(d)
        worker.hold(opened("h-1", d))
        api = httpx.Client(base_url=service.url, headers=auth("bob"), timeout=10)
        hold = wait_for(lambda: api.get("/api/holds").json()["holds"], "hold in the queue")[0]
        assert hold["hold_id"] == "h-1" and hold["outcome"] == "HOLD" and hold["reason_codes"] == ["RESTRICTED_PARTY"]
        health = httpx.get(f"{service.url}/healthz").json()
        assert health["read_model"]["alive"] and health["read_model"]["applied"] >= 4
        assert REGISTRY.get_sample_value("tradescreen_review_unreadable_messages_total",
                                         {"topic": service.settings.topic("holds")}) == 1

        r = api.post("/api/holds/h-1/confirm", json={"reason": "same entity"})
        assert r.status_code == 202, r.text
        topic = service.settings.topic("dispositions")
        [(key, value)] = list(read_topic(broker.bootstrap, topic, timeout_s=30))
        disposition = Disposition.model_validate_json(value or b"")
        assert key == b"h-1" and disposition.reviewer == "bob" and disposition.action.value == "confirm"
        assert api.get("/api/holds/h-1").json()["hold"]["pending"] == 1

        answer = HoldEvent.model_validate({
            "hold_id": "h-1", "status": "confirmed", "subject": {"kind": "order", "id": "o-1"}, "decision_id": "d-1",
            "reviewer": "bob", "reason": "same entity", "at": NOW + timedelta(hours=1), "outcome": "HOLD",
            "disposition_key": disposition_key(disposition)})
        worker.hold(answer)
        wait_for(lambda: api.get("/api/holds/h-1").json()["hold"]["status"] == "confirmed", "confirmed")
        assert api.get("/api/holds/h-1").json()["hold"]["pending"] == 0
        assert api.get("/api/holds").json()["total"] == 0
        prefix = service.settings.topic_prefix

    # A new, empty read model on the same topics rebuilds the same picture.
    with running_review(broker.bootstrap, tmp_path / "b", prefix=prefix) as rebuilt:
        api = httpx.Client(base_url=rebuilt.url, headers=auth("ann"), timeout=10)
        detail = wait_for(lambda: api.get("/api/holds/h-1").json() if api.get("/api/holds/h-1").status_code == 200
                          and api.get("/api/holds/h-1").json()["hold"]["status"] == "confirmed" else None,
                          "rebuilt hold")
        assert [(h["what"], h["reviewer"]) for h in detail["history"]] == [("opened", None), ("confirmed", "bob")]
        assert detail["hold"]["pending"] == 0 and detail["matches"][0]["entry"]["name"] == ENTRY.name


def test_a_disposition_from_another_system_shows_as_pending(broker: EmbeddedBroker, tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path) as service:
        worker = WorkerStandIn(broker.bootstrap, service.settings)
        d = decision("d-2", "o-2", "BLOCK")
        worker.decision(d)
        worker.hold(opened("h-2", d))
        other = Disposition(hold_id="h-2", action="escalate", reviewer="erin", reason="from the case system",
                            at=NOW)
        worker.send("dispositions", "h-2", other.to_json_bytes())
        api = httpx.Client(base_url=service.url, headers=auth("sam"), timeout=10)
        detail = wait_for(lambda: (r := api.get("/api/holds/h-2")).status_code == 200 and r.json()["hold"]["pending"]
                          and r.json(), "pending escalation")
        assert detail["history"][-1]["what"] == "escalate" and detail["history"][-1]["state"] == "pending"
        assert detail["hold"]["outcome"] == "BLOCK"


def test_a_read_model_ahead_of_its_topics_is_rebuilt(broker: EmbeddedBroker, tmp_path: Path) -> None:
    """Offsets saved beyond the topics' end mean the topics were recreated (or an in-memory
    broker restarted): what the read model holds is not on them, so it starts again."""
    prefix = f"rv-{uuid.uuid4().hex[:8]}."
    url = f"sqlite:///{tmp_path / 'stale.sqlite'}"
    stale = ReviewStore(url)
    with stale.session() as s:
        old = decision("d-old", "o-old", "HOLD")
        stale.apply_decision(s, old)
        stale.apply_hold_event(s, opened("h-old", old))
        stale.save_offset(s, f"{prefix}holds", 0, 1000)
    stale.engine.dispose()
    with running_review(broker.bootstrap, tmp_path, prefix=prefix, db_url=url) as service:
        worker = WorkerStandIn(broker.bootstrap, service.settings)
        d = decision("d-new", "o-new", "HOLD")
        worker.decision(d)
        worker.hold(opened("h-new", d))
        api = httpx.Client(base_url=service.url, headers=auth("bob"), timeout=10)
        wait_for(lambda: [h["hold_id"] for h in api.get("/api/holds").json()["holds"]] == ["h-new"],
                 "only the hold that is on the topics")
