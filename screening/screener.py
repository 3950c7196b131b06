"""Screener: one accepted event (or a re-screen) in, the decision and the holds and alerts
it calls for out, with the subject record the worker keeps. Pure: the worker supplies
state and time and sends what comes back through its emit point."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import (
    Alert,
    AlertSeverity,
    Decision,
    HoldEvent,
    Reason,
    ReasonCode,
    Severity,
    ShipmentEvent,
    Subject,
    Trigger,
    entry_key,
)
from screening.decisions import alert_for, hold_for, make_decision, stable_id
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.outputs import Output
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules import RULES, Rule, RuleContext, Screening, all_parties, evaluate, outcome_of
from screening.subjects import SEEN_EVENTS_KEPT, SubjectEvent, SubjectRecord, closes_subject, subject_of

# seen[event_id] of a shipment event waiting for its order (no decision id yet).
PENDING = "pending"


def _remember(seen: dict[str, str], event_id: str, decision_id: str) -> None:
    seen[event_id] = decision_id
    while len(seen) > SEEN_EVENTS_KEPT:
        seen.pop(next(iter(seen)))


@dataclass
class Screened:
    # None: a shipment held pending until its order is known (nothing to send yet).
    decision: Decision | None
    record: SubjectRecord
    outputs: list[Output] = field(default_factory=list)


@dataclass
class Screener:
    """Screens subject events against the worker's list state, rule data and stream facts."""

    state: ListState
    policy: ScreeningPolicy
    data: RuleData = field(default_factory=RuleData.packaged)
    facts: StreamFacts = field(default_factory=StreamFacts)
    rules: tuple[Rule, ...] = RULES

    def context(self, now: datetime) -> RuleContext:
        return RuleContext.at(self.state, self.policy, self.data, self.facts, now)

    def screen(self, event: SubjectEvent, now: datetime) -> Screening:
        return evaluate(event, self.context(now), now, self.rules)

    def on_event(self, event: SubjectEvent, record: SubjectRecord | None, now: datetime,
                 partition: int = 0, offset: int = -1) -> Screened | None:
        """Decide one accepted event. An event_id already decided gives None, except when
        the very message that was decided comes again (a consumer replaying after a
        crash): then its first decision and outputs come back unchanged, since whether
        they reached the topics before the crash is unknown."""
        if record is not None and event.event_id in record.seen:
            if (record.last_decision is not None and record.last_event_id == event.event_id
                    and 0 <= offset <= record.last_offset):
                return Screened(record.last_decision, record, self.outputs_of(record.last_decision))
            return None
        earlier: list[Output] = []
        if record is not None and record.pending_since is not None:
            # A newer event of a shipment still waiting for its order: the waiting one is
            # decided now, so that no event goes undecided.
            earlier = self.decide_pending(record, now, timeout=timedelta(0)).outputs
        subject = subject_of(event)
        seen = dict(record.seen) if record else {}
        new_record = SubjectRecord(
            kind=subject.kind, id=subject.id, open=not closes_subject(event),
            event=event.model_dump(mode="json", by_alias=True, exclude_none=True),
            occurred_at=event.occurred_at, seen=seen, last_event_id=event.event_id, partition=partition,
            last_offset=offset, open_hold_id=record.open_hold_id if record else None,
        )
        if isinstance(event, ShipmentEvent) and self.facts.awaits_order(event):
            new_record.pending_since = now
            _remember(seen, event.event_id, PENDING)
            return Screened(None, new_record, earlier)
        decision = self._decide(event, new_record, now)
        return Screened(decision, new_record, earlier + self.record_decision(decision, new_record, event, now))

    def _decide(self, event: SubjectEvent, record: SubjectRecord, now: datetime,
                extra: tuple[Reason, ...] = ()) -> Decision:
        screening = self.screen(event, now)
        if extra:
            reasons = screening.reasons + extra
            screening = Screening(outcome_of(reasons), reasons, screening.lists_version, screening.rules_version)
        decision = make_decision(screening, event.event_id, subject_of(event), Trigger.event, now)
        _remember(record.seen, event.event_id, decision.decision_id)
        return decision

    def decide_pending(self, record: SubjectRecord, now: datetime, timeout: timedelta) -> Screened:
        """A shipment held pending: decided once its order is known, or held for review
        once it has waited `timeout` (then DIVERSION says the order was never seen)."""
        event = record.parsed_event()
        assert record.pending_since is not None and isinstance(event, ShipmentEvent)
        known = not self.facts.awaits_order(event)
        if not known and now - record.pending_since < timeout:
            return Screened(None, record, [])
        updated = record.model_copy(deep=True)
        updated.pending_since = None
        extra: tuple[Reason, ...] = ()
        if not known:
            extra = (Reason(code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="shipment",
                            detail=(f"Shipment {event.shipment_id} names order {event.order_id}, which was not seen "
                                    f"within {timeout.total_seconds():.0f} s: it cannot be checked against its "
                                    "order's consignee, end user and destination.")),)
        decision = self._decide(event, updated, now, extra)
        return Screened(decision, updated, self.record_decision(decision, updated, event, now))

    def outputs_of(self, decision: Decision) -> list[Output]:
        out: list[Output] = [decision]
        hold = hold_for(decision)
        if hold is not None:
            out.append(hold)
        alert = alert_for(decision)
        if alert is not None:
            out.append(alert)
        return out

    def record_decision(self, decision: Decision, record: SubjectRecord, event: SubjectEvent,
                        now: datetime) -> list[Output]:
        """Decision, and for HOLD/BLOCK a hold and (BLOCK) an alert, and the stream facts
        it adds (applied here at once, published by the emit point); updates `record`."""
        record.last_decision_id = decision.decision_id
        record.last_decision = decision
        record.last_outcome = decision.outcome.value
        record.held_for_lists = any(r.code is ReasonCode.LISTS_UNAVAILABLE for r in decision.reasons)
        record.reason_keys = sorted({entry_key(r.list_code, r.source_id) for r in decision.reasons
                                     if r.list_code and r.source_id})
        out = self.outputs_of(decision)
        for o in out:
            if isinstance(o, HoldEvent):
                record.open_hold_id = o.hold_id
        for fact in self.facts.facts_from(event, decision, now):
            self.facts.apply(fact.key, fact)
            out.append(fact)
        return out

    # -- list updates -------------------------------------------------------------------

    def is_open(self, record: SubjectRecord, now: datetime, horizon: timedelta) -> bool:
        return record.open and now - record.occurred_at <= horizon

    def touched_by(self, record: SubjectRecord, changed_keys: Collection[str], now: datetime) -> bool:
        """Does any party of this subject match one of the changed entries? One indexed
        search per party (the index proposes candidates, so this is cheap), keeping only hits
        on changed entries: subjects the change cannot affect are not re-screened."""
        event = record.parsed_event()
        on = event.occurred_at.date()
        ctx = self.context(now)
        return any(m.key in changed_keys for p in all_parties(event) for m in ctx.party_matches(p, on))

    def rescreen(self, record: SubjectRecord, now: datetime) -> Screened | None:
        """Screen a known subject again against the current lists; a Decision (trigger
        list_update) only if the outcome changed, or if it was held for want of lists."""
        if record.pending_since is not None:
            return None  # decided when its order arrives
        event = record.parsed_event()
        screening = self.screen(event, now)
        if screening.outcome.value == record.last_outcome and not record.held_for_lists:
            return None
        subject = subject_of(event)
        decision = make_decision(screening, record.last_event_id or event.event_id, subject, Trigger.list_update,
                                 now, basis=screening.lists_version)
        updated = record.model_copy(deep=True)
        return Screened(decision, updated, self.record_decision(decision, updated, event, now))

    def delisting_alerts(self, record: SubjectRecord, removed_keys: Collection[str], now: datetime) -> list[Output]:
        """A delisting never releases a hold by itself: it tells the reviewers."""
        gone = sorted(set(record.reason_keys) & set(removed_keys))
        if not gone or record.open_hold_id is None:
            return []
        return [Alert(
            alert_id=stable_id("a", "delisted", record.open_hold_id, *gone), severity=AlertSeverity.info,
            code="DELISTED", subject=Subject(kind=record.kind, id=record.id),
            summary=(f"{record.kind.value} {record.id}: hold {record.open_hold_id} rests on {', '.join(gone)}, "
                     "which is no longer listed. The hold stays open until a reviewer releases it."),
            at=now,
        )]
