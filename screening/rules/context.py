"""RuleContext: what a rule may consult besides the subject — list state, rule data,
stream facts, policy — plus per-subject caches shared by the rules of one screening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from schemas import EntryKind, ListEntry, Party
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.matching import NameMatch
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData


def _party_ids(party: Party) -> dict[str, str]:
    if party.ids is None:
        return {}
    return {k: str(v) for k, v in party.ids.model_dump(exclude_none=True).items()}


@dataclass
class RuleContext:
    lists: ListState
    policy: ScreeningPolicy
    data: RuleData
    facts: StreamFacts
    # Why list state may not be used right now (fail closed), or None.
    lists_problem: str | None = None
    _matches: dict[tuple[int, date], list[NameMatch]] = field(default_factory=dict)

    @classmethod
    def at(cls, lists: ListState, policy: ScreeningPolicy, data: RuleData, facts: StreamFacts,
           now: datetime) -> RuleContext:
        return cls(lists, policy, data, facts, lists.availability_problem(now, policy.max_list_age))

    def party_matches(self, party: Party, on: date) -> list[NameMatch]:
        """Matches of one party against the list entries in force on `on` (computed once
        per party and screening, however many rules ask)."""
        cache_key = (id(party), on)
        cached = self._matches.get(cache_key)
        if cached is not None:
            return cached
        country = party.address.country if party.address else None
        kind = EntryKind(party.kind.value) if party.kind else None
        hits = self.lists.index.search(party.name, kind=kind, country=country, ids=_party_ids(party) or None)
        found = [m for m in hits if (e := self.lists.entries.get(m.key)) is not None and e.in_force(on)]
        self._matches[cache_key] = found
        return found

    def entry(self, key: str) -> ListEntry:
        return self.lists.entries[key]
