"""De minimis (15 CFR 734.4): a foreign-made line whose US controlled content is above
the threshold for its destination (25%, or 10% for Country Groups E:1 and E:2) is
subject to the EAR, so it is held and the licence rule judges it like a US item."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from schemas import Reason, ReasonCode, Severity
from screening.rules.base import Subject
from screening.rules.context import RuleContext
from screening.rules.exports import ear_scope


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    view = ctx.view(subject)
    if not view.foreign_made:
        return []  # only a foreign-made line with a US content share can exceed de minimis
    on = view.on
    # Every country of ultimate destination counts; none known: the strictest threshold.
    destinations: list[tuple[str | None, str]] = [(d.country, f"to {d.label}") for d in view.destinations]
    destinations = destinations or [(None, "to an unknown destination (the strictest threshold applied)")]
    reasons = []
    for line in view.lines:
        if line.origin_country in (None, "US") or line.us_content_pct is None:
            continue
        for country, to in destinations:
            key = ("ear_scope", line.origin_country, line.us_content_pct, country, on)
            scope = ctx.data.remembered(key, partial(ear_scope, line, country, ctx.data, on))
            if scope.exceeded is None:
                continue
            eccn = f" under ECCN {line.eccn}" if line.eccn else ""
            reasons.append(Reason(
                code=ReasonCode.DE_MINIMIS_EXCEEDED, severity=Severity.hold, party_role="line",
                detail=(f"Line '{line.sku}' {to} is {scope.why} ({scope.exceeded.source}), so it is subject to "
                        f"the EAR and needs a licence determination{eccn}."),
            ))
            break  # one reason per line: the first destination that exceeds
    return reasons
