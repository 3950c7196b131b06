"""Review queue listing at scale (issue 11): 10,000 open holds (and 10,000 closed ones
beside them) in the read model, listed through the HTTP API with filters.

Each round times every query once, in alternating order; the figure is the p95 over all
rounds, reported with the median. Baseline in the same run: the unfiltered first page of
the open queue (what the UI asks for most), so filtered figures read as a ratio to it.
The read model is filled through the same store functions the topic ingest calls.

usage: python bench/review.py [--open 10000] [--closed 10000] [--rounds 60] [--db-url URL]
(a database of its own: the bench empties it; .ci/setup-review.sh creates tradescreen_bench)
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from review.app import ReviewContext, create_app  # noqa: E402
from review.store import ReviewStore  # noqa: E402
from schemas import Decision, HoldEvent  # noqa: E402
from streams.settings import Settings  # noqa: E402
from tests.review.conftest import TOKENS, RecordingPublisher, directory  # noqa: E402

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CODES = ("RESTRICTED_PARTY", "ENTITY_LIST", "EMBARGOED_DESTINATION", "FRONT_COMPANY", "OWNERSHIP")
LISTS = ("SDN", "DPL", "EL", "UN", "UK", "NONSDN")
WORDS = ("Nordic", "Alpine", "Pacific", "Atlas", "Meridian", "Harbor", "Summit", "Crescent", "Granite", "Star",
         "Cedar", "Delta", "Orion", "Vector", "Quantum", "Sterling", "Falcon", "Horizon", "Beacon", "Cobalt")

QUERIES: dict[str, dict[str, str]] = {
    "baseline: open, first page": {},
    "reason code": {"reason_code": "ENTITY_LIST"},
    "list": {"list": "DPL"},
    "outcome BLOCK, newest first": {"outcome": "BLOCK", "order": "desc"},
    "party name contains": {"party": "star"},
    "unassigned, older than 24 h": {"assignee": "none", "min_age_hours": "24"},
    "reason + list + party, by subject": {"reason_code": "RESTRICTED_PARTY", "list": "SDN", "party": "atlas",
                                          "sort": "subject"},
    "deep page (offset 5000)": {"offset": "5000"},
}


def fill(store: ReviewStore, open_holds: int, closed_holds: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with store.session() as s:
        for n in range(open_holds + closed_holds):
            outcome = "BLOCK" if rng.random() < 0.15 else "HOLD"
            code, list_code = rng.choice(CODES), rng.choice(LISTS)
            party = f"{rng.choice(WORDS)} {rng.choice(WORDS)} Trading Ltd"
            at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 20))
            decision = Decision.model_validate({
                "decision_id": f"d-{n}", "event_id": f"e-{n}", "subject": {"kind": "order", "id": f"SO-{n:06d}"},
                "trigger": "event", "outcome": outcome, "lists_version": "v1", "decided_at": at.isoformat(),
                "reasons": [{"code": code, "severity": outcome.lower(), "party_role": "buyer", "party_name": party,
                             "list": list_code, "source_id": str(n % 997), "score": 0.8, "detail": "matches"}]})
            store.apply_decision(s, decision)
            event = {"hold_id": f"h-{n}", "status": "opened", "subject": decision.subject.model_dump(),
                     "decision_id": decision.decision_id, "at": at.isoformat(), "outcome": outcome}
            store.apply_hold_event(s, HoldEvent.model_validate(event))
            if n >= open_holds:
                store.apply_hold_event(s, HoldEvent.model_validate(
                    dict(event, status="confirmed", reviewer="bob", reason="same entity", at=(at + timedelta(hours=1))
                         .isoformat())))
            if n % 2000 == 0:
                s.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--closed", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--db-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{Path(tmp) / 'review.sqlite'}"
        store = ReviewStore(url)
        store.drop_all()
        started = time.perf_counter()
        fill(store, args.open, args.closed)
        fill_s = time.perf_counter() - started
        settings = Settings(_env_file=None, data_dir=Path(tmp))  # type: ignore[call-arg]
        app = create_app(ReviewContext(settings, store, directory(), RecordingPublisher(), clock=lambda: NOW))
        headers = {"Authorization": f"Bearer {TOKENS['bob']}"}
        times: dict[str, list[float]] = {name: [] for name in QUERIES}
        with TestClient(app) as client:
            total = client.get("/api/holds", headers=headers).json()["total"]
            assert total == args.open, total
            names = list(QUERIES)
            for name in names:  # warm-up
                client.get("/api/holds", params=QUERIES[name], headers=headers)
            for r in range(args.rounds):
                for name in names if r % 2 == 0 else reversed(names):
                    t0 = time.perf_counter()
                    response = client.get("/api/holds", params=QUERIES[name], headers=headers)
                    times[name].append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
        store.engine.dispose()
    backend = url.split(":", 1)[0]
    print(f"# review queue listing, {args.open} open + {args.closed} closed holds, {backend}, "
          f"{args.rounds} rounds; {platform.node()} {platform.processor() or platform.machine()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; fill {fill_s:.1f} s")
    base = statistics.median(times[names[0]])
    print("| query | median ms | p95 ms | median / baseline |")
    print("|---|---|---|---|")
    for name in names:
        ts = sorted(times[name])
        p95 = ts[max(0, int(len(ts) * 0.95) - 1)]
        print(f"| {name} | {statistics.median(ts):.1f} | {p95:.1f} | {statistics.median(ts) / base:.2f} |")


if __name__ == "__main__":
    main()
