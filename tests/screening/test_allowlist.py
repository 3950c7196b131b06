"""Allow-list suppression: when a reviewed false positive suppresses a potential match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import ListEntry, Reason, ReasonCode, Severity
from screening.allowlist import (
    DEFAULT_TTL,
    allowlist_key,
    allowlisted_reason,
    entry_fingerprint,
    make_allowlist_entry,
    suppressing_entry,
    why_not_suppressed,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ENTRY = ListEntry.model_validate({"list": "SDN", "source_id": "1234", "kind": "organization",
                                  "name": "Beijing Star Trading Co., Ltd.", "aliases": ["Star Trading"],
                                  "programs": ["IRAN"], "source_version": "2026-03-01"})
CHANGED = ENTRY.model_copy(update={"aliases": ["Star Trading", "Bright Star"]})
REPUBLISHED = ENTRY.model_copy(update={"source_version": "2026-03-02"})
ALLOW = make_allowlist_entry("BEIJING  STAR trading co ltd", "CN", ENTRY, "different company, other city", "bob", T0)
FP = entry_fingerprint(ENTRY)

# (strong, fingerprint, now, modified_at) -> suppressed?
CASES = [
    ("potential, same entry, in time", False, FP, T0 + timedelta(days=1), None, True),
    ("strong match", True, FP, T0 + timedelta(days=1), None, False),
    ("entry changed", False, entry_fingerprint(CHANGED), T0 + timedelta(days=1), None, False),
    ("entry republished unchanged", False, entry_fingerprint(REPUBLISHED), T0 + timedelta(days=1), None, True),
    ("modified after the allow-list entry", False, FP, T0 + timedelta(days=2), T0 + timedelta(days=1), False),
    ("modified before the allow-list entry", False, FP, T0 + timedelta(days=2), T0 - timedelta(days=1), True),
    ("last day", False, FP, T0 + DEFAULT_TTL - timedelta(seconds=1), None, True),
    ("expired", False, FP, T0 + DEFAULT_TTL, None, False),
]


@pytest.mark.parametrize(("case", "strong", "fingerprint", "now", "modified_at", "suppressed"), CASES,
                         ids=[c[0] for c in CASES])
def test_suppression(case: str, strong: bool, fingerprint: str, now: datetime, modified_at: datetime | None,
                     suppressed: bool) -> None:
    table = {allowlist_key(ALLOW.party_name, ALLOW.country, ALLOW.entry_key): ALLOW}
    found = suppressing_entry(table, "Beijing Star Trading Co. Ltd", "CN", "SDN:1234", strong, fingerprint, now,
                              modified_at)
    assert (found is not None) is suppressed
    assert (why_not_suppressed(ALLOW, strong, fingerprint, now, modified_at) is None) is suppressed


def test_only_the_same_party_and_entry() -> None:
    table = {allowlist_key(ALLOW.party_name, ALLOW.country, ALLOW.entry_key): ALLOW}
    now = T0 + timedelta(days=1)
    assert suppressing_entry(table, "Beijing Star Trading", "HK", "SDN:1234", False, FP, now) is None
    assert suppressing_entry(table, "Beijing Star Trading Co Ltd", "CN", "SDN:9999", False, FP, now) is None
    assert suppressing_entry(table, "Shanghai Star Trading Co Ltd", "CN", "SDN:1234", False, FP, now) is None


def test_entry_fields_and_validation() -> None:
    assert ALLOW.entry_key == "SDN:1234" and ALLOW.expires_at == T0 + timedelta(days=180)
    assert ALLOW.party_name_normalized == allowlist_key("Beijing Star Trading Co Ltd", "CN", "X:1").split("|")[2]
    with pytest.raises(ValueError, match="reason"):
        make_allowlist_entry("Acme", "CN", ENTRY, "  ", "bob", T0)
    with pytest.raises(ValueError, match="lifetime"):
        make_allowlist_entry("Acme", "CN", ENTRY, "ok", "bob", T0, ttl=timedelta(0))


def test_allowlisted_reason_is_info() -> None:
    match = Reason.model_validate({"code": "RESTRICTED_PARTY", "severity": "hold", "party_name": "Beijing Star",
                                   "list": "SDN", "source_id": "1234", "score": 0.81, "detail": "possibly matches"})
    reason = allowlisted_reason(match, ALLOW)
    assert reason.code is ReasonCode.ALLOWLISTED and reason.severity is Severity.info
    assert reason.list_code == "SDN" and reason.score == 0.81 and "bob" in reason.detail
