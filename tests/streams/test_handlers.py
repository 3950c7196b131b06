"""Worker housekeeping that needs no broker: which subjects expire, and the end marks
written to the worker's own changelogs before a recovery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from faust.types import TP

from schemas import SubjectKind
from screening.subjects import SubjectRecord
from streams.handlers import expire_subjects, mark_own_changelog_ends
from streams.settings import Settings

NOW = datetime(2026, 11, 22, tzinfo=UTC)


class Book:
    """The two table operations expire_subjects uses, recorded."""

    def __init__(self, records: list[SubjectRecord]) -> None:
        self.data = {r.id.encode(): r.model_dump_json().encode() for r in records}
        self.changelog: list[tuple[int, bytes, Any]] = []

    def items(self) -> Any:
        return self.data.items()

    def send_changelog(self, partition: int, key: bytes, value: Any) -> None:
        self.changelog.append((partition, key, value))


def record(subject_id: str, age_days: float, partition: int, open_: bool = True) -> SubjectRecord:
    return SubjectRecord(kind=SubjectKind.order, id=subject_id, open=open_, event={},
                         occurred_at=NOW - timedelta(days=age_days), partition=partition)


def test_only_owned_subjects_older_than_the_horizon_expire() -> None:
    book = Book([record("old-mine", 91, 0), record("old-closed-mine", 120, 0, open_=False),
                 record("young-closed-mine", 5, 0, open_=False), record("old-not-mine", 200, 1)])
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    worker: Any = SimpleNamespace(
        settings=settings, books={SubjectKind.order: book, SubjectKind.shipment: Book([])},
        app=SimpleNamespace(assignor=SimpleNamespace(assigned_actives=lambda: {TP("orders", 0)})))

    assert expire_subjects(worker, NOW) == 2
    assert set(book.data) == {b"young-closed-mine", b"old-not-mine"}
    assert sorted(book.changelog) == [(0, b"old-closed-mine", None), (0, b"old-mine", None)]


class Flushed:
    """The emit point's flush, counted, and what was produced before each."""

    def __init__(self, books: list[Book]) -> None:
        self.books = books
        self.seen_at_flush: list[int] = []

    async def flush(self) -> None:
        self.seen_at_flush.append(sum(len(b.changelog) for b in self.books))


def test_every_partition_of_every_own_changelog_gets_a_delivered_end_mark() -> None:
    orders, shipments, holds = Book([]), Book([]), Book([])
    settings = Settings(_env_file=None, partitions=3, app_id="ts")  # type: ignore[call-arg]
    emitter = Flushed([orders, shipments, holds])
    worker: Any = SimpleNamespace(settings=settings, books={SubjectKind.order: orders, SubjectKind.shipment: shipments},
                                  holds=holds, emitter=emitter)

    asyncio.run(mark_own_changelog_ends(worker))

    for book in (orders, shipments, holds):
        assert book.changelog == [(p, b"_sync:ts", None) for p in range(3)]
    # Flushed after all nine, so recovery's high watermark stands past each partition's last batch.
    assert emitter.seen_at_flush == [9]
