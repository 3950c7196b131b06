"""FRONT_COMPANY: an unlisted party that shares a street address, phone, email or
identifier with a listed entry, or with a party this stream already held or blocked for a
list match. The ZTE case's Iranian sales ran through Hong Kong companies at the
addresses and with the people of listed ones (BIS Entity List additions, 81 FR 12004;
BIS "Know Your Customer" red flags, 15 CFR 732 Supp. 3)."""

from __future__ import annotations

from datetime import date, datetime

from schemas import Party, Reason, ReasonCode, Severity
from screening.partykeys import name_key, party_contact_keys, party_country, party_index_keys, street_head
from screening.rules.base import Subject, all_parties, role_label
from screening.rules.context import RuleContext

# Reasons per party: a shared office tower can be listed many times over; the detail of
# the last one says how many more entries share a detail.
MAX_REASONS_PER_PARTY = 5


def _who(party: Party) -> str:
    return f"{role_label(party).capitalize()} '{party.name}' ({party_country(party) or 'country unknown'})"


def party_reasons(party: Party, ctx: RuleContext, on: date) -> list[Reason]:
    """The reasons of a party some list entry or flagged party shares a detail with."""
    keys = party_contact_keys(party)
    listed_sharing = ctx.lists.shared.sharing(keys)
    flagged_sharing = ctx.facts.flagged_sharing(party, keys)
    if not (listed_sharing or flagged_sharing) or ctx.party_matches(party, on):
        return []  # a listed party is restricted_party's
    who = _who(party)
    by_entry: dict[str, list[str]] = {}
    for shared in listed_sharing:
        entry = ctx.lists.entries.get(shared.entry_key)
        if entry is not None and entry.in_force(on):
            by_entry.setdefault(shared.entry_key, []).append(f"{shared.what} '{shared.listed}'")
    reasons = []
    for key, details in by_entry.items():
        entry = ctx.entry(key)
        reasons.append(Reason(
            code=ReasonCode.FRONT_COMPANY, severity=Severity.hold, party_role=party.role.value,
            party_name=party.name, list_code=entry.list_code, source_id=entry.source_id, matched_name=entry.name,
            detail=(f"{who} is not listed but shares {'; '.join(details)} with "
                    f"{ctx.policy.list_name(entry.list_code)} entry '{entry.name}' ({key})."),
        ))
    own = name_key(party.name) if flagged_sharing else None
    for flagged, what in flagged_sharing:
        if flagged.name_key == own:
            continue  # the same party under another country or spelling of its address
        reasons.append(Reason(
            code=ReasonCode.FRONT_COMPANY, severity=Severity.hold, party_role=party.role.value,
            party_name=party.name, matched_name=flagged.name,
            detail=(f"{who} is not listed but shares {what} with '{flagged.name}', which this service "
                    f"decided {flagged.outcome} for {', '.join(flagged.matched)} on {flagged.subject.kind.value} "
                    f"{flagged.subject.id} (decision {flagged.decision_id})."),
        ))
    if len(reasons) > MAX_REASONS_PER_PARTY:
        more = len(reasons) - MAX_REASONS_PER_PARTY
        last = reasons[MAX_REASONS_PER_PARTY - 1]
        reasons = [*reasons[:MAX_REASONS_PER_PARTY - 1],
                   last.model_copy(update={"detail": f"{last.detail} {more} more share its details."})]
    return reasons


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if ctx.lists_problem is not None:
        return []  # lists_available holds the subject instead
    on = subject.occurred_at.date()
    listed, facts = ctx.lists.shared, ctx.facts
    reasons: list[Reason] = []
    for party in all_parties(subject):
        # Both indexes asked first by the head of the party's street (when that is all it
        # gives), then by its index keys, before its details are worked out for a
        # reviewer: most parties give none that an entry or a flagged party gave.
        head = street_head(party)
        if head is not None and not (listed.may_share_street(head) or facts.flagged_may_share_street(head)):
            continue
        lookups = party_index_keys(party)
        if listed.holds_any(lookups) or facts.flagged_gave_any(lookups):
            reasons += party_reasons(party, ctx, on)
    return reasons
