"""Shared fixtures: the real published lists in ../shared/data/lists (never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest

LISTS_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lists"


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    if not LISTS_DIR.is_dir():
        pytest.skip(f"shared list data not found at {LISTS_DIR}")
    return LISTS_DIR.resolve()
