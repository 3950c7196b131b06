"""What every rule shares: the subject it judges, the shape of a rule, and how reasons
add up to an outcome."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from schemas import OrderEvent, Outcome, Party, Reason, Severity, ShipmentEvent

if TYPE_CHECKING:
    from screening.rules.context import RuleContext

Subject = OrderEvent | ShipmentEvent

# A rule: (subject, context, now) -> reasons. Pure; `now` is the screening time, while
# the subject's own `occurred_at` decides which listings and programmes were in force.
Rule = Callable[[Subject, "RuleContext", datetime], list[Reason]]

_RANK = {Severity.info: 0, Severity.hold: 1, Severity.block: 2}
_OUTCOME = {0: Outcome.CLEAR, 1: Outcome.HOLD, 2: Outcome.BLOCK}


@dataclass(frozen=True)
class Screening:
    """Every rule's reasons for one subject, the outcome they add up to, and the exact
    list state and rule data they were judged by."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    lists_version: str
    rules_version: str = ""


def outcome_of(reasons: Iterable[Reason]) -> Outcome:
    return _OUTCOME[max((_RANK[r.severity] for r in reasons), default=0)]


def role_label(party: Party) -> str:
    """"end user" for end_user: how a detail sentence names a party's role."""
    return party.role.value.replace("_", " ")


def all_parties(event: Subject) -> list[Party]:
    """Every party an event names, the order's payer included."""
    parties = list(event.parties)
    if isinstance(event, OrderEvent) and event.payment and event.payment.payer:
        parties.append(event.payment.payer)
    return parties
