"""Fail closed: without complete, fresh list state nothing can be cleared."""

from __future__ import annotations

from datetime import datetime

from schemas import Reason, ReasonCode, Severity
from screening.rules.base import Subject
from screening.rules.context import RuleContext


def lists_unavailable(problem: str) -> Reason:
    return Reason(code=ReasonCode.LISTS_UNAVAILABLE, severity=Severity.hold,
                  detail=f"Held without screening against restricted-party lists: {problem}.")


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    return [] if ctx.lists_problem is None else [lists_unavailable(ctx.lists_problem)]
