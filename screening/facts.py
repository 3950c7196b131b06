"""What the streams have seen that rules need beyond one event: orders for joining
shipments, recent activity per consignee, parties already held for a list match, and
ownership links.

Every fact has a stable string key and is fed by idempotent upserts and removals
(`StreamFacts.apply(key, fact | None)`), so a worker rebuilds the same view from a
compacted topic after a restart. After each decision `facts_from` says what to remember;
the worker publishes those facts and applies them locally at once. `expiry` says what to
publish for the facts past their window or horizon (tombstones, or an order fact without
its expired activity): memory stays bounded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas import (
    Address,
    Decision,
    OrderEvent,
    OrderEventType,
    OwnershipLink,
    Party,
    PartyRole,
    ReasonCode,
    Severity,
    ShipmentEvent,
    Subject,
    SubjectKind,
    TransportMode,
)
from screening.detail_index import DetailIndex
from screening.money import lines_value, shipment_value
from screening.ownership_graph import OwnershipGraph
from screening.partykeys import (
    ContactKeys,
    IndexKey,
    contact_keys,
    describe_address,
    lookup_keys,
    name_key,
    party_contact_keys,
    party_country,
    party_key,
)
from screening.ruledata import RedFlagThresholds

# How long an order is remembered after its last event, for joining late shipments to it.
# Not yet in the rule data (RedFlagThresholds); to move there.
ORDER_FACTS_KEPT = timedelta(days=365)
# How long a held or blocked party is remembered (besides the count cap in the rule data).
FLAGGED_PARTIES_KEPT = timedelta(days=730)
# Reasons that make a party "held or blocked for a restricted-party match".
FLAGGING_CODES = frozenset({ReasonCode.RESTRICTED_PARTY, ReasonCode.ENTITY_LIST, ReasonCode.OWNERSHIP})
HAND_CARRIED = frozenset({TransportMode.hand_carry, TransportMode.courier})


class FactModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class FactParty(FactModel):
    """A party as an order named it."""

    role: PartyRole
    name: str
    name_key: str
    country: str | None = None

    @classmethod
    def of(cls, party: Party) -> FactParty:
        return cls(role=party.role, name=party.name, name_key=name_key(party.name), country=party_country(party))

    def describe(self) -> str:
        return f"'{self.name}' ({self.country or 'country unknown'})"


class OrderChange(FactModel):
    """An amendment of an order after a decision, with what it changed (old -> new)."""

    event_id: str
    at: datetime
    after_decision_id: str | None = None
    after_outcome: str | None = None
    changes: list[str]


class OrderFact(FactModel):
    """An order as its latest decided event left it."""

    kind: Literal["order"] = "order"
    order_id: str
    event_id: str
    status: OrderEventType
    at: datetime
    parties: list[FactParty]
    ship_to: Address
    decision_id: str | None = None
    outcome: str | None = None
    amendments: list[OrderChange] = Field(default_factory=list)
    # Counts the order's decided events: a worker reading back its own older record from
    # the topic after it applied a newer one locally keeps the newer one.
    revision: int = 0
    # The order's consignee activity (one per consignee its events named, until each
    # leaves the structuring window), carried here rather than as facts of their own: one
    # facts message per decided order. An order fact written before this field existed has
    # its activity on the topic under the activity's own key, which still applies.
    activity: list[ActivityFact] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return f"order:{self.order_id}"

    def party(self, role: PartyRole) -> FactParty | None:
        return next((p for p in self.parties if p.role is role), None)

    @property
    def destination(self) -> str | None:
        """Where the order says the goods go: the ship-to country, else the consignee's."""
        consignee = self.party(PartyRole.consignee)
        return self.ship_to.country or (consignee.country if consignee else None)

    def amendment(self, event_id: str) -> OrderChange | None:
        return next((a for a in self.amendments if a.event_id == event_id), None)


