"""Screening rules, given events and list state, expect these reasons and outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from schemas import EntryKind, ListEntry, OrderEvent, Outcome, ReasonCode, Severity, ShipmentEvent
from screening.demo_list import demo_entries
from screening.liststate import ListState
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules import RULES, RULES_BY_NAME, outcome_of, rules_named
from screening.rules.base import Screening
from screening.rules.embargo import transit_reasons
from screening.screener import Screener

NOW = datetime(2018, 5, 1, 9, 0, tzinfo=UTC)
POLICY = ScreeningPolicy()


def screen_order(event: OrderEvent, state: ListState, policy: ScreeningPolicy, now: datetime) -> Screening:
    return Screener(state, policy).screen(event, now)


screen_shipment = screen_order


def state_with(*entries: ListEntry, at: datetime = NOW) -> ListState:
    state = ListState()
    for e in entries:
        state.apply(e.key, e, at)
    return state


def sdn(source_id: str, name: str, kind: EntryKind = EntryKind.organization, **extra: Any) -> ListEntry:
    return ListEntry(list_code="SDN", source_id=source_id, kind=kind, name=name, source_version="t", **extra)


LISTS = state_with(
    sdn("306", "BANCO NACIONAL DE CUBA", aliases=["BNC"]),
    sdn("900", "PYONGYANG TRADING CORPORATION"),
    *demo_entries(),
)


def order(*parties: tuple[str, str, str | None], ship_to: str = "DE", when: datetime = NOW) -> OrderEvent:
    return OrderEvent.model_validate({
        "event_id": "e1", "type": "order.created", "order_id": "SO-1", "occurred_at": when.isoformat(),
        "parties": [{"role": role, "name": name, "address": {"country": country} if country else None}
                    for role, name, country in parties],
        "ship_to": {"country": ship_to}, "lines": [],
    })


def shipment(legs: list[tuple[str, str]], consignee_country: str = "RU") -> ShipmentEvent:
    return ShipmentEvent.model_validate({
        "event_id": "e2", "type": "shipment.booked", "shipment_id": "SH-1", "occurred_at": NOW.isoformat(),
        "mode": "sea",
        "parties": [{"role": "consignee", "name": "Harbour Supply", "address": {"country": consignee_country}}],
        "legs": [{"from": a, "to": b} for a, b in legs],
    })


def codes(screening: Any) -> list[str]:
    return sorted(r.code.value for r in screening.reasons)


CLEAN_BUYER = ("buyer", "Nordlicht Automation GmbH", "DE")


@pytest.mark.parametrize(("ship_to", "buyer_country", "outcome", "expected"), [
    ("DE", "DE", Outcome.CLEAR, []),
    ("IR", "DE", Outcome.BLOCK, ["EMBARGOED_DESTINATION"]),
    ("KP", "KP", Outcome.BLOCK, ["EMBARGOED_DESTINATION", "EMBARGOED_DESTINATION"]),
    ("AE", "SY", Outcome.BLOCK, ["EMBARGOED_DESTINATION"]),
    ("CU", "DE", Outcome.BLOCK, ["EMBARGOED_DESTINATION"]),
    ("HK", "CN", Outcome.CLEAR, []),
])
def test_embargoed_destinations(ship_to: str, buyer_country: str, outcome: Outcome, expected: list[str]) -> None:
    result = screen_order(order(("buyer", "Nordlicht Automation GmbH", buyer_country), ship_to=ship_to),
                          LISTS, POLICY, NOW)
    assert result.outcome is outcome
    assert codes(result) == expected


def test_configured_embargoes_add_to_the_dated_programmes() -> None:
    policy = ScreeningPolicy(embargoed_countries=frozenset({"RU"}))
    assert screen_order(order(CLEAN_BUYER, ship_to="RU"), LISTS, policy, NOW).outcome is Outcome.BLOCK
    assert screen_order(order(CLEAN_BUYER, ship_to="IR"), LISTS, policy, NOW).outcome is Outcome.BLOCK
    assert screen_order(order(CLEAN_BUYER, ship_to="RU"), LISTS, POLICY, NOW).outcome is Outcome.CLEAR


@pytest.mark.parametrize(("legs", "expected"), [
    ([("US", "HK"), ("HK", "AE")], []),
    ([("CN", "KP"), ("KP", "RU")], ["EMBARGOED_TRANSIT"]),
    ([("US", "HK"), ("HK", "AE"), ("AE", "IR")], ["EMBARGOED_DESTINATION"]),
    ([("SY", "TR")], ["EMBARGOED_TRANSIT"]),
    ([("US", "CU"), ("CU", "VE"), ("VE", "IR")], ["EMBARGOED_DESTINATION", "EMBARGOED_TRANSIT"]),
])
def test_route_legs(legs: list[tuple[str, str]], expected: list[str]) -> None:
    reasons = transit_reasons(legs, RuleData.packaged(), POLICY, NOW.date())
    assert sorted(r.code.value for r in reasons) == expected


def test_shipment_through_north_korea_blocks_as_transit() -> None:
    result = screen_shipment(shipment([("CN", "KP"), ("KP", "RU")]), LISTS, POLICY, NOW)
    assert result.outcome is Outcome.BLOCK
    assert codes(result) == ["EMBARGOED_TRANSIT"]
    assert "KP" in result.reasons[0].detail


def test_exact_sdn_name_is_a_restricted_party_with_match_details() -> None:
    result = screen_order(order(("buyer", "Banco Nacional de Cuba", "PA"), ship_to="PA"), LISTS, POLICY, NOW)
    hits = [r for r in result.reasons if r.code is ReasonCode.RESTRICTED_PARTY]
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.list_code, hit.source_id, hit.matched_name) == ("SDN", "306", "BANCO NACIONAL DE CUBA")
    assert hit.party_role == "buyer" and hit.score is not None and hit.score >= 0.9
    assert hit.severity is Severity.block and result.outcome is Outcome.BLOCK


def test_entity_list_hit_holds_and_quotes_the_licence_requirement() -> None:
    result = screen_order(order(("end_user", "Beijing 8 Star International Co Ltd", "CN"), ship_to="HK"),
                          LISTS, POLICY, NOW)
    assert result.outcome is Outcome.HOLD
    [reason] = result.reasons
    assert reason.code is ReasonCode.ENTITY_LIST and reason.list_code == "EL"
    assert reason.matched_name == "Beijing 8-Star International Co."
    assert "licence requirement" in reason.detail.lower()


@pytest.mark.parametrize(("when", "listed"), [
    (datetime(2018, 5, 1, tzinfo=UTC), True),    # under the 2018 Denial Order
    (datetime(2018, 8, 1, tzinfo=UTC), False),   # order terminated 2018-07-13
    (datetime(2016, 6, 1, tzinfo=UTC), True),    # Entity List since 2016-03-08
    (datetime(2015, 6, 1, tzinfo=UTC), False),   # before any listing
])
def test_listings_apply_only_while_in_force(when: datetime, listed: bool) -> None:
    # The event's own date decides which listings apply; `now` only decides list freshness.
    result = screen_order(order(("buyer", "ZTE Corporation", "CN"), ship_to="CN", when=when), LISTS, POLICY, NOW)
    assert bool(result.reasons) is listed, result.reasons
    if when.date() == date(2018, 5, 1):
        # A Denial Order in force blocks: DPL is a prohibition, not a licence requirement.
        assert {r.list_code for r in result.reasons} == {"DPL"}
        assert result.outcome is Outcome.BLOCK


def test_every_party_and_the_payer_are_screened() -> None:
    event = order(CLEAN_BUYER, ("end_user", "Pyongyang Trading Corporation", None))
    result = screen_order(event, LISTS, POLICY, NOW)
    assert [r.party_role for r in result.reasons] == ["end_user"]


def test_no_list_state_holds_everything_with_lists_unavailable() -> None:
    result = screen_order(order(CLEAN_BUYER), ListState(), POLICY, NOW)
    assert result.outcome is Outcome.HOLD
    assert codes(result) == ["LISTS_UNAVAILABLE"]
    assert result.lists_version == "none"


def test_embargo_still_blocks_when_lists_are_unavailable() -> None:
    result = screen_order(order(CLEAN_BUYER, ship_to="IR"), ListState(), POLICY, NOW)
    assert result.outcome is Outcome.BLOCK
    assert codes(result) == ["EMBARGOED_DESTINATION", "LISTS_UNAVAILABLE"]


def test_outcome_is_the_most_severe_reason() -> None:
    assert outcome_of([]) is Outcome.CLEAR


def test_a_person_matching_a_listed_company_name_is_held_not_blocked() -> None:
    def with_kind(kind: str) -> OrderEvent:
        event = order(("buyer", "Banco Nacional de Cuba", "PA"), ship_to="PA").model_dump(by_alias=True)
        event["parties"][0]["kind"] = kind
        return OrderEvent.model_validate(event)

    assert screen_order(with_kind("organization"), LISTS, POLICY, NOW).outcome is Outcome.BLOCK
    person = screen_order(with_kind("person"), LISTS, POLICY, NOW)
    assert person.outcome in (Outcome.HOLD, Outcome.CLEAR)
    assert all(r.severity is not Severity.block for r in person.reasons)


def test_rules_are_chosen_by_name_in_registry_order() -> None:
    assert tuple(RULES_BY_NAME.values()) == RULES
    chosen = rules_named(["restricted_party", "lists_available", "embargo_destinations"])
    assert chosen == (RULES_BY_NAME["embargo_destinations"], RULES_BY_NAME["lists_available"],
                      RULES_BY_NAME["restricted_party"])
    with pytest.raises(ValueError, match="unknown rule name"):
        rules_named(["lists_available", "no_such_rule"])
    with pytest.raises(ValueError, match="lists_available cannot be left out"):
        rules_named(["restricted_party"])
