"""Shared test fixtures: paths to the real lists in ../shared (never copied into the repo),
and one embedded broker per test session with a worker screening against real OFAC and CSL
data, for the integration and scenario tests (every test there is marked `broker`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from screening.lists import load_directory, parse_file
from streams.broker import EmbeddedBroker
from streams.kafka import create_topics
from streams.list_publisher import publish_entries
from streams.settings import Settings
from tests.integration.harness import OutputReader, WorkerProcess

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LISTS = SHARED / "data" / "lists"


@pytest.fixture(scope="session")
def shared_lists() -> Path:
    if not LISTS.is_dir():
        pytest.skip(f"shared list data not found at {LISTS}")
    return LISTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath) or "/scenarios/" in str(item.fspath):
            item.add_marker(pytest.mark.broker)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "broker.log"
    with EmbeddedBroker(log_file=log) as b:
        yield b


@pytest.fixture(scope="session")
def screening_worker(broker: EmbeddedBroker, shared_lists: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """A worker whose list state is OFAC SDN 2021-07 plus the CSL 2022-05."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    entries = load_directory(shared_lists / "ofac" / "sdn-2021-07").entries
    csl = parse_file(shared_lists / "csl" / "consolidated-2022-05.csv.gz").entries
    sdn_keys = {e.key for e in entries}
    entries += [e for e in csl if e.key not in sdn_keys]
    publish_entries(settings, broker.bootstrap, entries, source="test", loaded_at=datetime.now(UTC))
    worker = WorkerProcess(broker.bootstrap, tmp_path_factory.mktemp("worker")).start()
    try:
        worker.wait_health(lambda h: sum(h["lists"]["entries"].values()) >= len({e.key for e in entries})
                           and h["lists"]["fail_closed"] is None, timeout_s=180)
        yield worker
    finally:
        worker.stop()


@pytest.fixture(scope="session")
def outputs(broker: EmbeddedBroker, screening_worker: WorkerProcess) -> Iterator[OutputReader]:
    reader = OutputReader(broker.bootstrap)
    yield reader
    reader.close()
