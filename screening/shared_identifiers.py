"""List entries by the details a front company may share with them: street address,
phone, email, identifier. Kept beside the name index and fed on each entry upsert and
removal (`ListState.apply`), never rebuilt whole."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schemas import Address, ListEntry
from screening.detail_index import DetailIndex
from screening.partykeys import (
    ContactKeys,
    IndexKey,
    StreetAddress,
    contact_keys,
    describe_address,
    lookup_keys,
    street_address,
)


@dataclass(frozen=True)
class SharedDetail:
    """One detail a party shares with a list entry, as a reviewer reads it."""

    entry_key: str
    what: str  # "street address", "phone", "email", "identifier"
    listed: str  # the entry's detail as listed (an address as written) or its normalised value


class SharedIdentifiers:
    def __init__(self) -> None:
        self._by_detail = DetailIndex()
        self._keys: dict[str, ContactKeys] = {}
        # Each entry's addresses as listed, beside their compared form, for explanations.
        self._addresses: dict[str, list[tuple[StreetAddress, Address]]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def upsert(self, entry: ListEntry) -> None:
        key = entry.key
        self.remove(key)
        keys = contact_keys(entry.addresses, ids=entry.ids)
        if not keys:
            return
        self._keys[key] = keys
        self._addresses[key] = [(s, a) for a in entry.addresses if (s := street_address(a)) is not None]
        for detail in lookup_keys(keys):
            self._by_detail.add(detail, key)

    def remove(self, key: str) -> None:
        keys = self._keys.pop(key, None)
        self._addresses.pop(key, None)
        if keys is None:
            return
        for detail in lookup_keys(keys):
            self._by_detail.discard(detail, key)

    def holds_any(self, lookups: Iterable[IndexKey]) -> bool:
        """Whether some entry gives one of these details (index keys, see `lookup_keys`);
        `sharing` says which and how."""
        return self._by_detail.holds_any(lookups)

    def may_share_street(self, head: str) -> bool:
        """Whether some entry gives a street address under this head (`partykeys.street_head`)."""
        return self._by_detail.may_hold_street(head)

    def sharing(self, keys: ContactKeys) -> list[SharedDetail]:
        """Every entry sharing one of these details, by entry key then detail."""
        by_detail = self._by_detail
        if not by_detail.holds_any(keys.lookups):
            return []
        found: list[SharedDetail] = []
        for address, lookups in keys.address_lookups:
            holders = {k for detail in lookups for k in by_detail.holders(detail)}
            for key in holders:
                listed = next((a for s, a in self._addresses.get(key, ()) if s.same_place(address)), None)
                if listed is not None:
                    found.append(SharedDetail(key, "street address", describe_address(listed)))
        for detail, what, value in keys.detail_lookups:
            found.extend(SharedDetail(key, what, value) for key in by_detail.holders(detail))
        if not found:
            return []
        return sorted(set(found), key=lambda d: (d.entry_key, d.what, d.listed))
