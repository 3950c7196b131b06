"""Audit chain: canonical JSON per RFC 8785, and verification catching each kind of tampering."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import AuditKind, AuditRecord
from screening.audit import GENESIS_HASH, AuditChain, _orjson_agrees, canonical_json, record_hash, verify

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def chain(n: int = 5) -> list[AuditRecord]:
    head = AuditChain()
    return [head.append(AuditKind.decision, {"decision_id": f"d-{i}", "outcome": "HOLD", "score": 0.5 + i / 10},
                        T0 + timedelta(seconds=i)) for i in range(n)]


def test_canonical_json_follows_rfc8785() -> None:
    # Sorted keys (by UTF-16 code units), no whitespace, shortest ECMAScript numbers, literal UTF-8.
    assert canonical_json({"b": 1.0, "a": [1e21, 0.1, -0.0, "é"], "\u20ac": None, "A": True}) == \
        '{"A":true,"a":[1e+21,0.1,0,"é"],"b":1,"€":null}'.encode()
    # RFC 8785 appendix: number serialisation samples.
    assert canonical_json([333333333.33333329, 1e-7, 9007199254740991]) == b"[333333333.3333333,1e-7,9007199254740991]"


# JSON data as a payload may hold it: every scalar kind, floats across the whole range,
# integers past what a double holds, any text (control characters, astral-plane
# characters, lone surrogates), keys outside ASCII.
_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
            | st.floats(allow_nan=False, allow_infinity=False) | st.floats(min_value=1e-7, max_value=1e16)
            | st.floats(min_value=1e-6, max_value=1e-4)
            | st.text() | st.text(alphabet=st.characters(max_codepoint=0x7F)))
_KEYS = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=8) | st.text(max_size=4)
PAYLOADS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=6),
                        max_leaves=30)


def _rfc8785(payload: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(payload)
    except rfc8785.CanonicalizationError as exc:
        return type(exc)


@settings(max_examples=2000, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(PAYLOADS)
def test_the_orjson_fast_path_writes_what_rfc8785_writes(payload: Any) -> None:
    expected = _rfc8785(payload)
    if _orjson_agrees(payload):
        try:
            fast: bytes | type[Exception] = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            fast = rfc8785.CanonicalizationError  # canonical_json falls back, and rfc8785 refuses too
            assert not isinstance(expected, bytes)
        else:
            assert fast == expected
    if isinstance(expected, bytes):
        assert canonical_json(payload) == expected
    else:
        with pytest.raises(expected):
            canonical_json(payload)


def test_the_fast_path_takes_what_decisions_and_holds_are_made_of() -> None:
    decision = {"decision_id": "d-1", "outcome": "HOLD", "reasons": [
        {"code": "RESTRICTED_PARTY", "score": 0.9312, "detail": "Käufer 'Ηλίας' matches\n\"X\""}],
        "decided_at": "2026-03-02T09:00:00Z", "seq": 12}
    assert _orjson_agrees(decision) and canonical_json(decision) == rfc8785.dumps(decision)
    for slow in ({"score": 1.0}, {"n": 2**53}, {"ü": 1}, {"t": (1, 2)}, {1: "x"}):
        assert not _orjson_agrees(slow)


def test_hash_is_sha256_of_prev_hash_and_canonical_payload() -> None:
    payload = {"z": 1, "a": "x"}
    expected = hashlib.sha256((GENESIS_HASH + '{"a":"x","z":1}').encode()).hexdigest()
    assert record_hash(GENESIS_HASH, payload) == expected
    first = AuditChain().append(AuditKind.hold, payload, T0)
    assert (first.seq, first.prev_hash, first.hash) == (0, GENESIS_HASH, expected)


def test_a_written_record_reads_back_as_the_record_appended() -> None:
    # What the audit topic carries (`write`) is the record `append` makes, payload in its
    # canonical form; a payload off orjson's fast path (an integral float) and a time with
    # an offset read back the same.
    payloads = [{"decision_id": "d-1", "reasons": [{"score": 0.93, "detail": "Käufer \"X\""}]}, {"score": 1.0},
                {"n": 2**40, "ü": [None, True]}]
    times = [T0, T0 + timedelta(microseconds=7), datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))]
    appended, written = AuditChain(), AuditChain()
    records = []
    for payload, at in zip(payloads, times, strict=True):
        expected = appended.append(AuditKind.decision, payload, at)
        raw = written.write(AuditKind.decision, payload, at)
        assert raw.endswith(b'"hash":"' + expected.hash.encode() + b'"}')
        record = AuditRecord.model_validate_json(raw)
        assert record == AuditRecord.model_validate_json(expected.to_json_bytes())
        records.append(record)
    assert (written.seq, written.prev_hash) == (appended.seq, appended.prev_hash)
    assert verify(records) is None


def test_an_intact_chain_verifies() -> None:
    records = chain()
    assert verify(records) is None
    assert [r.seq for r in records] == [0, 1, 2, 3, 4]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_a_resumed_chain_links_to_the_last_record() -> None:
    records = chain(3)
    head = AuditChain.resume(records[-1])
    records.append(head.append(AuditKind.disposition, {"hold_id": "h-1"}, T0))
    assert records[-1].seq == 3 and verify(records) is None
    assert AuditChain.resume(None).prev_hash == GENESIS_HASH


def test_an_altered_record_is_caught() -> None:
    records = chain()
    payload = dict(records[2].payload, outcome="CLEAR")
    records[2] = records[2].model_copy(update={"payload": payload})
    broken = verify(records)
    assert broken is not None and (broken.position, broken.seq) == (2, 2) and "altered" in broken.problem


def test_an_altered_record_with_its_hash_recomputed_is_caught_at_the_next() -> None:
    records = chain()
    payload = dict(records[2].payload, outcome="CLEAR")
    records[2] = records[2].model_copy(update={"payload": payload, "hash": record_hash(records[2].prev_hash, payload)})
    broken = verify(records)
    assert broken is not None and broken.position == 3 and "prev_hash" in broken.problem


def test_a_deleted_record_is_caught() -> None:
    records = chain()
    del records[1]
    broken = verify(records)
    assert broken is not None and broken.position == 1 and "missing" in broken.problem
    # Deleting the first record is caught too: the chain no longer starts at seq 0.
    assert verify(chain()[1:]) is not None


def test_a_deleted_record_with_seqs_renumbered_is_caught() -> None:
    records = chain()
    del records[1]
    records = [r.model_copy(update={"seq": i}) for i, r in enumerate(records)]
    broken = verify(records)
    assert broken is not None and broken.position == 1 and "prev_hash" in broken.problem


def test_reordered_records_are_caught() -> None:
    records = chain()
    records[1], records[2] = records[2], records[1]
    broken = verify(records)
    assert broken is not None and broken.position == 1 and "expected 1" in broken.problem
    # Swapping back seqs does not hide it: the links are wrong.
    records[1] = records[1].model_copy(update={"seq": 1})
    records[2] = records[2].model_copy(update={"seq": 2})
    broken = verify(records)
    assert broken is not None and broken.position == 1 and "prev_hash" in broken.problem


def test_an_extract_from_mid_chain_verifies_unanchored() -> None:
    records = chain()[2:]
    assert verify(records) is not None
    assert verify(records, anchored=False) is None
    del records[1]
    assert verify(records, anchored=False) is not None
