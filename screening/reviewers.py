"""Who the reviewers are: identity and role per bearer token, from a secrets file or an
environment variable (both YAML/JSON text, parsed here; the caller reads it).

    - id: bob
      name: Bob Example
      role: reviewer          # reviewer | senior | auditor
      token_sha256: 3f0a...   # sha256 hex of the token; the token itself is never stored

The worker uses `role_of` to validate dispositions; the review service uses `authenticate`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import yaml
from pydantic import TypeAdapter, ValidationError

from schemas.review import Reviewer, ReviewerRole

_REVIEWERS = TypeAdapter(list[Reviewer])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ReviewerDirectory:
    def __init__(self, reviewers: Iterable[Reviewer]) -> None:
        self.reviewers = tuple(reviewers)
        ids = [r.id for r in self.reviewers]
        if len(ids) != len(set(ids)):
            raise ValueError("reviewers: an id is listed twice")
        digests = [r.token_sha256 for r in self.reviewers]
        if len(digests) != len(set(digests)):
            raise ValueError("reviewers: two reviewers share a token")
        self._by_id = {r.id: r for r in self.reviewers}

    def role_of(self, reviewer_id: str) -> ReviewerRole | None:
        found = self._by_id.get(reviewer_id)
        return found.role if found else None

    def get(self, reviewer_id: str) -> Reviewer | None:
        return self._by_id.get(reviewer_id)

    def authenticate(self, token: str) -> Reviewer | None:
        """The reviewer holding `token`. Every stored digest is compared, in constant time,
        so neither the result nor the timing says how close a guess came."""
        digest = token_digest(token).encode()
        found: Reviewer | None = None
        for reviewer in self.reviewers:
            if hmac.compare_digest(digest, reviewer.token_sha256.encode()):
                found = reviewer
        return found


def parse_reviewers(*texts: str | None) -> ReviewerDirectory:
    """Reviewers from YAML/JSON lists (the file's and the environment's), merged."""
    reviewers: list[Reviewer] = []
    for text in texts:
        if not text or not text.strip():
            continue
        data = yaml.safe_load(text)
        if isinstance(data, dict) and "reviewers" in data:
            data = data["reviewers"]
        try:
            reviewers.extend(_REVIEWERS.validate_python(data))
        except ValidationError as exc:
            raise ValueError(f"reviewers: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    return ReviewerDirectory(reviewers)
