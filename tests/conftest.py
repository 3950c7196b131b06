"""Shared test fixtures. Paths to the real lists in ../shared (never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LISTS = SHARED / "data" / "lists"


@pytest.fixture(scope="session")
def shared_lists() -> Path:
    if not LISTS.is_dir():
        pytest.skip(f"shared list data not found at {LISTS}")
    return LISTS
