"""Which dead letters `tradescreen deadletter replay` takes, and what it would send."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from schemas.outputs import DeadLetter
from streams.commands.deadletter_cmd import LetterFilter, original_value, refusal, select_letters
from streams.settings import Settings

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def letter(topic: str = "orders", partition: int = 0, offset: int = 0, kind: str = "schema", key: str | None = "k",
           value: bytes = b'{"x": 1}', at: datetime = T0) -> bytes:
    return DeadLetter(topic=topic, partition=partition, offset=offset, key=key, error="bad", error_kind=kind,
                      value_b64=base64.b64encode(value).decode(), at=at).to_json_bytes()


def origins(records: list[bytes | None], letter_filter: LetterFilter) -> list[tuple[str, int, int]]:
    return [(d.topic, d.partition, d.offset) for d in select_letters(records, letter_filter).letters]


def test_filters_combine() -> None:
    records: list[bytes | None] = [
        letter(offset=1), letter(offset=5, kind="invalid_json"), letter("shipments", offset=2),
        letter(partition=1, offset=3, at=T0 + timedelta(hours=2)), letter(offset=9, key="other")]
    assert origins(records, LetterFilter(topics=frozenset({"orders"}), error_kinds=frozenset({"schema"}))) == [
        ("orders", 0, 1), ("orders", 0, 9), ("orders", 1, 3)]
    assert origins(records, LetterFilter(from_offset=2, to_offset=5)) == [
        ("orders", 0, 5), ("orders", 1, 3), ("shipments", 0, 2)]
    assert origins(records, LetterFilter(since=T0 + timedelta(hours=1))) == [("orders", 1, 3)]
    assert origins(records, LetterFilter(until=T0, partition=0, keys=frozenset({"other"}))) == [("orders", 0, 9)]
    assert len(origins(records, LetterFilter())) == 5


def test_one_letter_per_original_message_in_original_order_and_unreadable_counted() -> None:
    records: list[bytes | None] = [letter(offset=7), b"not a letter", None, letter(offset=3), letter(offset=7)]
    selection = select_letters(records, LetterFilter())
    assert [d.offset for d in selection.letters] == [3, 7]
    assert (selection.read, selection.unreadable, selection.repeated) == (5, 2, 1)


def test_original_bytes_come_back_exactly_and_empty_ones_are_not_sent() -> None:
    raw = b'\xff\xfe{"order_id": "SO-1"}\x00'
    one = DeadLetter.model_validate_json(letter(value=raw))
    assert original_value(one) == raw
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert refusal(settings, one) is None
    empty = DeadLetter.model_validate_json(letter(value=b""))
    assert original_value(empty) is None
    assert refusal(settings, empty) == "no original bytes (empty message or tombstone)"


def test_letters_naming_an_output_topic_are_refused() -> None:
    settings = Settings(_env_file=None, topic_prefix="p.")  # type: ignore[call-arg]
    assert refusal(settings, DeadLetter.model_validate_json(letter("p.decisions"))) == "p.decisions is an output topic"
    assert refusal(settings, DeadLetter.model_validate_json(letter("p.orders"))) is None