class ActivityFact(FactModel):
    """One order or shipment toward one consignee, counted once per subject (an order's
    amendments and a shipment's later events are the same activity)."""

    kind: Literal["activity"] = "activity"
    consignee: str  # party_key of the consignee
    consignee_name: str
    subject: Subject
    order_id: str | None = None  # the order (of a shipment: its order), one transaction
    event_id: str
    at: datetime
    value_usd: Decimal | None = None
    mode: TransportMode | None = None

    @property
    def key(self) -> str:
        return f"activity:{self.consignee}:{self.subject.kind.value}:{self.subject.id}"

    @property
    def hand_carried(self) -> bool:
        return self.mode in HAND_CARRIED

    def small(self, limit: Decimal) -> bool:
        return self.value_usd is not None and self.value_usd < limit

    def describe(self) -> str:
        value = f", {self.value_usd:,.2f} USD" if self.value_usd is not None else ""
        mode = f", {self.mode.value}" if self.mode else ""
        return f"{self.subject.kind.value} {self.subject.id} ({self.at.date().isoformat()}{value}{mode})"


OrderFact.model_rebuild()


class FlaggedParty(FactModel):
    """A party this stream held or blocked for a restricted-party match, with the contact
    details it gave, so that another party giving the same ones can be recognised."""

    kind: Literal["flagged"] = "flagged"
    name: str
    name_key: str
    country: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    ids: dict[str, str] = Field(default_factory=dict)
    subject: Subject
    decision_id: str
    outcome: str
    matched: list[str] = Field(default_factory=list)  # entry keys or reason codes behind the flag
    at: datetime

    @property
    def key(self) -> str:
        return f"flagged:{party_key(self.name, self.country)}"

    def contact_keys(self) -> ContactKeys:
        return contact_keys([self.address], [self.phone], [self.email], self.ids)


Fact = Annotated[OrderFact | ActivityFact | FlaggedParty, Field(discriminator="kind")]
FACT = TypeAdapter(Fact)


def parse_fact(data: bytes | str) -> Fact:
    """A fact from its JSON form (topic `facts`); raises pydantic.ValidationError."""
    return FACT.validate_json(data)


def _parties(event: OrderEvent | ShipmentEvent) -> list[Party]:
    parties = list(event.parties)
    if isinstance(event, OrderEvent) and event.payment and event.payment.payer:
        parties.append(event.payment.payer)
    return parties


def _first(parties: list[Party], role: PartyRole) -> Party | None:
    return next((p for p in parties if p.role is role), None)


def activity_party(event: OrderEvent | ShipmentEvent) -> Party | None:
    """Whose activity an event is: the consignee, else (orders) the buyer."""
    consignee = _first(event.parties, PartyRole.consignee)
    if consignee is None and isinstance(event, OrderEvent):
        return _first(event.parties, PartyRole.buyer)
    return consignee


# What an event's activity counts by: its USD value and how it travels (`activity_measure`).
Measure = tuple[Decimal | None, TransportMode | None]


def activity_measure(event: OrderEvent | ShipmentEvent) -> Measure:
    """What an event's activity counts by: its USD value (None without one) and, for a
    shipment, how it travels."""
    if isinstance(event, OrderEvent):
        return lines_value(event.lines).usd, None
    return shipment_value(event).usd, event.mode


def activity_of(event: OrderEvent | ShipmentEvent, measure: Measure) -> ActivityFact | None:
    """An event as the consignee activity it is remembered as (None without a consignee
    or buyer); `measure`: its `activity_measure` (`StreamFacts.measure` works it out once)."""
    party = activity_party(event)
    if party is None:
        return None
    value, mode = measure
    if isinstance(event, OrderEvent):
        subject = Subject(kind=SubjectKind.order, id=event.order_id)
    else:
        subject = Subject(kind=SubjectKind.shipment, id=event.shipment_id)
    return ActivityFact(consignee=party_key(party.name, party_country(party)), consignee_name=party.name,
                        subject=subject, order_id=event.order_id, event_id=event.event_id, at=event.occurred_at,
                        value_usd=value, mode=mode)


def order_changes(old: OrderFact, new: OrderEvent) -> list[str]:
    """What an amendment changes that matters for diversion: ship-to and consignee."""
    changes = []
    if old.ship_to.model_dump(exclude_none=True) != new.ship_to.model_dump(exclude_none=True):
        changes.append(f"ship-to {describe_address(old.ship_to)} -> {describe_address(new.ship_to)}")
    before = old.party(PartyRole.consignee)
    consignee = _first(new.parties, PartyRole.consignee)
    after = FactParty.of(consignee) if consignee else None
    if (before and (before.name_key, before.country)) != (after and (after.name_key, after.country)):
        changes.append(f"consignee {before.describe() if before else 'none'} -> "
                       f"{after.describe() if after else 'none'}")
    return changes


