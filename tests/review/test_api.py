"""Review API over a SQLite read model: auth, filters, validation before publishing, pending
until the worker's HoldEvent answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from schemas import Disposition, HoldEvent
from schemas.review import AllowListEntry
from screening.holds import disposition_key
from tests.review.conftest import NOW, Service, auth, decision


def refusals(status: int, code: str) -> float:
    return REGISTRY.get_sample_value("tradescreen_review_refusals_total", {"status": str(status), "code": code}) or 0


def test_openapi_document_lists_the_api(service: Service) -> None:
    doc = service.client.get("/openapi.json").json()
    for path in ("/api/holds", "/api/holds/{hold_id}", "/api/holds/{hold_id}/release", "/api/holds/{hold_id}/confirm",
                 "/api/holds/{hold_id}/escalate", "/api/holds/{hold_id}/claim", "/api/allowlist"):
        assert path in doc["paths"], path


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic Ym9iOng="}])
def test_requests_without_a_valid_token_get_401_and_change_nothing(service: Service, headers: dict[str, str],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    before = refusals(401, "unauthenticated")
    assert service.client.get("/api/holds", headers=headers).status_code == 401
    response = service.client.post("/api/holds/h-1/confirm", json={"reason": "ok"}, headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert service.publisher.sent == []
    assert refusals(401, "unauthenticated") == before + 2
    assert "wrong" not in caplog.text and "Ym9i" not in caplog.text
    # A reviewer named in the body is not an identity.
    body = {"reason": "ok", "reviewer": "sam"}
    assert service.client.post("/api/holds/h-1/confirm", json=body, headers=headers).status_code == 401


def test_listing_filters_sorts_and_pages(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    service.feed_hold("h-2", "o-2", "BLOCK", party="Kim Trading")
    service.feed_hold("h-3", "o-3", "HOLD", code="ENTITY_LIST", list_code="DPL", party="Moon Corp")

    def ids(**params: object) -> list[str]:
        r = service.client.get("/api/holds", params=params, headers=auth("ann"))
        assert r.status_code == 200, r.text
        return [h["hold_id"] for h in r.json()["holds"]]

    assert ids() == ["h-1", "h-2", "h-3"]
    assert ids(outcome="BLOCK") == ["h-2"]
    assert ids(reason_code="ENTITY_LIST") == ["h-3"]
    assert ids(list="DPL") == ["h-3"] and ids(list="SDN") == ["h-1", "h-2"]
    assert ids(party="kim") == ["h-2"]
    assert ids(sort="subject", order="desc") == ["h-3", "h-2", "h-1"]
    assert ids(limit=2, offset=1) == ["h-2", "h-3"]
    assert ids(min_age_hours=0.5) == ["h-1", "h-2", "h-3"] and ids(max_age_hours=0.5) == []
    assert service.client.post("/api/holds/h-2/claim", json={}, headers=auth("bob")).status_code == 200
    assert ids(assignee="bob") == ["h-2"] and ids(assignee="none") == ["h-1", "h-3"]
    page = service.client.get("/api/holds", params={"limit": 1}, headers=auth("bob")).json()
    assert page["total"] == 3 and page["holds"][0]["outcome"] == "HOLD"
    assert page["holds"][0]["reason_codes"] == ["RESTRICTED_PARTY"]


def test_confirm_is_published_then_pending_until_the_worker_answers(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    r = service.client.post("/api/holds/h-1/confirm", json={"reason": "same company, same address"},
                            headers=auth("bob"))
    assert r.status_code == 202 and r.json()["status"] == "pending"
    [(topic, key, value)] = service.publisher.sent
    assert (topic, key) == ("dispositions", "h-1")
    disposition = Disposition.model_validate_json(value or b"")
    assert (disposition.action.value, disposition.reviewer, disposition.reason) == \
        ("confirm", "bob", "same company, same address")
    detail = service.client.get("/api/holds/h-1", headers=auth("bob")).json()
    assert detail["hold"]["pending"] == 1 and detail["hold"]["status"] == "opened"
    assert [(h["what"], h["state"]) for h in detail["history"]][-1] == ("confirm", "pending")
    assert detail["allowed_actions"] == []  # as good as confirmed
    # The worker applies it and answers on `holds`.
    answer = HoldEvent.model_validate({"hold_id": "h-1", "status": "confirmed", "subject": {"kind": "order",
                                       "id": "o-1"}, "decision_id": "d-h-1", "reviewer": "bob",
                                       "reason": disposition.reason, "at": NOW + timedelta(hours=1),
                                       "disposition_key": disposition_key(disposition), "outcome": "HOLD"})
    with service.store.session() as s:
        service.store.apply_hold_event(s, answer)
    detail = service.client.get("/api/holds/h-1", headers=auth("bob")).json()
    assert detail["hold"]["pending"] == 0 and detail["hold"]["status"] == "confirmed"
    assert [(h["what"], h["reviewer"], h["state"]) for h in detail["history"]] == \
        [("opened", None, "applied"), ("confirmed", "bob", "applied")]
    assert service.client.get("/api/holds", headers=auth("bob")).json()["total"] == 0
    # The disposition arriving on `dispositions` after the answer does not make it pending again.
    with service.store.session() as s:
        service.store.apply_disposition_seen(s, disposition, disposition_key(disposition))
    assert service.client.get("/api/holds/h-1", headers=auth("bob")).json()["hold"]["pending"] == 0


# (who, outcome, action, status, code) through the API; each refusal publishes nothing.
REFUSED = [
    ("ann", "HOLD", "confirm", 403, "role"),
    ("ann", "HOLD", "release", 403, "role"),
    ("bob", "BLOCK", "release", 403, "role"),
    ("sam", "BLOCK", "release", 403, "four_eyes"),
]


@pytest.mark.parametrize(("who", "outcome", "action", "status", "code"), REFUSED)
def test_refused_actions_answer_at_once_and_publish_nothing(service: Service, who: str, outcome: str, action: str,
                                                           status: int, code: str) -> None:
    service.feed_hold("h-1", "o-1", outcome)
    before = refusals(status, code)
    r = service.client.post(f"/api/holds/h-1/{action}", json={"reason": "looks fine"}, headers=auth(who))
    assert r.status_code == status and r.json()["detail"]["code"] == code
    assert service.publisher.sent == [] and refusals(status, code) == before + 1


def test_unknown_hold_wrong_state_and_missing_reason(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    assert service.client.post("/api/holds/nope/confirm", json={"reason": "x"}, headers=auth("bob")).status_code == 404
    assert service.client.post("/api/holds/h-1/confirm", json={"reason": ""}, headers=auth("bob")).status_code == 422
    assert service.client.post("/api/holds/h-1/confirm", json={}, headers=auth("bob")).status_code == 422
    assert service.client.post("/api/holds/h-1/confirm", json={"reason": "x"}, headers=auth("bob")).status_code == 202
    # Pending confirmation counts: a second action is checked against the confirmed hold.
    r = service.client.post("/api/holds/h-1/release", json={"reason": "y"}, headers=auth("sam"))
    assert r.status_code == 409 and r.json()["detail"]["code"] == "wrong_state"
    assert len(service.publisher.sent) == 1


def test_block_released_by_a_second_senior_after_escalation(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "BLOCK")
    esc = service.client.post("/api/holds/h-1/escalate", json={"reason": "need a senior"}, headers=auth("sam"))
    assert esc.status_code == 202
    own = service.client.post("/api/holds/h-1/release", json={"reason": "mine"}, headers=auth("sam"))
    assert own.status_code == 403 and own.json()["detail"]["code"] == "four_eyes"
    assert service.client.post("/api/holds/h-1/release", json={"reason": "x"}, headers=auth("bob")).status_code == 403
    ok = service.client.post("/api/holds/h-1/release", json={"reason": "different DOB"}, headers=auth("tess"))
    assert ok.status_code == 202
    assert [Disposition.model_validate_json(v or b"").action.value for _, _, v in service.publisher.sent] == \
        ["escalate", "release"]


def test_the_worker_refusing_a_disposition_shows_on_the_hold(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    service.client.post("/api/holds/h-1/confirm", json={"reason": "x"}, headers=auth("bob"))
    disposition = Disposition.model_validate_json(service.publisher.sent[0][2] or b"")
    with service.store.session() as s:
        service.store.apply_disposition_refused(s, disposition, disposition_key(disposition), "wrong state")
    detail = service.client.get("/api/holds/h-1", headers=auth("bob")).json()
    assert detail["hold"]["pending"] == 0
    assert detail["history"][-1]["state"] == "refused" and detail["history"][-1]["error"] == "wrong state"
    assert "confirm" in detail["allowed_actions"]


def test_claim_and_assign(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    assert service.client.post("/api/holds/h-1/claim", json={"assignee": "rita"}, headers=auth("bob")).status_code \
        == 403
    assert service.client.post("/api/holds/h-1/claim", json={}, headers=auth("ann")).status_code == 403
    assert service.client.post("/api/holds/h-1/claim", json={"assignee": "rita"}, headers=auth("sam")).json() == \
        {"hold_id": "h-1", "assignee": "rita"}
    assert service.client.post("/api/holds/h-1/claim", json={"release": True}, headers=auth("bob")).status_code \
        == 403
    detail = service.client.get("/api/holds/h-1", headers=auth("bob")).json()
    assert detail["hold"]["assignee"] == "rita"
    assert [(h["what"], h["reviewer"]) for h in detail["history"]][-1] == ("assigned to rita", "sam")


def test_detail_puts_the_list_entry_beside_the_party(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    with service.store.session() as s:
        buyer = {"role": "buyer", "name": "Beijing Star Trading Co Ltd",
                 "address": {"city": "Shanghai", "country": "CN"}}
        service.store.apply_subject_event(s, "order", "o-1", {"order_id": "o-1", "parties": [buyer]})
        later = decision("d-later", "o-1", "CLEAR", at=NOW + timedelta(minutes=5))
        service.store.apply_decision(s, later)
    detail = service.client.get("/api/holds/h-1", headers=auth("ann")).json()
    [match] = detail["matches"]
    assert match["entry_key"] == "SDN:1234" and match["entry"]["aliases"] == ["STAR TRADING"]
    assert match["party"]["address"]["city"] == "Shanghai"
    assert [(x["decision_id"], x["attached"]) for x in detail["decisions"]] == [("d-h-1", True), ("d-later", False)]
    assert detail["hold"]["outcome"] == "HOLD" and detail["allowed_actions"] == []  # auditor: read-only


def test_allowlist_create_publishes_the_entry(service: Service) -> None:
    service.feed_hold("h-1", "o-1", "HOLD")
    body = {"party_name": "Beijing Star Trading Co Ltd", "country": "CN", "entry_key": "SDN:1234",
            "reason": "different company, Shanghai", "hold_id": "h-1"}
    assert service.client.post("/api/allowlist", json=body, headers=auth("ann")).status_code == 403
    unknown = dict(body, entry_key="SDN:999")
    assert service.client.post("/api/allowlist", json=unknown, headers=auth("bob")).status_code == 404
    r = service.client.post("/api/allowlist", json=body, headers=auth("bob"))
    assert r.status_code == 201, r.text
    [(topic, key, value)] = service.publisher.sent
    entry = AllowListEntry.model_validate_json(value or b"")
    assert topic == "allowlist" and key == r.json()["key"] and key.startswith("SDN:1234|CN|")
    assert entry.created_by == "bob" and entry.expires_at - entry.created_at == timedelta(days=180)
    listed = service.client.get("/api/allowlist", headers=auth("ann")).json()
    assert [e["allowlist_id"] for e in listed] == [entry.allowlist_id]
    assert json.loads(value or b"")["entry_fingerprint"] == entry.entry_fingerprint
