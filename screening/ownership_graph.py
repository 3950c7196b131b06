"""Who owns whom, from the `ownership` topic: links kept by link id and found by the
owned party's normalised name (and identifiers), so an owner can be followed upward."""

from __future__ import annotations

from collections import defaultdict

from schemas import OwnershipLink
from screening.partykeys import keys_from_ids, name_key


def _countries_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


class OwnershipGraph:
    """Ownership links by id (idempotent upserts and removals, as on a compacted topic)."""

    def __init__(self) -> None:
        self._links: dict[str, OwnershipLink] = {}
        self._by_owned_name: dict[str, set[str]] = defaultdict(set)
        self._by_owned_id: dict[str, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._links)

    def link(self, link_id: str) -> OwnershipLink | None:
        return self._links.get(link_id)

    def apply_link(self, link_id: str, link: OwnershipLink | None) -> None:
        """Upsert (`link`) or remove (`None`) one link."""
        old = self._links.pop(link_id, None)
        if old is not None:
            self._unindex(link_id, old)
        if link is not None:
            self._links[link_id] = link
            self._by_owned_name[name_key(link.owned.name)].add(link_id)
            for ident in self._owned_identifiers(link):
                self._by_owned_id[ident].add(link_id)

    def owners_of(self, name: str, country: str | None = None,
                  identifiers: frozenset[str] = frozenset()) -> list[tuple[str, OwnershipLink]]:
        """Links whose owned party is this one: same normalised name and no conflicting
        country, or a shared identifier. Sorted by link id, so explanations are stable."""
        ids = set(self._by_owned_name.get(name_key(name), ()))
        ids = {i for i in ids if _countries_agree(self._links[i].owned.country, country)}
        for ident in identifiers:
            ids |= self._by_owned_id.get(ident, set())
        return [(i, self._links[i]) for i in sorted(ids)]

    @staticmethod
    def _owned_identifiers(link: OwnershipLink) -> set[str]:
        return keys_from_ids(link.owned.ids)[2]

    def _unindex(self, link_id: str, link: OwnershipLink) -> None:
        name = name_key(link.owned.name)
        self._by_owned_name[name].discard(link_id)
        if not self._by_owned_name[name]:
            del self._by_owned_name[name]
        for ident in self._owned_identifiers(link):
            self._by_owned_id[ident].discard(link_id)
            if not self._by_owned_id[ident]:
                del self._by_owned_id[ident]
