"""Every party against the restricted-party lists in force on the event's date."""

from __future__ import annotations

from datetime import datetime

from schemas import Party, Reason, ReasonCode, Severity
from screening.matching import NameMatch
from screening.rules.base import Subject, all_parties, role_label
from screening.rules.context import RuleContext


def match_reason(party: Party, match: NameMatch, ctx: RuleContext) -> Reason:
    entry = ctx.entry(match.key)
    policy = ctx.policy
    code = policy.reason_code_for(match.list_code)
    blocks = match.strong and match.list_code in policy.blocking_lists and code is ReasonCode.RESTRICTED_PARTY
    strength = "strongly matches" if match.strong else "possibly matches"
    detail = (f"{role_label(party).capitalize()} '{party.name}' {strength} {policy.list_name(match.list_code)} "
              f"entry '{match.matched_name}' ({match.key}, score {match.score:.2f}): {match.explanation}")
    if code is ReasonCode.ENTITY_LIST and entry.license_requirement:
        detail += f" Licence requirement: {entry.license_requirement.strip()}"
    return Reason(
        code=code, severity=Severity.block if blocks else Severity.hold,
        party_role=party.role.value, party_name=party.name, list_code=match.list_code,
        source_id=match.source_id, matched_name=match.matched_name, score=round(match.score, 4),
        detail=detail,
    )


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if ctx.lists_problem is not None:
        return []  # lists_available holds the subject instead
    on = subject.occurred_at.date()
    return [match_reason(party, match, ctx) for party in all_parties(subject)
            for match in ctx.party_matches(party, on)]
