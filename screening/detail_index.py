"""Holders by the details they gave: what the list entries' and the flagged parties'
indexes for FRONT_COMPANY share. A holder is the key of a list entry or of a flagged
party; a detail is an index key (`partykeys.lookup_keys`).

Beside the details, the index counts the street heads of its address keys
("<country>|<first word of the street>", `partykeys.street_head`): every key a street
address is looked up under starts with its head, so a party whose head no holder gave
shares no street address with any, and its keys need not be worked out (most parties of
a stream share nothing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from screening.partykeys import IndexKey, address_key_head


class DetailIndex:
    def __init__(self) -> None:
        self._holders: dict[IndexKey, set[str]] = {}
        self._heads: Counter[str] = Counter()

    def add(self, detail: IndexKey, holder: str) -> None:
        holders = self._holders.get(detail)
        if holders is None:
            holders = self._holders[detail] = set()
            head = address_key_head(detail)
            if head is not None:
                self._heads[head] += 1
        holders.add(holder)

    def discard(self, detail: IndexKey, holder: str) -> None:
        holders = self._holders.get(detail)
        if holders is None:
            return
        holders.discard(holder)
        if not holders:
            del self._holders[detail]
            head = address_key_head(detail)
            if head is not None:
                self._heads[head] -= 1
                if not self._heads[head]:
                    del self._heads[head]

    def holders(self, detail: IndexKey) -> set[str]:
        return self._holders.get(detail, set())

    def holds_any(self, lookups: Iterable[IndexKey]) -> bool:
        return not self._holders.keys().isdisjoint(lookups)

    def may_hold_street(self, head: str) -> bool:
        """Whether some holder gave a street address under this head."""
        return head in self._heads
