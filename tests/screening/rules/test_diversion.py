"""DIVERSION: shipments against their orders, amendments after a decision, third-party
and cash payment. Each flagged case has a clean counterpart that must clear."""

from __future__ import annotations

from typing import Any

import pytest

from schemas import Outcome, ReasonCode, Severity
from screening.facts import StreamFacts
from screening.rules import diversion
from tests.screening.rules.builders import DAY, NOW, Stream, line, of_code, order, party, run, shipment

BUYER = party("buyer", "Nordlicht Automation GmbH", "DE")
CONSIGNEE = party("consignee", "Nordlicht Automation GmbH", "DE")
END_USER = party("end_user", "Stadtwerke Kiel AG", "DE")


def ordered(*parties: dict[str, Any], ship_to: str = "DE") -> StreamFacts:
    """Facts after order SO-1 was decided CLEAR."""
    stream = Stream()
    assert stream.screen(order(*parties, ship_to=ship_to, when=NOW - DAY)).outcome is Outcome.CLEAR
    return stream.facts


@pytest.mark.parametrize(("shipment_parties", "legs", "expected"), [
    # Same consignee, legal form written differently, route ends in the ship-to country.
    ([party("consignee", "NORDLICHT AUTOMATION", "DE")], [("US", "NL"), ("NL", "DE")], []),
    ([CONSIGNEE, END_USER], [("US", "DE")], []),
    # No route given: the consignee's country is the destination.
    ([CONSIGNEE], [], []),
    # Another consignee.
    ([party("consignee", "Golden Bridge Trading LLC", "DE")], [("US", "DE")], ["consignee"]),
    # Route ends elsewhere.
    ([CONSIGNEE], [("US", "NL"), ("NL", "HK")], ["route"]),
    # No route, consignee abroad.
    ([party("consignee", "Nordlicht Automation GmbH", "AE")], [], ["route"]),
    # An end user the order never named.
    ([CONSIGNEE, party("end_user", "Pars Tech Co", "DE")], [("US", "DE")], ["end_user"]),
    # An end user other than the order's.
    ([CONSIGNEE, party("end_user", "Hafen Logistik AG", "DE")], [("US", "DE")], ["end_user"]),
])
def test_shipment_against_its_order(shipment_parties: list[dict[str, Any]], legs: list[tuple[str, str]],
                                    expected: list[str]) -> None:
    facts = ordered(BUYER, CONSIGNEE, END_USER)
    reasons = run(diversion.check, shipment(*shipment_parties, legs=legs), facts)
    assert sorted(r.party_role or "" for r in reasons) == expected
    assert all(r.code is ReasonCode.DIVERSION and r.severity is Severity.hold for r in reasons)


def test_order_without_consignee_accepts_its_buyer_as_consignee() -> None:
    facts = ordered(BUYER)
    assert run(diversion.check, shipment(CONSIGNEE, legs=[("US", "DE")]), facts) == []
    [reason] = run(diversion.check, shipment(party("consignee", "Baltic Re-Export OU", "DE")), facts)
    assert "is not a party named on order SO-1" in reason.detail and "Nordlicht Automation GmbH" in reason.detail


@pytest.mark.parametrize("order_id", ["SO-404", None])
def test_a_shipment_without_a_known_order_is_not_this_rules_business(order_id: str | None) -> None:
    facts = ordered(BUYER, CONSIGNEE)
    event = shipment(party("consignee", "Anyone Else Ltd", "HK"), order_id=order_id, legs=[("US", "HK")])
    assert run(diversion.check, event, facts) == []
    # The worker asks this before screening, to hold the shipment pending its order.
    assert facts.awaits_order(event) is (order_id is not None)
    assert facts.awaits_order(shipment(CONSIGNEE)) is False


def test_zte_story_shipment_diverted_from_its_orders_consignee() -> None:
    """The order says a Hong Kong handset distributor; the shipment goes on to a Dubai
    trader instead."""
    stream = Stream()
    hk = party("consignee", "Pacific Handsets Distribution Ltd", "HK")
    first = stream.screen(order(party("buyer", "Pacific Handsets Distribution Ltd", "HK"), hk, ship_to="HK",
                                lines=[line(150, 400)], when=NOW - 3 * DAY))
    assert first.outcome is Outcome.CLEAR
    decision = stream.screen(shipment(party("consignee", "Golden Bridge General Trading LLC", "AE"),
                                      legs=[("CN", "HK"), ("HK", "AE")], mode="air"))
    assert decision.outcome is Outcome.HOLD
    diverted = of_code(decision.reasons, ReasonCode.DIVERSION)
    assert len(diverted) == 2
    by_role = {r.party_role: r.detail for r in diverted}
    assert "'Golden Bridge General Trading LLC' (AE)" in by_role["consignee"]
    assert "'Pacific Handsets Distribution Ltd' (HK)" in by_role["consignee"]
    assert "goes to AE" in by_role["route"] and "ships to HK" in by_role["route"]
    # Clean counterpart: the same goods to the ordered consignee clear.
    clean = stream.screen(shipment(hk, event_id="s-2", shipment_id="SH-2", legs=[("CN", "HK")], mode="air"))
    assert clean.outcome is Outcome.CLEAR, clean.reasons


