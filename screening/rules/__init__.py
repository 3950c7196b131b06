"""The rule registry: every screening rule, in the order its reasons appear on a decision.

A rule is a pure function `(subject, context, now) -> [Reason]` (`base.Rule`); the data
it judges by is in `context` (list state, cited and dated rule data, stream facts).
Adding a rule is one module and one line here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from screening.rules import (
    de_minimis,
    diversion,
    embargo,
    front_company,
    licence,
    lists_available,
    ownership,
    restricted_party,
    structuring,
    transshipment,
)
from screening.rules.base import Rule, Screening, Subject, all_parties, outcome_of, role_label
from screening.rules.context import RuleContext

# Every rule by name (TRADESCREEN_RULES_ENABLED picks a subset), in the order its reasons
# appear on a decision.
RULES_BY_NAME: dict[str, Rule] = {
    "embargo_destinations": embargo.destinations,
    "embargo_transit": embargo.transit,
    "licence": licence.check,
    "de_minimis": de_minimis.check,
    "transshipment": transshipment.check,
    "lists_available": lists_available.check,
    "restricted_party": restricted_party.check,
    "diversion": diversion.check,
    "structuring": structuring.check,
    "front_company": front_company.check,
    "ownership": ownership.check,
}
RULES: tuple[Rule, ...] = tuple(RULES_BY_NAME.values())
# Always on: without it a worker with missing or stale lists would clear (fail closed).
REQUIRED_RULES = frozenset({"lists_available"})


def rules_named(names: Iterable[str]) -> tuple[Rule, ...]:
    """The named rules in registry order. ValueError for an unknown name or a subset
    without the rules that keep screening fail-closed."""
    wanted = set(names)
    unknown = sorted(wanted - RULES_BY_NAME.keys())
    if unknown:
        raise ValueError(f"unknown rule name(s) {', '.join(unknown)}; known: {', '.join(RULES_BY_NAME)}")
    missing = sorted(REQUIRED_RULES - wanted)
    if missing:
        raise ValueError(f"rule(s) {', '.join(missing)} cannot be left out: without them screening would not "
                         "fail closed")
    return tuple(rule for name, rule in RULES_BY_NAME.items() if name in wanted)


def evaluate(subject: Subject, ctx: RuleContext, now: datetime, rules: tuple[Rule, ...] = RULES) -> Screening:
    reasons = [reason for rule in rules for reason in rule(subject, ctx, now)]
    return Screening(outcome_of(reasons), tuple(reasons), ctx.lists_version or ctx.lists.version(), ctx.data.version)


__all__ = ["REQUIRED_RULES", "RULES", "RULES_BY_NAME", "Rule", "RuleContext", "Screening", "Subject", "all_parties",
           "evaluate", "outcome_of", "role_label", "rules_named"]
