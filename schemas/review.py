"""Messages and records of hold review (issue 11) that the contract's first version does not
name: allow-list entries (compacted topic `allowlist`) and reviewer identities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from schemas.common import CountryCode, Timestamp, WireModel


class ReviewerRole(StrEnum):
    reviewer = "reviewer"
    senior = "senior"
    # Reads everything, changes nothing.
    auditor = "auditor"


class Reviewer(WireModel):
    """One person who may use the review service. The token is stored only as its
    SHA-256 hex digest (tokens are long random strings, so a plain digest is enough)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._@-]+$")
    name: str | None = None
    role: ReviewerRole
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AllowListEntry(WireModel):
    """A reviewed false positive: this party (normalised name + country) is not this list
    entry. Topic `allowlist`, compacted, key = `allowlist_key(...)`; a tombstone revokes it.

    `entry_fingerprint` is the fingerprint of the list entry as the reviewer saw it
    (`screening.allowlist.entry_fingerprint`): if the entry changes, the allow-list entry
    no longer applies."""

    allowlist_id: str = Field(min_length=1)
    party_name: str = Field(min_length=1)
    # The normalised form of `party_name` (screening.matching.normalize_name(...).text).
    party_name_normalized: str = Field(min_length=1)
    country: CountryCode | None = None
    # `<list>:<source_id>`
    entry_key: str = Field(min_length=3, pattern=r"^[A-Z0-9][A-Z0-9_-]*:.+$")
    entry_fingerprint: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    created_by: str = Field(min_length=1)
    created_at: Timestamp
    expires_at: Timestamp
    # The hold that prompted it, if any (for the audit trail).
    hold_id: str | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
