"""Allow-list: a reviewed false positive for one party (normalised name + country) and one
list entry, with an expiry. Pure: the worker asks `suppressing_entry` for every potential
match; the review service builds entries with `make_allowlist_entry`.

Never suppressed: strong matches; a list entry changed since the allow-list entry was made
(fingerprint differs, or its modification time is later); an expired allow-list entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from schemas.common import Party
from schemas.lists import ListEntry, entry_key
from schemas.outputs import Reason, ReasonCode, Severity
from schemas.review import AllowListEntry
from screening.lists.delta import entry_fingerprint
from screening.matching import normalize_name

DEFAULT_TTL = timedelta(days=180)


def normalized_party_name(name: str) -> str:
    return normalize_name(name, None).text  # the search's cache key (partykeys.name_key)


def allowlist_key(party_name: str, country: str | None, entry_key: str) -> str:
    """Key on topic `allowlist`: one allow-list entry per (list entry, country, normalised name)."""
    return f"{entry_key}|{(country or '-').upper()}|{normalized_party_name(party_name)}"


def make_allowlist_entry(party_name: str, country: str | None, entry: ListEntry, reason: str, created_by: str,
                         now: datetime, ttl: timedelta = DEFAULT_TTL, hold_id: str | None = None) -> AllowListEntry:
    if ttl <= timedelta(0):
        raise ValueError("an allow-list entry needs a positive lifetime")
    if not reason.strip():
        raise ValueError("an allow-list entry needs a reason")
    normalized = normalized_party_name(party_name)
    if not normalized:
        raise ValueError(f"party name {party_name!r} normalises to nothing")
    key = allowlist_key(party_name, country, entry.key)
    return AllowListEntry(
        allowlist_id=hashlib.sha256(f"{key}|{now.isoformat()}".encode()).hexdigest()[:24],
        party_name=party_name, party_name_normalized=normalized, country=country, entry_key=entry.key,
        entry_fingerprint=entry_fingerprint(entry), reason=reason, created_by=created_by, created_at=now,
        expires_at=now + ttl, hold_id=hold_id,
    )


def why_not_suppressed(allow: AllowListEntry, strong: bool, fingerprint: str, now: datetime,
                       entry_modified_at: datetime | None = None) -> str | None:
    """Why `allow` does not suppress this match; None if it does."""
    if strong:
        return "strong matches are never allow-listed"
    if allow.expired(now):
        return f"allow-list entry expired at {allow.expires_at.isoformat()}"
    if fingerprint != allow.entry_fingerprint:
        return f"list entry {allow.entry_key} changed since it was allow-listed"
    if entry_modified_at is not None and entry_modified_at > allow.created_at:
        return f"list entry {allow.entry_key} was modified after it was allow-listed"
    return None


def suppressing_entry(allowlist: Mapping[str, AllowListEntry], party_name: str, country: str | None,
                      entry_key: str, strong: bool, fingerprint: str, now: datetime,
                      entry_modified_at: datetime | None = None) -> AllowListEntry | None:
    """The allow-list entry that suppresses a match of `party_name` (in `country`) on list
    entry `entry_key`, or None. `allowlist` is keyed by `allowlist_key`."""
    allow = allowlist.get(allowlist_key(party_name, country, entry_key))
    if allow is None or why_not_suppressed(allow, strong, fingerprint, now, entry_modified_at) is not None:
        return None
    return allow


def allowlisted_reason(match: Reason, allow: AllowListEntry) -> Reason:
    """The info reason recorded in place of a suppressed potential match."""
    return match.model_copy(update={
        "code": ReasonCode.ALLOWLISTED, "severity": Severity.info,
        "detail": (f"{match.party_name or 'party'} ~ {allow.entry_key} was reviewed as a false positive by "
                   f"{allow.created_by} on {allow.created_at.date().isoformat()} (until "
                   f"{allow.expires_at.date().isoformat()}): {allow.reason}"),
    })


# Reasons an allow-list entry may stand in for: potential name matches only.
SUPPRESSIBLE = frozenset({ReasonCode.RESTRICTED_PARTY, ReasonCode.ENTITY_LIST})


def suppress_allowlisted(reasons: Sequence[Reason], parties: Sequence[Party], allowlist: Mapping[str, AllowListEntry],
                         entries: Mapping[str, ListEntry], strong_threshold: float, now: datetime
                         ) -> tuple[Reason, ...]:
    """`reasons` with every potential match that a live allow-list entry covers replaced
    by its `ALLOWLISTED` info reason. A reason counts as strong (never suppressed) when it
    blocks or when its score reaches the strong threshold, whatever else the matcher said:
    in doubt, the match stays."""
    if not allowlist:
        return tuple(reasons)
    countries = {(p.role.value, p.name): (p.address.country if p.address else None) for p in reversed(parties)}
    out: list[Reason] = []
    for reason in reasons:
        entry = None
        if (reason.code in SUPPRESSIBLE and reason.severity is Severity.hold and reason.list_code
                and reason.source_id and reason.party_name):
            entry = entries.get(entry_key(reason.list_code, reason.source_id))
        if entry is None:
            out.append(reason)
            continue
        strong = reason.score is None or reason.score >= strong_threshold
        country = countries.get((reason.party_role or "", reason.party_name or ""))
        allow = suppressing_entry(allowlist, reason.party_name or "", country, entry.key, strong,
                                  entry_fingerprint(entry), now)
        out.append(reason if allow is None else allowlisted_reason(reason, allow))
    return tuple(out)
