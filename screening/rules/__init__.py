"""The rule registry: every screening rule, in the order its reasons appear on a decision.

A rule is a pure function `(subject, context, now) -> [Reason]` (`base.Rule`); the data
it judges by is in `context` (list state, cited and dated rule data, stream facts).
Adding a rule is one module and one line here.
"""

from __future__ import annotations

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

RULES: tuple[Rule, ...] = (
    embargo.destinations,
    embargo.transit,
    licence.check,
    de_minimis.check,
    transshipment.check,
    lists_available.check,
    restricted_party.check,
    diversion.check,
    structuring.check,
    front_company.check,
    ownership.check,
)


def evaluate(subject: Subject, ctx: RuleContext, now: datetime, rules: tuple[Rule, ...] = RULES) -> Screening:
    reasons = [reason for rule in rules for reason in rule(subject, ctx, now)]
    return Screening(outcome_of(reasons), tuple(reasons), ctx.lists.version(), ctx.data.version)


__all__ = ["RULES", "Rule", "RuleContext", "Screening", "Subject", "all_parties", "evaluate", "outcome_of",
           "role_label"]
