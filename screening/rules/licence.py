"""Licence determination (15 CFR 738.4): for each line subject to the EAR that gives an
ECCN, its reasons for control against the destination's Commerce Country Chart row. A
licence is needed where a column of the ECCN is marked for the destination, for every
listed item to Russia and Belarus since 2022, and for every item (EAR99 included) to an
embargoed destination, which blocks. A licence named on the order and found in the
register meets the need when its number, ECCN, country and dates all match.

Licence exceptions (LVS, GBS, ENC, STA, ...) are not evaluated: a line they would cover
is held for a reviewer to apply them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from schemas import Line, OrderEvent, Reason, ReasonCode, Severity
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.ruledata.model import ChartRow, EccnControl, EccnEntry
from screening.rules.base import Subject
from screening.rules.context import RuleContext, SubjectView
from screening.rules.embargo import country_embargo, embargoed_destination
from screening.rules.exports import (
    Destination,
    EarScope,
    Eccn,
    ear_scope,
    parse_eccn,
)


def _line_name(line: Line, eccn: str, scope: EarScope) -> str:
    made = f", {scope.why}" if scope.why else ""
    return f"Line '{line.sku}' (ECCN {eccn}{made})"


def required_controls(entry: EccnEntry, eccn: Eccn, country: str, row: ChartRow, data: RuleData,
                      on: date) -> list[str]:
    """The reasons for control of `entry` that need a licence to `country`, each as a
    reviewer reads it: "NS2 (Country Chart column marked for CN)"."""
    found = []
    for control in entry.controls:
        if not control.covers_paragraph(eccn.paragraph):
            continue
        why = _control_applies(control, country, row, data, on)
        if why is None:
            continue
        if control.paragraphs and eccn.paragraph is None:
            # The line names no paragraph: the item may or may not be in the controlled ones.
            why += f"; applies if the item is {' or '.join(control.paragraphs)}"
        elif control.applies_to and control.column is not None:
            why += f"; {control.applies_to}"
        found.append(f"{control.label} ({why})")
    return found


def _control_applies(control: EccnControl, country: str, row: ChartRow, data: RuleData, on: date) -> str | None:
    if control.column is not None:
        return f"Country Chart column marked for {country}" if control.column in row.controls else None
    if country in control.countries:
        return f"{country} named in the entry"
    groups = data.in_groups(country, control.country_groups, on)
    if groups and not data.in_groups(country, control.except_groups, on):
        return f"{country} in Country Group {', '.join(groups)}"
    return None


def licence_check(numbers: list[str], eccn: str, country: str, data: RuleData, on: date) -> tuple[str | None, str]:
    """(the number of a licence that meets the need, or None; what checking each said)."""
    if not numbers:
        return None, "no licence is named on the order"
    said = []
    for number in numbers:
        held = data.licences_numbered(number)
        if not held:
            said.append(f"licence {number} is not in the licence register")
            continue
        for licence in held:
            if eccn not in licence.eccns:
                said.append(f"licence {number} covers ECCN {', '.join(licence.eccns)}, not {eccn}")
            elif country not in licence.countries:
                said.append(f"licence {number} is for {', '.join(licence.countries)}, not {country}")
            elif not licence.valid_on(on):
                state = "expired on" if on > licence.valid_to else "not valid before"
                when = licence.valid_to if on > licence.valid_to else licence.valid_from
                said.append(f"licence {number} {state} {when}")
            else:
                return number, f"licence {number} (valid {licence.valid_from} to {licence.valid_to}) covers it"
    return None, "; ".join(said)


@dataclass(frozen=True)
class LineVerdict:
    """One licence reason of a line, whatever the destination is called in the detail
    (its country code, or "IR (end user 'Arya Tech')"): the detail is `head`, the
    destination's label, then `tail`; `head` alone when `tail` is None. So one verdict
    serves every order of the same goods to the same place, whoever its end user is."""

    severity: Severity
    head: str
    tail: str | None = None

    def reason(self, to: str) -> Reason:
        detail = self.head if self.tail is None else f"{self.head}{to}{self.tail}"
        return Reason(code=ReasonCode.LICENSE_REQUIRED, severity=self.severity, party_role="line", detail=detail)


def line_verdicts(line: Line, destination_country: str | None, embargoed: str | None, licences: list[str],
                  data: RuleData, on: date) -> list[LineVerdict]:
    """The licence reasons of one line for one destination, [] when it needs no licence."""
    if not line.eccn:
        return []
    scope = ear_scope(line, destination_country, data, on)
    if not scope.subject:
        return []  # foreign-made at or under de minimis: not subject to the EAR
    eccn = parse_eccn(line.eccn)
    if eccn is None:
        return [LineVerdict(Severity.hold, f"{_line_name(line, line.eccn, scope)} gives no valid ECCN: the "
                                           "classification needs a reviewer before it ships.")]
    name = _line_name(line, line.eccn.strip(), scope)
    if embargoed is not None:
        return [LineVerdict(Severity.block, f"{name} goes to ",
                            f", {embargoed}, where every item subject to the EAR needs a licence "
                            "(15 CFR Part 746): blocked.")]
    if destination_country is None:
        return [LineVerdict(Severity.hold, f"{name} has no known destination, so its licence need cannot be "
                                           "judged.")]
    if destination_country == "US":
        return []  # not an export
    entry = data.eccn(eccn.code, on)
    if entry is None:
        what = (f"is not in force on {on} in the rule data" if data.eccn_known(eccn.code)
                else "is not known to the rule data")
        return [LineVerdict(Severity.hold, f"{name} to ", f": ECCN {eccn.code} {what}, so the licence need is for "
                                                          "a reviewer to determine.")]
    if eccn.code == "EAR99":
        return []
    row = data.chart_row(destination_country, on)
    if row is None:
        return [LineVerdict(Severity.hold, f"{name} to ",
                            f": the rule data has no Commerce Country Chart row for {destination_country} on {on}, "
                            "so the licence need is for a reviewer to determine.")]
    needs = required_controls(entry, eccn, destination_country, row, data, on)
    if not needs and not row.all_listed_items:
        return []
    found, checked = licence_check(licences, eccn.code, destination_country, data, on)
    if needs:
        tail = f" needs a licence, reason for control {'; '.join(needs)}, per {entry.source}; {checked}."
    else:
        tail = (" needs a licence, as every item on the Commerce Control List does whatever its reasons for "
                f"control ({row.source}); {checked}.")
    return [LineVerdict(Severity.info if found is not None else Severity.hold, f"{name} to ", tail)]


def line_reasons(line: Line, destination_country: str | None, embargoed: str | None, licences: list[str],
                 data: RuleData, on: date, to: str | None = None) -> list[Reason]:
    """The licence reasons of one line for one destination, [] when it needs no licence.
    `to` is how the detail names the destination (default: its country code)."""
    to = to or destination_country or ""
    return [v.reason(to) for v in line_verdicts(line, destination_country, embargoed, licences, data, on)]


def _embargo_named(destination: Destination, data: RuleData, policy: ScreeningPolicy, on: date) -> str | None:
    """"under the Iran embargo in force on ..." for an embargoed destination, else None."""
    if not embargoed_destination(destination.address, data, policy, on):
        return None
    regional = data.embargo_on_address(destination.address, on)
    if regional:
        return f"in the {regional[0].programme.name}, under a comprehensive embargo"
    return f"under {country_embargo(destination.country, data, policy, on)}"


def _verdicts(view: SubjectView, destination: Destination, place: tuple[object, ...], licences: list[str],
              data: RuleData, policy: ScreeningPolicy) -> tuple[tuple[LineVerdict, ...], list[Reason]]:
    """The verdicts of every line for one destination, and their reasons when the detail
    names the destination by its country code alone (a ship-to: the common case). Each
    line's verdicts are remembered too: another order may mix the same items differently."""
    on = view.on
    embargoed = _embargo_named(destination, data, policy, on)
    verdicts = tuple(v for line, goods in zip(view.lines, view.goods, strict=True)
                     for v in data.remembered(("licence line", goods, *place),
                                              partial(line_verdicts, line, destination.country, embargoed, licences,
                                                      data, on)))
    return verdicts, [v.reason(destination.country or "") for v in verdicts]


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    view = ctx.view(subject)
    if not view.lines:
        return []
    licences = list(subject.licenses or []) if isinstance(subject, OrderEvent) else []
    on = view.on
    if not view.destinations:
        return [r for line in view.lines for r in line_reasons(line, None, None, licences, ctx.data, on)]
    reasons = []
    for destination in view.destinations:
        a = destination.address
        # Everything the verdicts depend on: the goods, the place (a covered region is
        # told by region or city), the configured embargoes, the licences named, the date.
        place = (a.country, a.region, a.city, ctx.policy.embargoed_countries, tuple(licences), on)
        verdicts, by_country = ctx.data.remembered(("licence", view.goods, *place),
                                                   partial(_verdicts, view, destination, place, licences, ctx.data,
                                                           ctx.policy))
        if destination.label == a.country:
            reasons += by_country
        else:
            reasons += [v.reason(destination.label) for v in verdicts]
    return reasons