class StreamFacts:
    """The in-memory view of the `facts` topic plus the ownership graph."""

    def __init__(self, thresholds: RedFlagThresholds | None = None) -> None:
        self.thresholds = thresholds or RedFlagThresholds()
        self._orders: dict[str, OrderFact] = {}
        self._activity: dict[str, ActivityFact] = {}
        self._activity_by_consignee: dict[str, dict[str, ActivityFact]] = defaultdict(dict)
        # Insertion order is age order: the oldest goes first when the cap is reached.
        self._flagged: dict[str, FlaggedParty] = {}
        self._flagged_keys: dict[str, ContactKeys] = {}
        self._flagged_by_detail = DetailIndex()
        # The event measured last, and its measure (see `measure`).
        self._measured: tuple[OrderEvent | ShipmentEvent | None, Measure] = (None, (None, None))
        # Flagged parties dropped for the count cap, until `expiry` reports them once.
        self._evicted: set[str] = set()
        self.ownership = OwnershipGraph()

    # -- feeding -------------------------------------------------------------------------

    def apply(self, key: str, fact: Fact | None) -> None:
        """Upsert (`fact`) or remove (`None`) one key; applying the same record twice
        changes nothing. Raises ValueError for a fact filed under another key."""
        if fact is not None and fact.key != key:
            raise ValueError(f"fact key {key!r} does not match its {fact.kind} fact's key {fact.key!r}")
        kind = key.split(":", 1)[0]
        if kind == "order":
            self._apply_order(key.removeprefix("order:"), fact)
        elif kind == "activity":
            self._apply_activity(key, fact)
        elif kind == "flagged":
            self._apply_flagged(key, fact)
        else:
            raise ValueError(f"fact key {key!r} names no known kind (order, activity, flagged)")

    def apply_link(self, link_id: str, link: OwnershipLink | None) -> None:
        self.ownership.apply_link(link_id, link)

    def _apply_order(self, order_id: str, fact: Fact | None) -> None:
        current = self._orders.get(order_id)
        if fact is None:
            self._orders.pop(order_id, None)
        else:
            if not isinstance(fact, OrderFact) or (current is not None and fact.revision < current.revision):
                return  # another kind under an order key, or an older record read back
            self._orders[order_id] = fact
        # The activity an order fact carries goes and comes with it.
        carried = {a.key for a in fact.activity} if fact is not None else set()
        for activity in current.activity if current is not None else ():
            if activity.key not in carried:
                self._apply_activity(activity.key, None)
        for activity in fact.activity if fact is not None else ():
            self._apply_activity(activity.key, activity)

    def _apply_activity(self, key: str, fact: Fact | None) -> None:
        old = self._activity.pop(key, None)
        if old is not None:
            bucket = self._activity_by_consignee[old.consignee]
            bucket.pop(key, None)
            if not bucket:
                del self._activity_by_consignee[old.consignee]
        if isinstance(fact, ActivityFact):
            self._activity[key] = fact
            self._activity_by_consignee[fact.consignee][key] = fact

    def _apply_flagged(self, key: str, fact: Fact | None) -> None:
        if self._flagged.pop(key, None) is not None:
            for detail in lookup_keys(self._flagged_keys.pop(key)):
                self._flagged_by_detail.discard(detail, key)
        if not isinstance(fact, FlaggedParty):
            return
        self._flagged[key] = fact
        self._evicted.discard(key)
        keys = self._flagged_keys[key] = fact.contact_keys()
        for detail in lookup_keys(keys):
            self._flagged_by_detail.add(detail, key)
        while len(self._flagged) > self.thresholds.flagged_parties_kept:
            oldest = next(iter(self._flagged))
            self._apply_flagged(oldest, None)
            self._evicted.add(oldest)

    # -- lookups -------------------------------------------------------------------------

    def order(self, order_id: str) -> OrderFact | None:
        return self._orders.get(order_id)

    def awaits_order(self, shipment: ShipmentEvent) -> bool:
        """A shipment naming an order this worker has not seen: hold it pending (or, after
        the timeout, screen it: DIVERSION then says nothing about it)."""
        return shipment.order_id is not None and shipment.order_id not in self._orders

    def activity(self, consignee: str, since: datetime, until: datetime | None = None,
                 excluding: str | None = None) -> list[ActivityFact]:
        """Activity toward one consignee (a `party_key`) from `since` to `until`, oldest
        first, without the fact filed under key `excluding`. A busy consignee has thousands
        in a window: the bucket's keys are the facts' keys, so none is built again."""
        bucket = self._activity_by_consignee.get(consignee, {})
        found = [(f.at, key, f) for key, f in bucket.items()
                 if f.at >= since and (until is None or f.at <= until) and key != excluding]
        found.sort(key=lambda item: (item[0], item[1]))
        return [f for _at, _key, f in found]

    def flagged_gave_any(self, lookups: Iterable[IndexKey]) -> bool:
        """Whether a held or blocked party gave one of these details (index keys, see
        `lookup_keys`); `flagged_sharing` says which party and detail."""
        return self._flagged_by_detail.holds_any(lookups)

    def flagged_may_share_street(self, head: str) -> bool:
        """Whether a held or blocked party gave a street address under this head
        (`partykeys.street_head`)."""
        return self._flagged_by_detail.may_hold_street(head)

    def flagged_sharing(self, party: Party, keys: ContactKeys | None = None) -> list[tuple[FlaggedParty, str]]:
        """Held or blocked parties other than this one that gave one of its street
        addresses, phones, emails or identifiers (`keys`, if the caller has them already):
        (party, what is shared)."""
        if not self._flagged:
            return []
        keys = keys if keys is not None else party_contact_keys(party)
        by_detail = self._flagged_by_detail
        if not keys or not by_detail.holds_any(keys.lookups):
            return []
        found: dict[str, list[str]] = defaultdict(list)
        for address, lookups in keys.address_lookups:
            for key in {k for detail in lookups for k in by_detail.holders(detail)}:
                flagged = self._flagged[key]
                if flagged.address and any(a.same_place(address) for a in self._flagged_keys[key].addresses):
                    found[key].append(f"street address '{describe_address(flagged.address)}'")
        for detail, what, value in keys.detail_lookups:
            for key in by_detail.holders(detail):
                found[key].append(f"{what} '{value}'")
        if not found:
            return []
        own = f"flagged:{party_key(party.name, party_country(party))}"
        return [(self._flagged[k], "; ".join(sorted(v))) for k, v in sorted(found.items()) if k != own]

    def counts(self) -> dict[str, int]:
        return {"orders": len(self._orders), "activity": len(self._activity), "flagged": len(self._flagged),
                "ownership_links": len(self.ownership)}

    # -- what to remember ----------------------------------------------------------------

    def facts_from(self, subject: OrderEvent | ShipmentEvent, decision: Decision, now: datetime) -> list[Fact]:
        """The facts one decided event adds: its order (with the amendment's evidence, and
        its consignee activity), a shipment's consignee activity, and the parties the
        decision held or blocked for a list match. The worker publishes them (key =
        `fact.key`) and applies them at once."""
        facts: list[Fact] = []
        activity = self._activity_fact(subject)
        if isinstance(subject, OrderEvent):
            facts.append(self._order_fact(subject, decision, activity))
        elif activity is not None:
            facts.append(activity)
        facts.extend(self._flagged_facts(subject, decision))
        return facts

    def _order_fact(self, event: OrderEvent, decision: Decision, activity: ActivityFact | None) -> OrderFact:
        old = self._orders.get(event.order_id)
        # The activity toward earlier consignees stays, as long as it is remembered at all.
        carried = [a for a in old.activity if a.key in self._activity and (activity is None or a.key != activity.key)
                   ] if old else []
        if activity is not None:
            carried.append(activity)
        amendments = list(old.amendments) if old else []
        # The same event decided again (a replay, a re-screen) keeps its revision.
        revision = 0 if old is None else old.revision + (old.event_id != event.event_id)
        if (old is not None and event.type is OrderEventType.amended and old.event_id != event.event_id
                and not any(a.event_id == event.event_id for a in amendments)):
            changes = order_changes(old, event)
            if changes:
                amendments.append(OrderChange(event_id=event.event_id, at=event.occurred_at,
                                              after_decision_id=old.decision_id, after_outcome=old.outcome,
                                              changes=changes))
        return OrderFact(order_id=event.order_id, event_id=event.event_id, status=event.type, at=event.occurred_at,
                         parties=[FactParty.of(p) for p in _parties(event)], ship_to=event.ship_to,
                         decision_id=decision.decision_id, outcome=decision.outcome.value, amendments=amendments,
                         revision=revision, activity=carried)

    def measure(self, event: OrderEvent | ShipmentEvent) -> Measure:
        """`activity_measure(event)`, worked out once for the event being decided: STRUCTURING
        asks while it is screened, its facts after (events are not changed once parsed)."""
        if self._measured[0] is not event:
            self._measured = (event, activity_measure(event))
        return self._measured[1]

    def _activity_fact(self, event: OrderEvent | ShipmentEvent) -> ActivityFact | None:
        activity = activity_of(event, self.measure(event))
        first = self._activity.get(activity.key) if activity else None
        if activity is None or first is None:
            return activity
        # The activity dates from the subject's first event; later events keep it.
        return activity.model_copy(update={"event_id": first.event_id, "at": min(first.at, activity.at)})

    def _flagged_facts(self, event: OrderEvent | ShipmentEvent, decision: Decision) -> list[Fact]:
        flagged: dict[str, FlaggedParty] = {}
        parties = _parties(event)
        for reason in decision.reasons:
            if reason.code not in FLAGGING_CODES or reason.severity is Severity.info:
                continue
            party = next((p for p in parties if p.role.value == reason.party_role and p.name == reason.party_name),
                         None)
            if party is None:
                continue
            matched = f"{reason.list_code}:{reason.source_id}" if reason.list_code and reason.source_id \
                else reason.code.value
            key = f"flagged:{party_key(party.name, party_country(party))}"
            if key in flagged:
                if matched not in flagged[key].matched:
                    flagged[key] = flagged[key].model_copy(update={"matched": [*flagged[key].matched, matched]})
                continue
            ids = {k: str(v) for k, v in party.ids.model_dump(exclude_none=True).items()} if party.ids else {}
            flagged[key] = FlaggedParty(
                name=party.name, name_key=name_key(party.name), country=party_country(party), address=party.address,
                phone=party.phone, email=party.email, ids=ids, subject=decision.subject,
                decision_id=decision.decision_id, outcome=decision.outcome.value, matched=[matched],
                at=event.occurred_at,
            )
        return list(flagged.values())

    # -- expiry --------------------------------------------------------------------------

    def expiry(self, now: datetime) -> list[tuple[str, Fact | None]]:
        """What to publish for the facts past their window or horizon (activity older than
        the structuring window, orders untouched for ORDER_FACTS_KEPT, flagged parties
        older than FLAGGED_PARTIES_KEPT) and for the flagged parties `apply` already dropped
        for the count cap (each reported once): (key, None) for a tombstone, or (key, the
        order fact without the expired activity it carried). Nothing changes here; the
        records are applied like any fact."""
        window = timedelta(days=self.thresholds.structuring_window_days)
        out: dict[str, Fact | None] = {f"order:{k}": None for k, f in self._orders.items()
                                       if f.at < now - ORDER_FACTS_KEPT}
        shortened: dict[str, OrderFact] = {}
        for key, activity in self._activity.items():
            if activity.at >= now - window:
                continue
            carrier = self._orders.get(activity.order_id) if activity.subject.kind is SubjectKind.order \
                and activity.order_id is not None else None
            if carrier is None or not any(a.key == key for a in carrier.activity):
                out[key] = None  # a shipment's activity, or one written under its own key
            elif carrier.key not in out:  # else it goes with its order anyway
                kept = shortened.get(carrier.key, carrier)
                shortened[carrier.key] = kept.model_copy(update={"activity": [a for a in kept.activity
                                                                              if a.key != key]})
        out |= shortened
        out |= {k: None for k, f in self._flagged.items() if f.at < now - FLAGGED_PARTIES_KEPT}
        out |= dict.fromkeys(self._evicted)
        self._evicted = set()
        return sorted(out.items(), key=lambda item: item[0])
