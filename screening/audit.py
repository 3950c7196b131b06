"""The tamper-evident audit chain: canonical JSON (RFC 8785), one hash chain per partition.

    hash = sha256(prev_hash + canonical_json(payload)), hex, lowercase
    the first record of a partition has prev_hash = 64 zeros and seq 0

`AuditChain` is the head of one partition's chain (the emit point keeps one per partition
and resumes it from the last record written, so a restart links on); `verify` finds the
first record that does not link: altered, deleted or reordered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import rfc8785

from schemas.outputs import AuditKind, AuditRecord

GENESIS_HASH = "0" * 64


def canonical_json(payload: Any) -> bytes:
    """RFC 8785 (JCS): sorted keys, no whitespace, ECMAScript number form, UTF-8.
    `payload` is plain JSON data (dump pydantic models with mode="json" first).

    orjson with sorted keys writes the same bytes as `rfc8785.dumps` for the payloads
    `_orjson_agrees` accepts, about fifty times faster (tests/screening/test_audit.py checks
    the two agree on every payload it accepts); anything else goes through rfc8785."""
    if _orjson_agrees(payload):
        try:
            return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate, say: rfc8785 raises its own error for it
    return rfc8785.dumps(payload)


# rfc8785 refuses integers beyond what a double holds exactly.
_SAFE_INT = 2**53 - 1


def _orjson_agrees(value: Any) -> bool:
    """Does orjson (sorted keys) serialise `value` exactly as RFC 8785 does? Yes for
    strings (both escape only '"', '\\' and U+0000-U+001F, the same way, and write the
    rest as UTF-8), booleans, null, integers a double holds, floats written the same way by
    both (not integral, between 1e-5 and 1e15 in magnitude: the shortest round-trip digits,
    no exponent), and lists and objects of those whose keys are ASCII strings (RFC 8785
    sorts keys by UTF-16 code units, orjson by code points: the same order for ASCII).

    A loop over a stack, not recursion: every audited output's payload is walked, and a
    call per value cost more than the rest of the check (docs/benchmarks.md)."""
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is dict:
            for key, inner in item.items():
                if type(key) is not str or not key.isascii():
                    return False
                push(inner)
        elif kind is list:
            extend(item)
        elif kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:
                return False
        elif kind is float:
            if not (1e-5 <= abs(item) < 1e15 and not item.is_integer()):
                return False
        else:
            return False  # tuples, subclasses (enums), anything else: rfc8785 decides
    return True


def record_hash(prev_hash: str, payload: Any) -> str:
    return _chained(prev_hash, canonical_json(payload))


def _chained(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


class AuditChain:
    """The head of one partition's chain. Not thread-safe: one per partition, one writer."""

    def __init__(self, seq: int = 0, prev_hash: str = GENESIS_HASH) -> None:
        self.seq = seq
        self.prev_hash = prev_hash

    @classmethod
    def resume(cls, last: AuditRecord | None) -> AuditChain:
        """The chain that continues after `last` (None: an empty partition)."""
        return cls() if last is None else cls(last.seq + 1, last.hash)

    def append(self, kind: AuditKind, payload: dict[str, Any], at: datetime) -> AuditRecord:
        seq, prev_hash = self.seq, self.prev_hash
        _, digest = self._link(payload)
        # Built unvalidated: every field is ours (a sequence number, two sha256 hex digests).
        return AuditRecord.model_construct(seq=seq, at=at, kind=kind, payload=payload, prev_hash=prev_hash,
                                           hash=digest)

    def write(self, kind: AuditKind, payload: dict[str, Any], at: datetime) -> bytes:
        """`append`, as the audit topic carries the record: its JSON, with the payload in
        the canonical form made for the hash anyway (pydantic writing the record, payload
        and all, cost more than hashing it; docs/benchmarks.md)."""
        seq, prev_hash = self.seq, self.prev_hash
        canonical, digest = self._link(payload)
        return orjson.dumps({"seq": seq, "at": at, "kind": kind.value, "payload": orjson.Fragment(canonical),
                             "prev_hash": prev_hash, "hash": digest}, option=orjson.OPT_UTC_Z)

    def _link(self, payload: dict[str, Any]) -> tuple[bytes, str]:
        """Link `payload` on: (its canonical JSON, its record's hash); the head moves past it."""
        canonical = canonical_json(payload)
        digest = _chained(self.prev_hash, canonical)
        self.seq += 1
        self.prev_hash = digest
        return canonical, digest


@dataclass(frozen=True)
class BrokenLink:
    """The first record (0-based position in what was verified) that does not link."""

    position: int
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"record {self.position} (seq {self.seq}): {self.problem}"


def verify(records: Iterable[AuditRecord], anchored: bool = True) -> BrokenLink | None:
    """Check one partition's records in order. `anchored`: the chain must start at seq 0
    from the genesis hash (a whole partition); otherwise the first record's seq and
    prev_hash are trusted as the starting point (an extract that starts mid-chain)."""
    expected_seq: int | None = 0 if anchored else None
    expected_prev: str | None = GENESIS_HASH if anchored else None
    for position, record in enumerate(records):
        if expected_seq is not None and record.seq != expected_seq:
            what = ("records missing or moved before it" if record.seq > expected_seq
                    else "out of order or repeated")
            return BrokenLink(position, record.seq, f"seq {record.seq}, expected {expected_seq}: {what}")
        if expected_prev is not None and record.prev_hash != expected_prev:
            return BrokenLink(position, record.seq, "prev_hash does not match the previous record's hash")
        if record_hash(record.prev_hash, record.payload) != record.hash:
            return BrokenLink(position, record.seq, "hash does not match the payload: the record was altered")
        expected_seq, expected_prev = record.seq + 1, record.hash
    return None
