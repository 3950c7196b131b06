"""StreamFacts: keyed, idempotent, rebuildable from a compacted topic, bounded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from schemas import Decision, Outcome, Party, Reason, ReasonCode, Severity, Subject, SubjectKind, Trigger
from screening.facts import ActivityFact, FlaggedParty, OrderFact, StreamFacts, parse_fact
from screening.partykeys import party_key
from screening.ruledata import RedFlagThresholds
from tests.screening.rules.builders import DAY, NOW, Stream, line, order, party, shipment

BUYER = party("buyer", "Nordlicht Automation GmbH", "DE")
CONSIGNEE = party("consignee", "Harbour Supply Ltd", "HK", address={"line1": "12 Wing Lok St", "city": "Hong Kong"},
                  phone="+852 2345 6789")


def decision(subject: Subject, outcome: Outcome = Outcome.CLEAR, *reasons: Reason) -> Decision:
    return Decision(decision_id=f"d-{subject.id}", event_id="e", subject=subject, trigger=Trigger.event,
                    outcome=outcome, reasons=list(reasons), lists_version="t", decided_at=NOW)


def test_an_order_gives_its_order_fact_and_consignee_activity() -> None:
    facts = StreamFacts()
    event = order(BUYER, CONSIGNEE, lines=[line(100, 3), line("0.5", 2)], ship_to="HK")
    made = facts.facts_from(event, decision(Subject(kind=SubjectKind.order, id="SO-1")), NOW)
    # One facts message per order: the order fact carries its consignee activity.
    [order_fact] = made
    assert isinstance(order_fact, OrderFact) and order_fact.outcome == "CLEAR"
    assert order_fact.destination == "HK"
    [activity] = order_fact.activity
    assert activity.key == "activity:HK|harbour supply:order:SO-1" and activity.value_usd == Decimal("301.0")
    facts.apply(order_fact.key, order_fact)
    assert facts.activity("HK|harbour supply", NOW - DAY) == [activity]
    # Without a consignee, the buyer is whose activity an order is.
    [buyer_order] = facts.facts_from(order(BUYER), decision(Subject(kind=SubjectKind.order, id="SO-1")), NOW)
    assert isinstance(buyer_order, OrderFact)
    assert [a.key for a in buyer_order.activity] == ["activity:HK|harbour supply:order:SO-1",
                                                     "activity:DE|nordlicht automation:order:SO-1"]


def test_an_order_amended_to_another_consignee_keeps_the_earlier_activity_until_its_window_ends() -> None:
    stream = Stream()
    stream.screen(order(BUYER, CONSIGNEE, when=NOW - 20 * DAY))
    stream.screen(order(BUYER, party("consignee", "Other Ltd", "HK"), event_id="o-2", type="order.amended",
                        ship_to="HK", when=NOW - DAY))
    fact = stream.facts.order("SO-1")
    assert fact is not None
    assert [a.key for a in fact.activity] == ["activity:HK|harbour supply:order:SO-1", "activity:HK|other:order:SO-1"]
    # 15 days on, the first consignee's activity has left the 30-day window: the order fact
    # is published again without it (no tombstone: it never had a key of its own).
    [(key, shorter)] = stream.facts.expiry(NOW + 15 * DAY)
    assert key == "order:SO-1" and isinstance(shorter, OrderFact)
    assert [a.key for a in shorter.activity] == ["activity:HK|other:order:SO-1"]
    stream.facts.apply(key, shorter)
    assert stream.facts.activity("HK|harbour supply", NOW - 60 * DAY) == []
    assert [a.key for a in stream.facts.activity("HK|other", NOW - 60 * DAY)] == ["activity:HK|other:order:SO-1"]
    # An activity fact written under its own key (before order facts carried theirs) still
    # applies, and expires by tombstone.
    legacy = ActivityFact(consignee="HK|legacy", consignee_name="Legacy Ltd", subject=Subject(
        kind=SubjectKind.order, id="SO-0"), order_id="SO-0", event_id="o-0", at=NOW - 40 * DAY)
    stream.facts.apply(legacy.key, legacy)
    assert (legacy.key, None) in stream.facts.expiry(NOW)


def test_a_shipments_activity_dates_from_its_first_event() -> None:
    stream = Stream()
    stream.screen(shipment(CONSIGNEE, order_id=None, mode="courier", declared_value="900", currency="USD",
                           when=NOW - DAY))
    stream.screen(shipment(CONSIGNEE, order_id=None, event_id="s-2", type="shipment.departed", mode="courier",
                           declared_value="900", currency="USD"))
    [activity] = stream.facts.activity(party_key("Harbour Supply Ltd", "HK"), NOW - 30 * DAY)
    assert (activity.event_id, activity.at, activity.value_usd) == ("s-1", NOW - DAY, Decimal(900))
    assert activity.hand_carried


@pytest.mark.parametrize(("declared", "currency", "lines", "value"), [
    ("900", "USD", None, Decimal(900)),
    ("900", "EUR", None, None),
    ("900", None, None, None),
    (None, None, [line(10, 3)], Decimal(30)),
    (None, None, [line(10, 3, "CNY")], None),
])
def test_shipment_value_in_usd(declared: str | None, currency: str | None, lines: list | None,
                               value: Decimal | None) -> None:
    event = shipment(CONSIGNEE, declared_value=declared, currency=currency, lines=lines)
    [activity] = StreamFacts().facts_from(event, decision(Subject(kind=SubjectKind.shipment, id="SH-1")), NOW)
    assert isinstance(activity, ActivityFact) and activity.value_usd == value


def test_a_party_held_for_a_list_match_is_remembered_with_its_contact_details() -> None:
    reason = Reason(code=ReasonCode.ENTITY_LIST, severity=Severity.hold, party_role="consignee",
                    party_name="Harbour Supply Ltd", list_code="EL", source_id="42", detail="hit")
    unrelated = Reason(code=ReasonCode.EMBARGOED_DESTINATION, severity=Severity.block, party_role="consignee",
                       party_name="Harbour Supply Ltd", detail="embargo")
    made = StreamFacts().facts_from(order(BUYER, CONSIGNEE), decision(
        Subject(kind=SubjectKind.order, id="SO-1"), Outcome.HOLD, reason, unrelated), NOW)
    [flagged] = [f for f in made if isinstance(f, FlaggedParty)]
    assert flagged.key == "flagged:HK|harbour supply"
    assert (flagged.matched, flagged.phone, flagged.outcome) == (["EL:42"], "+852 2345 6789", "HOLD")
    # A clear decision flags no one.
    made = StreamFacts().facts_from(order(BUYER, CONSIGNEE), decision(Subject(kind=SubjectKind.order, id="SO-1")),
                                    NOW)
    assert not [f for f in made if isinstance(f, FlaggedParty)]


def test_facts_round_trip_through_json_and_rebuild_the_same_view() -> None:
    stream = Stream()
    stream.screen(order(BUYER, CONSIGNEE, when=NOW - 2 * DAY, lines=[line(100)]))
    stream.screen(order(BUYER, party("consignee", "Other Ltd", "HK"), event_id="o-2", type="order.amended",
                        ship_to="HK", when=NOW - DAY))
    stream.screen(shipment(CONSIGNEE, mode="hand_carry", declared_value="100", currency="USD"))
    held = party("end_user", "Beijing 8-Star International Co.", "CN", phone="+86 10 6212 3456")
    assert stream.screen(order(BUYER, held, order_id="SO-2", event_id="o-3")).outcome is Outcome.HOLD
    # The compacted topic keeps each key's last value; a restarted worker replays those.
    last = {key: fact.to_json_bytes() for key, fact in stream.published}
    rebuilt = StreamFacts()
    for key, raw in reversed(list(last.items())):
        rebuilt.apply(key, parse_fact(raw))
        rebuilt.apply(key, parse_fact(raw))  # applied twice: no change
    assert rebuilt.order("SO-1") == stream.facts.order("SO-1")
    assert rebuilt.counts() == stream.facts.counts()
    probe = Party.model_validate(party("consignee", "Star Bright Ltd", "CN", phone="6212-3456"))
    [(flagged, shared)] = rebuilt.flagged_sharing(probe)
    assert (flagged.name, shared) == ("Beijing 8-Star International Co.", "phone '62123456'")
    assert rebuilt.flagged_sharing(probe) == stream.facts.flagged_sharing(probe)
    for consignee in ("HK|harbour supply", "HK|other"):
        assert rebuilt.activity(consignee, NOW - 30 * DAY) == stream.facts.activity(consignee, NOW - 30 * DAY)


def test_tombstones_remove_and_bad_keys_are_refused() -> None:
    facts = StreamFacts()
    [order_fact] = facts.facts_from(order(BUYER, CONSIGNEE), decision(
        Subject(kind=SubjectKind.order, id="SO-1")), NOW)
    facts.apply(order_fact.key, order_fact)
    assert facts.activity("HK|harbour supply", NOW - DAY) != []
    facts.apply("order:SO-1", None)
    facts.apply("order:SO-1", None)
    assert facts.order("SO-1") is None
    assert facts.activity("HK|harbour supply", NOW - DAY) == [], "an order's activity goes with it"
    with pytest.raises(ValueError, match="does not match"):
        facts.apply("order:SO-2", order_fact)
    with pytest.raises(ValueError, match="no known kind"):
        facts.apply("window:x", None)


def test_expired_names_facts_past_their_window_and_horizon() -> None:
    facts = StreamFacts()
    old = order(BUYER, CONSIGNEE, order_id="SO-OLD", when=NOW - 400 * DAY)
    recent = order(BUYER, CONSIGNEE, order_id="SO-NEW", event_id="o-2", when=NOW - 10 * DAY)
    for event in (old, recent):
        for f in facts.facts_from(event, decision(Subject(kind=SubjectKind.order, id=event.order_id)), NOW):
            facts.apply(f.key, f)
    # An order's activity goes with it; an activity past its window while its order stays
    # is dropped from the order fact, published again.
    assert facts.expiry(NOW) == [("order:SO-OLD", None)]
    [(shortened, shorter), (gone, none)] = facts.expiry(NOW + 25 * DAY)
    assert (gone, none) == ("order:SO-OLD", None)
    assert shortened == "order:SO-NEW" and isinstance(shorter, OrderFact) and shorter.activity == []
    assert [key for key, _ in facts.expiry(NOW)] == ["order:SO-OLD"]
    for key, fact in facts.expiry(NOW + 25 * DAY):
        facts.apply(key, fact)
    assert facts.order("SO-OLD") is None and facts.order("SO-NEW") is not None
    assert facts.counts()["activity"] == 0


def test_flagged_parties_are_capped_oldest_first() -> None:
    facts = StreamFacts(RedFlagThresholds(flagged_parties_kept=2))
    for i in range(3):
        flagged = FlaggedParty(name=f"Party {i}", name_key=f"party {i}", country="HK",
                               phone=f"+852 2000 000{i}", subject=Subject(kind=SubjectKind.order, id=f"SO-{i}"),
                               decision_id=f"d-{i}", outcome="BLOCK", at=NOW + timedelta(minutes=i))
        facts.apply(flagged.key, flagged)
    assert facts.counts()["flagged"] == 2
    assert [key for key, _ in facts.expiry(NOW)] == ["flagged:HK|party 0"]
    assert [key for key, _ in facts.expiry(NOW)] == []  # reported once
    probe = Party.model_validate(party("consignee", "Someone", "HK", phone="2000 0000"))
    assert facts.flagged_sharing(probe) == []
    probe = Party.model_validate(party("consignee", "Someone", "HK", phone="2000 0002"))
    assert [(f.name, what) for f, what in facts.flagged_sharing(probe)] == [("Party 2", "phone '20000002'")]


def test_an_older_order_record_read_back_does_not_replace_a_newer_one() -> None:
    stream = Stream()
    stream.screen(order(BUYER, CONSIGNEE, when=NOW - DAY))
    stream.screen(order(BUYER, party("consignee", "Other Ltd", "HK"), event_id="o-2", type="order.amended",
                        ship_to="HK"))
    first, second = [f for key, f in stream.published if key == "order:SO-1"]
    assert (first.revision, second.revision) == (0, 1)
    stream.facts.apply(first.key, first)  # the worker's own older record, read back from the topic
    fact = stream.facts.order("SO-1")
    assert fact is not None and fact.event_id == "o-2"
    # A replay of the amendment keeps its revision.
    [again, *_] = stream.facts.facts_from(
        order(BUYER, party("consignee", "Other Ltd", "HK"), event_id="o-2", type="order.amended", ship_to="HK"),
        decision(Subject(kind=SubjectKind.order, id="SO-1")), NOW)
    assert isinstance(again, OrderFact) and again.revision == 1
