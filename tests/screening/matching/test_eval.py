"""The dev evaluation at the default thresholds (about 10 s): recall >= 0.99, FPR <= 0.005."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.lists import EntryKind
from screening.lists import load_directory
from screening.matching import NameIndex

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"


def test_dev_set_recall_and_false_positive_rate() -> None:
    queries_path = SHARED / "eval" / "names-dev.jsonl"
    lists_path = SHARED / "data" / "lists" / "ofac" / "sdn-2021-07"
    if not queries_path.is_file() or not lists_path.is_dir():
        pytest.skip(f"shared eval data not found under {SHARED}")
    index = NameIndex()
    for entry in load_directory(lists_path).entries:
        index.upsert(entry)
    positives = hits = negatives = false_positives = 0
    for line in queries_path.read_text().splitlines():
        query = json.loads(line)
        kind = EntryKind(query["kind"]) if query.get("kind") else None
        keys = {m.key for m in index.search(query["name"], kind=kind)}
        if query["expect"]:
            positives += 1
            hits += query["expect"] in keys
        else:
            negatives += 1
            false_positives += bool(keys)
    assert positives > 1000 and negatives > 1000
    assert hits / positives >= 0.99
    assert false_positives / negatives <= 0.005
