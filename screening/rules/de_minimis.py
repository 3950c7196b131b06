"""De minimis (15 CFR 734.4): a foreign-made line whose US controlled content is above
the threshold for its destination (25%, or 10% for Country Groups E:1 and E:2) is
subject to the EAR, so it is held and the licence rule judges it like a US item."""

from __future__ import annotations

from datetime import datetime

from schemas import Reason, ReasonCode, Severity
from screening.rules.base import Subject
from screening.rules.context import RuleContext
from screening.rules.exports import destination_of, ear_scope, event_date, lines_of


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    on = event_date(subject)
    destination = destination_of(subject)
    country = destination.country if destination is not None else None
    reasons = []
    for line in lines_of(subject):
        if line.origin_country in (None, "US") or line.us_content_pct is None:
            continue
        scope = ear_scope(line, country, ctx.data, on)
        if scope.exceeded is None:
            continue
        rule = scope.exceeded
        to = f"to {country}" if country else "to an unknown destination (the strictest threshold applied)"
        reasons.append(Reason(
            code=ReasonCode.DE_MINIMIS_EXCEEDED, severity=Severity.hold, party_role="line",
            detail=(f"Line '{line.sku}' {to} is {scope.why} ({rule.source}), so it is subject to the EAR and "
                    f"needs a licence determination{' under ECCN ' + line.eccn if line.eccn else ''}."),
        ))
    return reasons
