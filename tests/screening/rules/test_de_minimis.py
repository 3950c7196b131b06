"""De minimis: foreign-made lines above the US-content threshold for their destination are
subject to the EAR (flagged, then licence-checked); at or under it they are not."""

from __future__ import annotations

import pytest

from schemas import Outcome, ReasonCode, Severity
from screening.rules import de_minimis, evaluate, licence
from tests.screening.rules.events import WHEN, codes, context, line, order, shipment


@pytest.mark.parametrize(("ship_to", "origin", "pct", "flagged"), [
    ("VN", "CN", 30, True),
    ("VN", "CN", 20, False),
    ("VN", "CN", 25, False),     # at the threshold: not above it
    ("VN", "CN", 25.5, True),
    ("IR", "CN", 15, True),      # E:1: 10%
    ("IR", "CN", 10, False),
    ("CU", "MX", 12, True),      # E:2: 10%
    ("DE", "CN", 15, False),
    ("DE", "US", 100, False),    # US-made: not a de minimis question
    ("SD", "CN", 15, True),      # E:1 on 2018-05-01 (until 2020-12-13)
])
def test_de_minimis_by_destination(ship_to: str, origin: str, pct: float, flagged: bool) -> None:
    reasons = de_minimis.check(order(ship_to, [line("PHONE-1", origin=origin, us_pct=pct)]), context(), WHEN)
    assert codes(reasons) == (["DE_MINIMIS_EXCEEDED"] if flagged else [])
    if flagged:
        [reason] = reasons
        assert reason.severity is Severity.hold
        assert "'PHONE-1'" in reason.detail and ship_to in reason.detail and "734.4" in reason.detail


def test_a_flagged_line_is_then_licence_checked() -> None:
    event = order("VN", [line("PHONE-1", eccn="5A002", origin="CN", us_pct=30)])
    [reason] = licence.check(event, context(), WHEN)
    assert reason.code is ReasonCode.LICENSE_REQUIRED and "NS1" in reason.detail
    assert "above the 25% de minimis level" in reason.detail


def test_a_line_under_de_minimis_is_not_subject_to_the_ear() -> None:
    event = order("VN", [line("PHONE-1", eccn="5A002", origin="CN", us_pct=20)])
    assert licence.check(event, context(), WHEN) == []


def test_chinese_phones_with_us_content_to_iran_are_flagged_and_blocked() -> None:
    event = order("IR", [line("PHONE-1", eccn="5A992", origin="CN", us_pct=15)])
    result = evaluate(event, context(), WHEN)
    assert result.outcome is Outcome.BLOCK
    assert {"DE_MINIMIS_EXCEEDED", "EMBARGOED_DESTINATION", "LICENSE_REQUIRED"} <= {r.code.value for r in
                                                                                  result.reasons}


def test_foreign_made_with_no_us_content_share_is_licence_checked_as_subject() -> None:
    [reason] = licence.check(order("CN", [line("FPGA-1", eccn="3A001.b.2", origin="TW")]), context(), WHEN)
    assert "no US content share given" in reason.detail


def test_shipment_lines_use_the_final_leg() -> None:
    event = shipment([("CN", "AE"), ("AE", "IR")], lines=[line("PHONE-1", origin="CN", us_pct=15)])
    [reason] = de_minimis.check(event, context(), WHEN)
    assert "to IR" in reason.detail and "10%" in reason.detail


def test_an_end_user_in_an_e1_country_sets_the_threshold() -> None:
    end_user = {"role": "end_user", "name": "Pars Trading", "address": {"country": "IR"}}
    event = order("VN", [line("PHONE-1", origin="CN", us_pct=15)])
    event = event.model_copy(update={"parties": [*event.parties, order(buyer=end_user).parties[0]]})
    [reason] = de_minimis.check(event, context(), WHEN)
    assert "to IR (end user 'Pars Trading')" in reason.detail and "10%" in reason.detail
