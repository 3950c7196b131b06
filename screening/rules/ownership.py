"""OWNERSHIP: a party owned 50% or more in aggregate by listed parties is treated as
listed. OFAC's 50 Percent Rule (revised guidance of 2014-08-13) for SDN owners; BIS's
Affiliates Rule (90 FR 47201) for Entity List owners, only for events dated while it is
in force (rule data: `RuleData.ownership_rule`). Shares add up across owners and are not
multiplied along a chain: an entity owned 50% or more by listed parties counts as listed
itself when it owns another (OFAC FAQ 401). The detail shows every link used, with its
percentage and source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from schemas import LinkOwner, Party, Reason, ReasonCode, Severity
from screening.partykeys import name_key, party_country, party_identifiers
from screening.rules.base import Subject, all_parties, role_label
from screening.rules.context import RuleContext

_RANK = {Severity.hold: 1, Severity.block: 2}


@dataclass(frozen=True)
class Owner:
    """An owner that counts as listed: on a list whose ownership rule is in force, or
    itself owned enough by such owners."""

    severity: Severity
    list_code: str
    explanation: str
    rules: frozenset[str]  # citations of the ownership rules that made owners count


@dataclass(frozen=True)
class Standing:
    """Why a party counts as listed through its owners: the aggregate share and the links."""

    severity: Severity
    percent: float
    list_code: str
    explanation: str
    rules: frozenset[str]


class _Walk:
    """One party's ownership chains, with the owners met so far (by key) cached."""

    def __init__(self, ctx: RuleContext, on: date) -> None:
        self.ctx = ctx
        self.on = on
        self.threshold = ctx.data.red_flags.ownership_threshold_pct
        self.max_depth = ctx.data.red_flags.ownership_max_depth
        self._listed: dict[tuple[str | None, str, str | None], Owner | None] = {}

    def listed(self, owner: LinkOwner) -> Owner | None:
        """The owner as a list entry its ownership rule counts on `on`, or None."""
        cache_key = (owner.list_key, owner.name, owner.country)
        if cache_key not in self._listed:
            self._listed[cache_key] = self._find_listed(owner)
        return self._listed[cache_key]

    def _find_listed(self, owner: LinkOwner) -> Owner | None:
        lists = self.ctx.lists
        if owner.list_key is not None:
            candidates = [owner.list_key]
        else:  # matched against the lists like any party; only a strong match makes it listed
            candidates = [m.key for m in lists.index.search(owner.name, country=owner.country) if m.strong]
        found = []
        for key in candidates:
            entry = lists.entries.get(key)
            if entry is None or not entry.in_force(self.on):
                continue
            rule = self.ctx.data.ownership_rule(entry.list_code, self.on)
            if rule is None:
                continue
            severity = Severity.block if entry.list_code in self.ctx.policy.blocking_lists else Severity.hold
            named = (f"'{entry.name}' ({key}, {self.ctx.policy.list_name(entry.list_code)})" if owner.list_key
                     else f"'{owner.name}' ({key}, {self.ctx.policy.list_name(entry.list_code)}, name matched "
                          f"to '{entry.name}')")
            found.append(Owner(severity, entry.list_code, named, frozenset({rule.source})))
        return max(found, key=lambda o: _RANK[o.severity], default=None)

    def standing(self, name: str, country: str | None, identifiers: frozenset[str], depth: int,
                 path: frozenset[str]) -> Standing | None:
        """The listed share in one party at `depth` links from the screened party."""
        best: dict[str, tuple[float, str, Owner]] = {}
        for link_id, link in self.ctx.facts.ownership.owners_of(name, country, identifiers):
            owner = link.owner
            who = owner.list_key or f"{owner.country or '-'}|{name_key(owner.name)}"
            counted = self.listed(owner)
            if counted is None and depth < self.max_depth and who not in path:
                via = self.standing(owner.name, owner.country, frozenset(), depth + 1, path | {who})
                if via is not None:
                    counted = Owner(via.severity, via.list_code,
                                    f"'{owner.name}', itself owned {via.percent:g}% by listed parties "
                                    f"({via.explanation})", via.rules)
            if counted is None:
                continue
            evidence = f"{link.percent:g}% by {counted.explanation} [link {link_id}: {link.source}" + (
                f", as of {link.as_of.isoformat()}]" if link.as_of else "]")
            # Two links for one owner (two sources) are one holding: the larger share counts.
            if who not in best or link.percent > best[who][0]:
                best[who] = (link.percent, evidence, counted)
        holdings = sorted(best.values(), key=lambda h: (-h[0], h[1]))
        blocking = [h for h in holdings if h[2].severity is Severity.block]
        for severity, used in ((Severity.block, blocking), (Severity.hold, holdings)):
            percent = min(sum(h[0] for h in used), 100.0)
            if used and percent >= self.threshold:
                return Standing(severity, percent, used[0][2].list_code, "; ".join(h[1] for h in used),
                                frozenset().union(*(h[2].rules for h in used)))
        return None


def party_reason(party: Party, walk: _Walk) -> Reason | None:
    standing = walk.standing(party.name, party_country(party), party_identifiers(party), 1,
                             frozenset())
    if standing is None:
        return None
    treated = "blocked" if standing.severity is Severity.block else "listed (licence required)"
    return Reason(
        code=ReasonCode.OWNERSHIP, severity=standing.severity, party_role=party.role.value, party_name=party.name,
        list_code=standing.list_code,
        detail=(f"{role_label(party).capitalize()} '{party.name}' is owned {standing.percent:g}% in aggregate by "
                f"listed parties (threshold {walk.threshold:g}%), so it is treated as {treated}: "
                f"{standing.explanation}. Ownership rule: {'; '.join(sorted(standing.rules))}."),
    )


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if ctx.lists_problem is not None or len(ctx.facts.ownership) == 0:
        return []
    walk = _Walk(ctx, subject.occurred_at.date())
    return [r for party in all_parties(subject) if (r := party_reason(party, walk)) is not None]