# -- amendments ------------------------------------------------------------------------------


def test_amendment_re_pointing_a_decided_order_holds_with_old_and_new() -> None:
    stream = Stream()
    assert stream.screen(order(BUYER, CONSIGNEE, when=NOW - DAY)).outcome is Outcome.CLEAR
    amended = order(BUYER, party("consignee", "Golden Bridge Trading LLC", "HK"), event_id="o-2",
                    type="order.amended", ship_to={"line1": "88 Queen's Road Central", "country": "HK"})
    decision = stream.screen(amended)
    assert decision.outcome is Outcome.HOLD
    [reason] = of_code(decision.reasons, ReasonCode.DIVERSION)
    assert "amended after its decision (CLEAR" in reason.detail
    assert "ship-to DE -> 88 Queen's Road Central, HK" in reason.detail
    assert "consignee 'Nordlicht Automation GmbH' (DE) -> 'Golden Bridge Trading LLC' (HK)" in reason.detail
    # The order fact keeps the evidence, so a re-screen of the amendment (facts now
    # applied) gives the same reason, and a replayed amendment does not add it twice.
    again = run(diversion.check, amended, stream.facts)
    assert [r.detail for r in again] == [reason.detail]
    fact = stream.facts.order("SO-1")
    assert fact is not None and len(fact.amendments) == 1
    for f in stream.facts.facts_from(amended, decision, NOW):
        stream.facts.apply(f.key, f)
    fact = stream.facts.order("SO-1")
    assert fact is not None and len(fact.amendments) == 1
    # Later shipments are judged against the amended order.
    ok = shipment(party("consignee", "Golden Bridge Trading LLC", "HK"), legs=[("DE", "HK")], when=NOW + DAY)
    assert run(diversion.check, ok, stream.facts) == []


def test_amendment_of_quantities_only_clears() -> None:
    stream = Stream()
    stream.screen(order(BUYER, CONSIGNEE, lines=[line(100, 5)], when=NOW - DAY))
    decision = stream.screen(order(BUYER, CONSIGNEE, event_id="o-2", type="order.amended", lines=[line(100, 8)]))
    assert decision.outcome is Outcome.CLEAR, decision.reasons


def test_amendment_of_an_order_never_decided_here_is_not_a_change() -> None:
    event = order(BUYER, party("consignee", "Golden Bridge Trading LLC", "HK"), type="order.amended", ship_to="HK")
    assert run(diversion.check, event, StreamFacts()) == []


# -- payment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("payment", "lines", "fragment"), [
    # Third party abroad pays.
    ({"method": "wire", "payer": party("payer", "Sunrise Offshore Holdings Ltd", "AE")}, [line(500)],
     "Third-party payment: payer 'Sunrise Offshore Holdings Ltd' (AE)"),
    ({"method": "cash"}, [line(1200, 10)], "Payment by cash of 12,000.00 USD"),
    ({"method": "crypto"}, [line(15000)], "Payment by crypto of 15,000.00 USD"),
    ({"method": "cash"}, [line(9000, 1, "EUR")], "priced in EUR: its USD value cannot be checked"),
    # Clean counterparts.
    ({"method": "wire", "payer": party("payer", "NORDLICHT AUTOMATION", "DE")}, [line(500)], None),
    ({"method": "wire", "payer": party("payer", "Nordlicht Finance GmbH", "DE")}, [line(500)], None),
    ({"method": "wire", "payer": party("payer", "Stadtwerke Kiel AG", "AT")}, [line(500)], None),
    ({"method": "wire", "payer": party("payer", "Unknown Payer")}, [line(500)], None),
    ({"method": "cash"}, [line(1000, 10)], None),
    ({"method": "cash"}, [line(9000)], None),
    ({"method": "wire"}, [line(50000, 3)], None),
    ({"method": "letter_of_credit"}, [line(9000, 1, "EUR")], None),
])
def test_payment(payment: dict[str, Any], lines: list[dict[str, Any]], fragment: str | None) -> None:
    event = order(BUYER, CONSIGNEE, END_USER | {"address": {"country": "AT"}}, lines=lines, payment=payment)
    reasons = run(diversion.check, event)
    if fragment is None:
        assert reasons == []
    else:
        [reason] = reasons
        assert reason.code is ReasonCode.DIVERSION and reason.severity is Severity.hold
        assert fragment in reason.detail


def test_cash_above_the_limit_holds_the_order() -> None:
    decision = Stream().screen(order(BUYER, CONSIGNEE, lines=[line("5000.01", 2)], payment={"method": "cash"}))
    assert decision.outcome is Outcome.HOLD
    assert "10,000.02 USD" in decision.reasons[0].detail and "10,000.00 USD limit" in decision.reasons[0].detail
    clean = Stream().screen(order(BUYER, CONSIGNEE, lines=[line("5000", 2)], payment={"method": "cash"}))
    assert clean.outcome is Outcome.CLEAR


def test_a_cancelled_order_moves_no_money() -> None:
    event = order(BUYER, CONSIGNEE, type="order.cancelled", lines=[line(20000)], payment={"method": "cash"})
    assert run(diversion.check, event) == []
