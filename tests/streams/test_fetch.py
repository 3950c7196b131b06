"""`lists fetch` against a local HTTP server serving the real list files in ../shared:
conditional requests, retries, truncation, parse checks, quarantine of a shrinking list.
The broker is a fake that keeps per-list counts (the integration test uses a real one)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import ListEntry
from screening.lists import parse_file
from screening.lists.delta import ListDelta
from streams.fetch import (
    CODE_FETCH_FAILED,
    CODE_QUARANTINED,
    FetchOutcome,
    FetchStatus,
    RetryPolicy,
    SnapshotStore,
    list_sources,
    make_client,
    refresh_lists,
)
from streams.list_publisher import PublishReport
from streams.settings import Settings
from tests.streams.list_server import ListServer, serve_lists

NOW = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
SDN_SET = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


class FakeBroker:
    """Published list state as per-list entry keys; `publish` replaces the lists in scope."""

    def __init__(self) -> None:
        self.state: dict[str, set[str]] = {}
        self.calls: list[tuple[list[ListEntry], set[str]]] = []

    def counts(self) -> dict[str, int]:
        return {code: len(keys) for code, keys in self.state.items()}

    def publish(self, entries: list[ListEntry], scope: set[str]) -> PublishReport:
        self.calls.append((entries, scope))
        for code in scope:
            self.state[code] = {e.key for e in entries if e.list_code == code}
        return PublishReport(delta=ListDelta(), counts={code: len(self.state[code]) for code in scope})


@pytest.fixture
def server() -> Iterator[ListServer]:
    with serve_lists() as s:
        yield s


def make_settings(tmp_path: Path, server: ListServer, names: dict[str, str], max_list_shrink: float = 0.10) -> Settings:
    sources = {name: server.url("/" + file) for name, file in names.items()}
    return Settings(_env_file=None, data_dir=tmp_path / "data", list_sources=sources, fetch_retries=2,
                    max_list_shrink=max_list_shrink)


def fetch(cfg: Settings, broker: FakeBroker, *, force: bool = False, dry_run: bool = False,
          sleeps: list[float] | None = None) -> FetchOutcome:
    with make_client(cfg) as client:
        return refresh_lists(cfg, list_sources(cfg), SnapshotStore.of(cfg), client, NOW,
                             published_counts=broker.counts, publish=None if dry_run else broker.publish,
                             force=force, sleep=(sleeps if sleeps is not None else []).append,
                             rng=random.Random(7))


def small_sdn(shared_lists: Path, tmp_path: Path, rows: int = 300) -> Path:
    """The first rows of a real SDN file, for tests where size does not matter."""
    lines = (shared_lists / "ofac" / "sdn-daily" / "sdn_2024-02-20.csv").read_bytes().splitlines(keepends=True)
    path = tmp_path / "served" / "sdn.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"".join(lines[:rows]))
    return path


def serve_sdn_set(server: ListServer, folder: Path) -> dict[str, str]:
    for name in SDN_SET:
        server.files["/" + name] = folder / name
    return {"ofac-sdn": "sdn.csv", "ofac-sdn-alt": "alt.csv", "ofac-sdn-add": "add.csv",
            "ofac-sdn-comments": "sdn_comments.csv"}


def statuses(outcome: FetchOutcome) -> dict[str, FetchStatus]:
    return {d.source.name: d.status for d in outcome.downloads}


def test_first_fetch_publishes_the_set_and_keeps_a_snapshot(tmp_path: Path, server: ListServer,
                                                           shared_lists: Path) -> None:
    folder = shared_lists / "ofac" / "sdn-2019-01"
    cfg = make_settings(tmp_path, server, serve_sdn_set(server, folder))
    broker = FakeBroker()

    outcome = fetch(cfg, broker)

    assert set(statuses(outcome).values()) == {FetchStatus.new}
    assert not outcome.failed and not outcome.alerts and not outcome.quarantined
    expected = {e.key for e in parse_file(folder / "sdn.csv").entries}
    assert broker.state == {"SDN": expected}
    store = SnapshotStore.of(cfg)
    sdn = list_sources(cfg, ["ofac-sdn"])[0]
    meta = store.meta(sdn)
    assert meta is not None and meta.etag and meta.last_modified
    assert meta.sha256 == hashlib.sha256((folder / "sdn.csv").read_bytes()).hexdigest()
    assert meta.size == (folder / "sdn.csv").stat().st_size
    assert store.current(sdn) == cfg.data_dir / "lists" / "ofac-sdn" / "sdn.csv"


def test_second_fetch_is_conditional_and_republishes_the_same_state_to_confirm_freshness(
        tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    cfg = make_settings(tmp_path, server, serve_sdn_set(server, shared_lists / "ofac" / "sdn-2019-01"))
    broker = FakeBroker()
    fetch(cfg, broker)

    again = fetch(cfg, broker)

    assert set(statuses(again).values()) == {FetchStatus.not_modified}
    assert server.statuses("/sdn.csv") == [200, 304]
    assert server.requests[-1][2].get("If-None-Match", "").startswith('"')
    # Unchanged official lists are a successful load: the same entries go out again (an
    # empty delta on the wire), which refreshes the manifests' loaded_at.
    assert len(broker.calls) == 2
    assert {e.key for e in broker.calls[1][0]} == {e.key for e in broker.calls[0][0]}
    assert again.counts["SDN"] == len(broker.state["SDN"])

    forced = fetch(cfg, broker, force=True)
    assert len(broker.calls) == 3 and forced.counts["SDN"] == len(broker.state["SDN"])


def test_if_modified_since_is_used_without_an_etag(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    server.files["/sdn.csv"] = small_sdn(shared_lists, tmp_path)
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})
    fetch(cfg, FakeBroker())
    meta_path = cfg.data_dir / "lists" / "ofac-sdn" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "etag": None}))

    again = fetch(cfg, FakeBroker())

    assert statuses(again) == {"ofac-sdn": FetchStatus.not_modified}
    sent = server.requests[-1][2]
    assert "If-None-Match" not in sent and sent["If-Modified-Since"] == meta["last_modified"]


def test_retries_with_growing_backoff_then_succeeds(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    server.files["/sdn.csv"] = small_sdn(shared_lists, tmp_path)
    server.fail_next["/sdn.csv"] = 2
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})
    sleeps: list[float] = []

    outcome = fetch(cfg, FakeBroker(), sleeps=sleeps)

    assert server.statuses("/sdn.csv") == [503, 503, 200]
    assert outcome.downloads[0].status is FetchStatus.new and outcome.downloads[0].attempts == 3
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 <= sleeps[1] <= 2.0
    assert not outcome.failed


def test_gives_up_after_the_configured_retries(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    server.files["/sdn.csv"] = small_sdn(shared_lists, tmp_path)
    server.fail_next["/sdn.csv"] = 10
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})
    broker = FakeBroker()

    outcome = fetch(cfg, broker)

    assert server.statuses("/sdn.csv") == [503, 503, 503]
    assert outcome.failed and not broker.calls
    [alert] = outcome.alerts
    # No earlier snapshot to fall back on: critical.
    assert alert.code == CODE_FETCH_FAILED and alert.severity.value == "critical"
    assert "503" in alert.summary and "ofac-sdn" in alert.summary


def test_truncated_download_keeps_the_last_good_set_and_alerts(tmp_path: Path, server: ListServer,
                                                               shared_lists: Path) -> None:
    names = serve_sdn_set(server, shared_lists / "ofac" / "sdn-2019-01")
    cfg = make_settings(tmp_path, server, names)
    broker = FakeBroker()
    fetch(cfg, broker)
    published = dict(broker.state)
    store = SnapshotStore.of(cfg)
    before = {s.name: store.meta(s) for s in list_sources(cfg)}
    serve_sdn_set(server, shared_lists / "ofac" / "sdn-2021-07")
    server.truncate.add("/sdn.csv")

    outcome = fetch(cfg, broker)

    assert server.statuses("/sdn.csv")[-3:] == [200, 200, 200]  # every attempt cut short
    assert statuses(outcome)["ofac-sdn"] is FetchStatus.failed
    error = next(d.error for d in outcome.downloads if d.source.name == "ofac-sdn") or ""
    assert "RemoteProtocolError" in error or "truncated" in error
    # The rest of the set is new but cannot be used beside the old sdn.csv.
    assert set(outcome.invalid) == {"ofac-sdn-alt", "ofac-sdn-add", "ofac-sdn-comments"}
    assert {s.name: store.meta(s) for s in list_sources(cfg)} == before
    assert broker.state == published and len(broker.calls) == 1
    assert outcome.failed
    sdn_alert = next(a for a in outcome.alerts if "ofac-sdn " in a.summary)
    assert sdn_alert.code == CODE_FETCH_FAILED and sdn_alert.severity.value == "warning"
    assert "keeping last good snapshot" in sdn_alert.summary


def test_a_file_that_does_not_parse_is_rejected(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    page = tmp_path / "sdn.csv"
    page.write_text("<html><body>Scheduled maintenance</body></html>\n")
    server.files["/sdn.csv"] = page
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})
    broker = FakeBroker()

    outcome = fetch(cfg, broker)

    assert "no list entries" in outcome.invalid["ofac-sdn"]
    assert SnapshotStore.of(cfg).current(list_sources(cfg)[0]) is None
    assert not broker.calls and outcome.failed
    assert [a.code for a in outcome.alerts] == [CODE_FETCH_FAILED]


def test_server_stated_sha256_mismatch_is_retried_then_fails(tmp_path: Path, shared_lists: Path) -> None:
    import httpx

    body = small_sdn(shared_lists, tmp_path).read_bytes()
    calls = Counter[str]()

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(200, content=body, headers={"Digest": "SHA-256=" + "A" * 43 + "="})

    cfg = Settings(_env_file=None, data_dir=tmp_path, fetch_retries=1,
                   list_sources={"ofac-sdn": "https://lists.example/sdn.csv"})
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        outcome = refresh_lists(cfg, list_sources(cfg), SnapshotStore.of(cfg), client, NOW,
                                published_counts=dict, publish=FakeBroker().publish, sleep=lambda s: None)

    assert calls["n"] == 2 and "sha-256 mismatch" in (outcome.downloads[0].error or "")


def _without_every_fifth_row(source: Path, target: Path) -> Path:
    lines = source.read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(line for i, line in enumerate(lines) if i % 5 != 4))
    return target


def test_a_list_shrinking_over_the_limit_is_quarantined_and_other_lists_publish(
        tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    daily = shared_lists / "ofac" / "sdn-daily" / "sdn_2024-02-23.csv"
    server.files["/sdn.csv"] = daily
    server.files["/consolidated.csv"] = shared_lists / "csl" / "consolidated-2025-06-sample.csv"
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv", "trade-gov-csl": "consolidated.csv"})
    broker = FakeBroker()
    fetch(cfg, broker)
    sdn_before = set(broker.state["SDN"])
    shrunk = _without_every_fifth_row(daily, tmp_path / "sdn-shrunk.csv")
    server.files["/sdn.csv"] = shrunk
    server.files["/consolidated.csv"] = shared_lists / "csl" / "csl-2019-12-sample.csv"

    outcome = fetch(cfg, broker)

    [held] = outcome.quarantined
    assert held.list_code == "SDN" and held.sources == ("ofac-sdn",)
    assert held.published == len(sdn_before) and held.shrink > 0.10
    [moved] = held.files
    assert moved.parent == cfg.data_dir / "lists" / "quarantine" and moved.name.endswith("-sdn.csv")
    assert moved.read_bytes() == shrunk.read_bytes()
    # The SDN snapshot is still the last good file; the published SDN list lost nothing.
    store = SnapshotStore.of(cfg)
    current = store.current(list_sources(cfg, ["ofac-sdn"])[0])
    assert current is not None and current.read_bytes() == daily.read_bytes()
    assert {e.key for e in parse_file(daily).entries} <= broker.state["SDN"]
    # The CSL update went through.
    csl = parse_file(shared_lists / "csl" / "csl-2019-12-sample.csv").by_list()
    assert broker.counts()["EL"] == csl["EL"] and broker.counts()["DPL"] == csl["DPL"]
    [alert] = outcome.alerts
    assert alert.code == CODE_QUARANTINED and alert.severity.value == "warning"
    assert "SDN" in alert.summary and str(held.published) in alert.summary and str(moved) in alert.summary
    assert not outcome.failed


def test_a_small_shrink_is_published(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    daily = shared_lists / "ofac" / "sdn-daily" / "sdn_2024-02-23.csv"
    server.files["/sdn.csv"] = daily
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"}, max_list_shrink=0.25)
    broker = FakeBroker()
    fetch(cfg, broker)
    server.files["/sdn.csv"] = _without_every_fifth_row(daily, tmp_path / "sdn-shrunk.csv")

    outcome = fetch(cfg, broker)

    assert not outcome.quarantined and not outcome.alerts
    assert len(broker.state["SDN"]) == outcome.counts["SDN"] < 0.85 * 14484


def test_dry_run_keeps_and_publishes_nothing(tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    server.files["/sdn.csv"] = small_sdn(shared_lists, tmp_path)
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})
    broker = FakeBroker()

    outcome = fetch(cfg, broker, dry_run=True)

    assert outcome.counts["SDN"] == 300 and not broker.calls
    assert SnapshotStore.of(cfg).current(list_sources(cfg)[0]) is None
    assert not list((cfg.data_dir / "lists" / "ofac-sdn" / "incoming").iterdir())


def test_source_configuration_errors(tmp_path: Path) -> None:
    def sources(**urls: str) -> Settings:
        return Settings(_env_file=None, data_dir=tmp_path, list_sources=urls)

    named = list_sources(sources(sdn="https://x.example/api/export?id=1#SDN.CSV"))
    assert named[0].file_name == "sdn.csv" and named[0].url == "https://x.example/api/export?id=1"
    with pytest.raises(ValueError, match=r"both save as sdn\.csv"):
        list_sources(sources(a="https://x.example/SDN.CSV", b="https://y.example/sdn.csv"))
    with pytest.raises(ValueError, match="unknown list source"):
        list_sources(sources(a="https://x.example/sdn.csv"), ["b"])
    with pytest.raises(ValueError, match="not an http"):
        list_sources(sources(a="ftp://x.example/sdn.csv"))


def test_default_sources_are_the_official_downloads() -> None:
    cfg = Settings(_env_file=None)
    files = {s.file_name for s in list_sources(cfg)}
    assert {*SDN_SET, "cons_prim.csv", "consolidated.csv"} <= files
    assert all(s.url.startswith("https://") for s in list_sources(cfg))


def test_backoff_is_bounded() -> None:
    policy = RetryPolicy(retries=10, base_delay_s=1.0, max_delay_s=8.0)
    rng = random.Random(0)
    delays = [policy.delay(n, rng) for n in range(10)]
    assert all(4.0 <= d <= 8.0 for d in delays[3:]) and delays[0] <= 1.0


def test_a_first_download_smaller_than_the_published_list_is_quarantined(
        tmp_path: Path, server: ListServer, shared_lists: Path) -> None:
    # The published SDN list came from elsewhere (`lists load`) and is far larger.
    broker = FakeBroker()
    broker.state["SDN"] = {f"SDN:{n}" for n in range(1000)}
    server.files["/sdn.csv"] = small_sdn(shared_lists, tmp_path)
    cfg = make_settings(tmp_path, server, {"ofac-sdn": "sdn.csv"})

    outcome = fetch(cfg, broker)

    [held] = outcome.quarantined
    assert (held.published, held.fetched) == (1000, 300) and held.files[0].is_file()
    assert not broker.calls and len(broker.state["SDN"]) == 1000
    assert SnapshotStore.of(cfg).current(list_sources(cfg)[0]) is None
    [alert] = outcome.alerts
    assert alert.severity.value == "critical" and "70% fewer" in alert.summary
