"""RuleContext: what a rule may consult besides the subject — list state, rule data,
stream facts, policy — plus per-subject caches shared by the rules of one screening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from schemas import Address, EntryKind, Line, ListEntry, Party
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.matching import NameMatch
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules.base import Subject
from screening.rules.exports import Destination, destination_of, destinations_of, lines_of


def _party_ids(party: Party) -> dict[str, str]:
    if party.ids is None:
        return {}
    return {k: str(v) for k, v in party.ids.model_dump(exclude_none=True).items()}


# How a line is told apart by the export rules (licence, de minimis, transshipment): their
# answers depend on nothing else of it.
GoodsKey = tuple[tuple[str, str | None, str | None, str | None, float | None], ...]


class SubjectView:
    """What several rules derive from one subject, worked out once per screening however
    many rules ask: its date, lines, destinations and the key the export rules remember
    their answers under."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.on: date = subject.occurred_at.date()
        self.lines: list[Line] = lines_of(subject)
        self.destination: Address | None = destination_of(subject)
        self.destinations: list[Destination] = destinations_of(subject)
        self.goods: GoodsKey = tuple([(line.sku, line.eccn, line.hs_code, line.origin_country, line.us_content_pct)
                                      for line in self.lines])
        # Only a line made outside the US with its US content share given can exceed de minimis.
        self.foreign_made = any([origin not in _US_OR_NONE and pct is not None for _, _, _, origin, pct in self.goods])


_US_OR_NONE = (None, "US")


# What the name index is asked about a party: its name, kind, country and identifiers.
SearchKey = tuple[str, EntryKind | None, str | None, tuple[tuple[str, str], ...]]


class MatchMemo:
    """The name index's answers, remembered across screenings for as long as the list
    state stays the same (the same content version): a stream names the same parties
    again and again (the seller on every order, repeat buyers). Bounded: emptied when
    full."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._version: str | None = None
        self._hits: dict[SearchKey, list[NameMatch]] = {}

    def for_version(self, version: str) -> dict[SearchKey, list[NameMatch]]:
        """The answers remembered for list state `version` (forgetting any older ones)."""
        if version != self._version or len(self._hits) >= self.limit:
            self._version, self._hits = version, {}
        return self._hits


@dataclass
class RuleContext:
    lists: ListState
    policy: ScreeningPolicy
    data: RuleData
    facts: StreamFacts
    # Why list state may not be used right now (fail closed), or None.
    lists_problem: str | None = None
    # The list state's content version, and the index answers remembered under it (None:
    # every search is made afresh).
    lists_version: str = ""
    searches: dict[SearchKey, list[NameMatch]] | None = None
    _matches: dict[tuple[int, date], list[NameMatch]] = field(default_factory=dict)
    _views: dict[int, tuple[Subject, SubjectView]] = field(default_factory=dict)

    @classmethod
    def at(cls, lists: ListState, policy: ScreeningPolicy, data: RuleData, facts: StreamFacts,
           now: datetime, memo: MatchMemo | None = None) -> RuleContext:
        version = lists.version()
        return cls(lists, policy, data, facts, lists.availability_problem(now, policy.max_list_age), version,
                   memo.for_version(version) if memo is not None else None)

    def view(self, subject: Subject) -> SubjectView:
        """The subject's derived view, shared by the rules of this screening."""
        cached = self._views.get(id(subject))
        if cached is not None and cached[0] is subject:
            return cached[1]
        view = SubjectView(subject)
        self._views[id(subject)] = (subject, view)
        return view

    def party_matches(self, party: Party, on: date) -> list[NameMatch]:
        """Matches of one party against the list entries in force on `on` (computed once
        per party and screening, however many rules ask)."""
        cache_key = (id(party), on)
        cached = self._matches.get(cache_key)
        if cached is not None:
            return cached
        country = party.address.country if party.address else None
        kind = EntryKind(party.kind.value) if party.kind else None
        ids = _party_ids(party)
        search_key = (party.name, kind, country, tuple(sorted(ids.items())))
        hits = self.searches.get(search_key) if self.searches is not None else None
        if hits is None:
            hits = self.lists.index.search(party.name, kind=kind, country=country, ids=ids or None)
            if self.searches is not None:
                self.searches[search_key] = hits
        found = [m for m in hits if (e := self.lists.entries.get(m.key)) is not None and e.in_force(on)]
        self._matches[cache_key] = found
        return found

    def entry(self, key: str) -> ListEntry:
        return self.lists.entries[key]
