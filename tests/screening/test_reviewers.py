"""Reviewer directory: tokens stored hashed, merged sources, bad input refused."""

from __future__ import annotations

import json

import pytest

from schemas.review import ReviewerRole
from screening.reviewers import parse_reviewers, token_digest


def test_tokens_map_to_identity_and_role() -> None:
    file_text = f"reviewers:\n  - id: bob\n    role: reviewer\n    token_sha256: {token_digest('bob-token')}\n"
    env_text = json.dumps([{"id": "sam", "role": "senior", "token_sha256": token_digest("sam-token")}])
    directory = parse_reviewers(file_text, env_text, None)
    bob = directory.authenticate("bob-token")
    assert bob is not None and bob.id == "bob" and bob.role is ReviewerRole.reviewer
    sam = directory.authenticate("sam-token")
    assert sam is not None and sam.role is ReviewerRole.senior
    assert directory.authenticate("bob-token ") is None and directory.authenticate("") is None
    assert directory.role_of("sam") is ReviewerRole.senior and directory.role_of("eve") is None
    assert "bob-token" not in repr(directory.reviewers)


@pytest.mark.parametrize("text", [
    "[{id: bob, role: admin, token_sha256: " + "a" * 64 + "}]",
    "[{id: bob, role: reviewer, token_sha256: not-a-digest}]",
    "[{id: bob, role: reviewer, token_sha256: " + "a" * 64 + "}, {id: bob, role: senior, token_sha256: " +
    "b" * 64 + "}]",
])
def test_bad_directories_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="reviewers"):
        parse_reviewers(text)
