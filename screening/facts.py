"""What the streams have seen that rules need beyond one event: orders for joining
shipments, recent activity per consignee, parties already held for a list match, and
ownership links. Stub until the red-flag rules land."""

from __future__ import annotations


class StreamFacts:
    pass
