"""Worker housekeeping that needs no broker: which subjects expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from faust.types import TP

from schemas import SubjectKind
from screening.subjects import SubjectRecord
from streams.handlers import expire_subjects
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
