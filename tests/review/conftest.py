"""A review service over a fresh SQLite read model, fed directly through the store's
apply_* functions (what review/ingest.py does with each topic message)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from review.app import ReviewContext, create_app
from review.store import ReviewStore
from schemas import Decision, HoldEvent, ListEntry
from schemas.review import Reviewer, ReviewerRole
from screening.reviewers import ReviewerDirectory, token_digest
from streams.settings import Settings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TOKENS = {"bob": "bob-secret-token", "rita": "rita-secret-token", "sam": "sam-secret-token",
          "tess": "tess-secret-token", "ann": "ann-secret-token"}
ROLES = {"bob": ReviewerRole.reviewer, "rita": ReviewerRole.reviewer, "sam": ReviewerRole.senior,
         "tess": ReviewerRole.senior, "ann": ReviewerRole.auditor}


def directory() -> ReviewerDirectory:
    return ReviewerDirectory(Reviewer(id=who, name=who.title(), role=ROLES[who], token_sha256=token_digest(t))
                             for who, t in TOKENS.items())


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


@dataclass
class RecordingPublisher:
    """Stands in for Kafka in API unit tests (the broker tests use the real one)."""

    sent: list[tuple[str, str, bytes | None]] = field(default_factory=list)

    def publish(self, topic: str, key: str, value: bytes | None) -> None:
        self.sent.append((topic, key, value))


ENTRY = ListEntry.model_validate({
    "list": "SDN", "source_id": "1234", "kind": "organization", "name": "BEIJING STAR TRADING CO., LTD.",
    "aliases": ["STAR TRADING"], "addresses": [{"city": "Beijing", "country": "CN"}], "programs": ["IRAN"],
    "source_version": "2026-03-01"})


def decision(decision_id: str, subject_id: str, outcome: str, party: str = "Beijing Star Trading Co Ltd",
             code: str = "RESTRICTED_PARTY", list_code: str = "SDN", at: datetime = NOW) -> Decision:
    severity = {"HOLD": "hold", "BLOCK": "block", "CLEAR": "info"}[outcome]
    reasons = [] if outcome == "CLEAR" else [{
        "code": code, "severity": severity, "party_role": "buyer", "party_name": party, "list": list_code,
        "source_id": "1234", "matched_name": ENTRY.name, "score": 0.9, "detail": f"buyer {party} matches"}]
    return Decision.model_validate({"decision_id": decision_id, "event_id": f"e-{decision_id}",
                                    "subject": {"kind": "order", "id": subject_id}, "trigger": "event",
                                    "outcome": outcome, "reasons": reasons, "lists_version": "v1",
                                    "decided_at": at.isoformat()})


def opened(hold_id: str, d: Decision, at: datetime | None = None) -> HoldEvent:
    """The HoldEvent today's worker emits (no `outcome` field yet)."""
    return HoldEvent.model_validate({"hold_id": hold_id, "status": "opened", "subject": d.subject.model_dump(),
                                     "decision_id": d.decision_id, "reason": "held", "at": (at or d.decided_at)})


@dataclass
class Service:
    client: TestClient
    store: ReviewStore
    publisher: RecordingPublisher
    clock: list[datetime]

    def feed_hold(self, hold_id: str, subject_id: str, outcome: str, **kw: object) -> Decision:
        d = decision(f"d-{hold_id}", subject_id, outcome, **kw)  # type: ignore[arg-type]
        with self.store.session() as s:
            self.store.apply_decision(s, d)
            self.store.apply_hold_event(s, opened(hold_id, d))
        return d


PG_URL = os.environ.get("TRADESCREEN_TEST_PG_URL",
                        "postgresql+psycopg://tradescreen:tradescreen@127.0.0.1:5432/tradescreen_test")


def postgres_store() -> ReviewStore:
    """The PostgreSQL that .ci/setup-review.sh prepares, emptied. Missing: a failure in CI,
    a skip elsewhere."""
    try:
        store = ReviewStore(PG_URL)
    except OperationalError as exc:
        message = f"PostgreSQL not reachable at {PG_URL} (run .ci/setup-review.sh): {str(exc).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    store.drop_all()
    return store


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """The service over each database the read model supports."""
    store = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}") if request.param == "sqlite" else postgres_store()
    with store.session() as s:
        store.apply_list_entry(s, ENTRY.key, ENTRY)
    publisher = RecordingPublisher()
    clock = [NOW + timedelta(hours=1)]
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    app = create_app(ReviewContext(settings, store, directory(), publisher, clock=lambda: clock[0]))
    with TestClient(app) as client:
        yield Service(client, store, publisher, clock)
    store.engine.dispose()
