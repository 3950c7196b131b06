"""OWNERSHIP: aggregate ownership by listed parties, direct and through chains, dated for
the Entity List."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas import Outcome, OwnershipLink, ReasonCode, Severity
from screening.facts import StreamFacts
from screening.ruledata import RedFlagThresholds, RuleData
from screening.rules import ownership
from tests.screening.rules.builders import Stream, entry, list_state, of_code, order, party, run

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
SDN_A = entry("SDN", "41001", "ARYA SHIPPING AND TRADING COMPANY", programs=["IRAN"])
SDN_B = entry("SDN", "41002", "NEGIN SEPEHR ELECTRONICS", programs=["IRAN"])
EL_C = entry("EL", "el-77", "Shenzhen Huaxin Microelectronics Co., Ltd.")
LISTS = list_state(SDN_A, SDN_B, EL_C)
TARGET = party("consignee", "Hengda Telecom Trading Ltd", "HK")
BUYER = party("buyer", "Nordlicht Automation GmbH", "DE")


def link(owner: str | None, owned: str, percent: float, *, owner_name: str | None = None,
         owned_country: str | None = "HK", **extra: Any) -> OwnershipLink:
    who: dict[str, Any] = {"name": owner_name or owner or "?"}
    if owner and ":" in owner:
        who = {"name": owner_name or owner, "list_key": owner}
    return OwnershipLink.model_validate({
        "owner": who, "owned": {"name": owned, **({"country": owned_country} if owned_country else {}), **extra},
        "percent": percent, "source": "HK Companies Registry extract", "as_of": "2024-01-15"})


def facts_with(*links: OwnershipLink) -> StreamFacts:
    facts = StreamFacts()
    for i, one in enumerate(links):
        facts.apply_link(f"L{i + 1}", one)
    return facts


def screened(*links: OwnershipLink, when: datetime = WHEN, data: RuleData | None = None,
             target: dict[str, Any] = TARGET) -> list[Any]:
    event = order(BUYER, target, ship_to="HK", when=when)
    return run(ownership.check, event, facts_with(*links), LISTS, data)


def test_zte_story_55_percent_by_two_sdn_entries_blocks_with_both_links() -> None:
    [reason] = screened(link(SDN_A.key, "Hengda Telecom Trading Ltd", 30),
                        link(SDN_B.key, "Hengda Telecom Trading Limited", 25))
    assert reason.code is ReasonCode.OWNERSHIP and reason.severity is Severity.block
    assert reason.party_role == "consignee" and reason.list_code == "SDN"
    assert "owned 55% in aggregate by listed parties" in reason.detail
    assert f"30% by 'ARYA SHIPPING AND TRADING COMPANY' ({SDN_A.key}, OFAC SDN List" in reason.detail
    assert f"25% by 'NEGIN SEPEHR ELECTRONICS' ({SDN_B.key}" in reason.detail
    assert "[link L1: HK Companies Registry extract, as of 2024-01-15]" in reason.detail


@pytest.mark.parametrize("links", [
    # 45% in aggregate.
    [link(SDN_A.key, "Hengda Telecom Trading Ltd", 30), link(SDN_B.key, "Hengda Telecom Trading Ltd", 15)],
    # 30% listed, 25% by an unlisted owner.
    [link(SDN_A.key, "Hengda Telecom Trading Ltd", 30), link(None, "Hengda Telecom Trading Ltd", 25,
                                                            owner_name="Lucky Star Investments Ltd")],
    # The same owner documented twice counts once.
    [link(SDN_A.key, "Hengda Telecom Trading Ltd", 30), link(SDN_A.key, "Hengda Telecom Trading Ltd", 30)],
    # Another company of a similar name, or of the same name in another country.
    [link(SDN_A.key, "Hengda Textile Trading Ltd", 60)],
    [link(SDN_A.key, "Hengda Telecom Trading Ltd", 60, owned_country="SG")],
])
def test_clean_counterparts(links: list[OwnershipLink]) -> None:
    assert screened(*links) == []


def test_an_owner_given_by_name_is_matched_against_the_lists() -> None:
    [reason] = screened(link(None, "Hengda Telecom Trading Ltd", 50, owner_name="Arya Shipping & Trading Co."))
    assert reason.severity is Severity.block
    assert "name matched to 'ARYA SHIPPING AND TRADING COMPANY'" in reason.detail
    assert screened(link(None, "Hengda Telecom Trading Ltd", 50, owner_name="Arya Logistics Partners")) == []


def test_the_owned_party_is_also_found_by_identifier() -> None:
    target = party("consignee", "HENGDA TELECOM (HK)", "HK", ids={"vat": "6123-4567"})
    assert screened(link(SDN_A.key, "Hengda Telecom Trading Ltd", 51, ids={"br_no": "61234567"}), target=target)
    assert screened(link(SDN_A.key, "Hengda Telecom Trading Ltd", 51, ids={"br_no": "61234999"}),
                    target=target) == []


def test_an_indirect_chain_counts_a_majority_owned_owner_as_listed() -> None:
    holding = "Pearl River Holdings Ltd"
    [reason] = screened(link(SDN_A.key, holding, 60), link(None, "Hengda Telecom Trading Ltd", 50, owner_name=holding))
    assert reason.severity is Severity.block
    assert f"50% by '{holding}', itself owned 60% by listed parties (60% by 'ARYA SHIPPING" in reason.detail
    # Clean counterpart: 40% of the holding is not control; shares are not multiplied either.
    assert screened(link(SDN_A.key, holding, 40), link(None, "Hengda Telecom Trading Ltd", 100,
                                                        owner_name=holding)) == []


def chain(levels: int) -> list[OwnershipLink]:
    names = [f"Layer {n} Holdings Ltd" for n in range(levels)]
    links = [link(SDN_A.key, names[0], 100)]
    links += [link(None, names[n + 1], 100, owner_name=names[n]) for n in range(levels - 1)]
    links.append(link(None, "Hengda Telecom Trading Ltd", 100, owner_name=names[-1]))
    return links


def test_chains_are_followed_to_the_configured_depth() -> None:
    # Three holding layers: four links from the listed owner to the consignee.
    assert screened(*chain(3))
    assert screened(*chain(4)) == []
    deeper = RuleData(red_flags=RedFlagThresholds(ownership_max_depth=5))
    assert screened(*chain(4), data=deeper)


def test_a_cycle_of_unlisted_owners_ends() -> None:
    links = [link(None, "Hengda Telecom Trading Ltd", 60, owner_name="Circle A Ltd"),
             link(None, "Circle A Ltd", 60, owner_name="Circle B Ltd", owned_country=None),
             link(None, "Circle B Ltd", 60, owner_name="Circle A Ltd", owned_country=None)]
    assert screened(*links) == []


@pytest.mark.parametrize(("when", "held"), [
    (datetime(2025, 9, 1, tzinfo=UTC), False),    # before the Affiliates Rule
    (datetime(2025, 10, 15, tzinfo=UTC), True),   # in force from 2025-09-29
    (datetime(2026, 3, 1, tzinfo=UTC), False),    # suspended 2025-11-10 to 2026-11-09
    (datetime(2026, 12, 1, tzinfo=UTC), True),    # suspension over
])
def test_entity_list_owners_count_only_while_the_affiliates_rule_is_in_force(when: datetime, held: bool) -> None:
    reasons = screened(link(EL_C.key, "Hengda Telecom Trading Ltd", 50), when=when)
    assert bool(reasons) is held
    if held:
        [reason] = reasons
        assert reason.severity is Severity.hold and reason.list_code == "EL"
        assert "BIS Affiliates Rule" in reason.detail and "listed (licence required)" in reason.detail


def test_sdn_and_entity_list_owners_add_up_to_a_hold() -> None:
    links = [link(SDN_A.key, "Hengda Telecom Trading Ltd", 30), link(EL_C.key, "Hengda Telecom Trading Ltd", 25)]
    [reason] = screened(*links, when=datetime(2025, 10, 15, tzinfo=UTC))
    assert reason.severity is Severity.hold and "55%" in reason.detail
    assert screened(*links, when=datetime(2026, 3, 1, tzinfo=UTC)) == []


def test_a_removed_link_no_longer_counts_and_the_decision_blocks_through_the_registry() -> None:
    stream = Stream(lists=LISTS)
    stream.facts.apply_link("L1", link(SDN_A.key, "Hengda Telecom Trading Ltd", 30))
    stream.facts.apply_link("L2", link(SDN_B.key, "Hengda Telecom Trading Ltd", 25))
    decision = stream.screen(order(BUYER, TARGET, ship_to="HK", when=WHEN))
    assert decision.outcome is Outcome.BLOCK and of_code(decision.reasons, ReasonCode.OWNERSHIP)
    # The blocked consignee is remembered as a flagged party.
    assert stream.facts.counts()["flagged"] == 1
    stream.facts.apply_link("L2", None)
    stream.facts.apply_link("L2", None)
    clean = stream.screen(order(BUYER, TARGET, ship_to="HK", when=WHEN, event_id="o-2", order_id="SO-2"))
    assert clean.outcome is Outcome.CLEAR, clean.reasons
