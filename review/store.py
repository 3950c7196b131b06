"""The review read model: holds, decisions, list entries, allow-list and subjects as the
topics say, in SQLAlchemy (SQLite by default, PostgreSQL in production).

Everything here is derived from the topics (see review/ingest.py) and can be dropped and
rebuilt from them, except claims (who is working on a hold), which are a convenience of
the queue and not a record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker, undefer

from schemas import Decision, Disposition, HoldEvent, ListEntry
from schemas.review import AllowListEntry
from screening.holds import HoldState, apply_hold_event


class Base(DeclarativeBase):
    pass


class HoldRow(Base):
    __tablename__ = "holds"
    hold_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    outcome: Mapped[str] = mapped_column(String(10), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision_id: Mapped[str] = mapped_column(String(200))
    # Denormalised from the attached decisions for filtering: ",CODE1,CODE2," etc.
    reason_codes: Mapped[str] = mapped_column(Text, default=",")
    lists: Mapped[str] = mapped_column(Text, default=",")
    party_names: Mapped[str] = mapped_column(Text, default="")
    party_search: Mapped[str] = mapped_column(Text, default="")  # party_names lowercased
    summary: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    outcome_from_events: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deferred: listing never reads it, and sorting rows that carry it costs (PostgreSQL).
    state_json: Mapped[str] = mapped_column(Text, deferred=True)

    # The queue's usual question: open holds, oldest (or newest) first.
    __table_args__ = (Index("ix_holds_status_opened_at", "status", "opened_at", "hold_id"),)


class DecisionRow(Base):
    __tablename__ = "decisions"
    decision_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(200), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class SubjectRow(Base):
    """The latest order/shipment event of a subject: the party as submitted."""

    __tablename__ = "subjects"
    subject_key: Mapped[str] = mapped_column(String(220), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class ListEntryRow(Base):
    __tablename__ = "list_entries"
    entry_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class AllowListRow(Base):
    __tablename__ = "allowlist"
    key: Mapped[str] = mapped_column(String(600), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class PendingRow(Base):
    """A disposition published (by this service or another system) that no HoldEvent has
    answered yet; `refused` when the worker dead-lettered it."""

    __tablename__ = "pending_dispositions"
    disposition_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hold_id: Mapped[str] = mapped_column(String(200), index=True)
    body: Mapped[str] = mapped_column(Text)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ClaimRow(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hold_id: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(200))
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)


class OffsetRow(Base):
    __tablename__ = "consumed_offsets"
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    partition: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_offset: Mapped[int] = mapped_column(BigInteger)


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'review.sqlite').resolve()}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(conn: Any, _record: Any) -> None:
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes: everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class HoldQuery:
    status: str = "open"  # open (opened+escalated), closed, all, or one status
    reason_code: str | None = None
    list_code: str | None = None
    outcome: str | None = None
    party: str | None = None
    assignee: str | None = None  # a reviewer id, or "none" for unassigned
    min_age_hours: float | None = None
    max_age_hours: float | None = None
    sort: str = "opened_at"
    descending: bool = False
    limit: int = 50
    offset: int = 0


SORTABLE = {"opened_at": HoldRow.opened_at, "updated_at": HoldRow.updated_at, "outcome": HoldRow.outcome,
            "status": HoldRow.status, "subject": HoldRow.subject_id, "assignee": HoldRow.assignee}


@dataclass
class HoldPage:
    total: int
    holds: list[HoldRow] = field(default_factory=list)


class ReviewStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        Base.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        """Forget everything: the next ingest rebuilds from the topics' beginning."""
        Base.metadata.drop_all(self.engine)
        Base.metadata.create_all(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as s, s.begin():
            yield s

    # -- offsets ---------------------------------------------------------------------

    def offsets(self) -> dict[tuple[str, int], int]:
        with self.session() as s:
            return {(r.topic, r.partition): r.next_offset for r in s.scalars(select(OffsetRow))}

    @staticmethod
    def save_offset(s: Session, topic: str, partition: int, next_offset: int) -> None:
        row = s.get(OffsetRow, (topic, partition))
        if row is None:
            s.add(OffsetRow(topic=topic, partition=partition, next_offset=next_offset))
        elif next_offset > row.next_offset:
            row.next_offset = next_offset

    # -- applying topic messages -----------------------------------------------------

    def apply_decision(self, s: Session, decision: Decision) -> None:
        row = s.get(DecisionRow, decision.decision_id)
        if row is None:
            s.add(DecisionRow(decision_id=decision.decision_id, subject_kind=decision.subject.kind.value,
                              subject_id=decision.subject.id, outcome=decision.outcome.value,
                              decided_at=decision.decided_at, body=decision.model_dump_json(by_alias=True)))
            s.flush()
        for hold in s.scalars(select(HoldRow).where(HoldRow.subject_id == decision.subject.id,
                                                    HoldRow.subject_kind == decision.subject.kind.value)):
            self._refresh_hold(s, hold)

    def apply_hold_event(self, s: Session, event: HoldEvent) -> None:
        row = s.get(HoldRow, event.hold_id)
        before = HoldState.model_validate_json(row.state_json) if row else None
        state = apply_hold_event(before, event)
        if row is None:
            row = HoldRow(hold_id=state.hold_id, subject_kind=state.subject.kind.value, subject_id=state.subject.id,
                          opened_at=state.opened_at, reason_codes=",", lists=",", party_names="", party_search="",
                          summary="", pending=0, assignee=None, outcome_from_events=False)
            s.add(row)
        self._store_state(row, state, outcome_given="outcome" in (event.model_extra or {}))
        if event.status.value == "opened" and event.reason and not row.summary:
            row.summary = event.reason
        key = (event.model_extra or {}).get("disposition_key")
        pending = list(s.scalars(select(PendingRow).where(PendingRow.hold_id == event.hold_id)))
        for p in pending:
            disposition = Disposition.model_validate_json(p.body)
            answered = p.disposition_key == key or (
                key is None and disposition.reviewer == event.reviewer
                and _TARGETS[disposition.action.value] == event.status.value)
            if answered:
                s.delete(p)
        s.flush()
        self._refresh_hold(s, row)

    def apply_disposition_seen(self, s: Session, disposition: Disposition, key: str) -> None:
        """A disposition on `dispositions`: pending until its HoldEvent comes back."""
        row = s.get(HoldRow, disposition.hold_id)
        if row is not None and HoldState.model_validate_json(row.state_json).applied(key):
            return
        if s.get(PendingRow, key) is None:
            s.add(PendingRow(disposition_key=key, hold_id=disposition.hold_id,
                             body=disposition.model_dump_json(by_alias=True), refused=False))
            s.flush()
        if row is not None:
            self._refresh_hold(s, row)

    def apply_disposition_refused(self, s: Session, disposition: Disposition, key: str, error: str) -> None:
        """The worker dead-lettered this disposition."""
        p = s.get(PendingRow, key)
        if p is None:
            p = PendingRow(disposition_key=key, hold_id=disposition.hold_id,
                           body=disposition.model_dump_json(by_alias=True))
            s.add(p)
        p.refused, p.error = True, error
        s.flush()
        row = s.get(HoldRow, disposition.hold_id)
        if row is not None:
            self._refresh_hold(s, row)

    def apply_list_entry(self, s: Session, key: str, entry: ListEntry | None) -> None:
        row = s.get(ListEntryRow, key)
        if entry is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(ListEntryRow(entry_key=key, body=entry.model_dump_json(by_alias=True)))
        else:
            row.body = entry.model_dump_json(by_alias=True)

    def apply_allowlist(self, s: Session, key: str, entry: AllowListEntry | None) -> None:
        row = s.get(AllowListRow, key)
        if entry is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(AllowListRow(key=key, body=entry.model_dump_json(by_alias=True)))
        else:
            row.body = entry.model_dump_json(by_alias=True)

    def apply_subject_event(self, s: Session, kind: str, subject_id: str, body: dict[str, Any]) -> None:
        key = f"{kind}:{subject_id}"
        row = s.get(SubjectRow, key)
        text = json.dumps(body)
        if row is None:
            s.add(SubjectRow(subject_key=key, body=text))
        else:
            row.body = text

    def _store_state(self, row: HoldRow, state: HoldState, outcome_given: bool = True) -> None:
        row.status = state.status.value
        if outcome_given:
            row.outcome_from_events = True
        if outcome_given or not row.outcome:
            row.outcome = state.outcome.value
        row.decision_id = state.decision_id
        row.updated_at = state.history[-1].at if state.history else state.opened_at
        row.state_json = state.model_dump_json()

    def _refresh_hold(self, s: Session, row: HoldRow) -> None:
        """Recompute what is derived from other topics: filters from the attached decisions,
        the outcome if the hold events did not carry it, the pending count."""
        state = HoldState.model_validate_json(row.state_json)
        decisions = [Decision.model_validate_json(d.body) for d in
                     s.scalars(select(DecisionRow).where(DecisionRow.decision_id.in_(state.decision_ids)))]
        codes = sorted({r.code.value for d in decisions for r in d.reasons})
        lists = sorted({r.list_code for d in decisions for r in d.reasons if r.list_code})
        names = sorted({r.party_name for d in decisions for r in d.reasons if r.party_name})
        row.reason_codes = "," + ",".join(codes) + ("," if codes else "")
        row.lists = "," + ",".join(lists) + ("," if lists else "")
        row.party_names = "\n".join(names)
        row.party_search = row.party_names.lower()
        by_id = {d.decision_id: d for d in decisions}
        opening = by_id.get(state.decision_ids[0])
        latest_held = [by_id[i] for i in state.decision_ids if i in by_id and by_id[i].outcome.value != "CLEAR"]
        # Hold events carry the outcome once the worker side of issue 11 is wired; until
        # then the attached decisions tell it (BLOCK, failing closed, while neither has).
        if latest_held and not row.outcome_from_events:
            outcome = latest_held[-1].outcome
            if outcome != state.outcome:
                state = state.model_copy(update={"outcome": outcome})
                row.state_json = state.model_dump_json()
            row.outcome = outcome.value
        if opening is not None and not row.summary:
            row.summary = "; ".join(r.detail for r in opening.reasons[:2])
        row.pending = s.scalar(select(func.count()).select_from(PendingRow).where(
            PendingRow.hold_id == row.hold_id, PendingRow.refused.is_(False))) or 0

    # -- queries ---------------------------------------------------------------------

    def list_holds(self, q: HoldQuery, now: datetime) -> HoldPage:
        stmt = select(HoldRow)
        if q.status == "open":
            stmt = stmt.where(HoldRow.status.in_(("opened", "escalated")))
        elif q.status == "closed":
            stmt = stmt.where(HoldRow.status.in_(("released", "confirmed")))
        elif q.status != "all":
            stmt = stmt.where(HoldRow.status == q.status)
        if q.reason_code:
            stmt = stmt.where(HoldRow.reason_codes.contains(f",{q.reason_code},", autoescape=True))
        if q.list_code:
            stmt = stmt.where(HoldRow.lists.contains(f",{q.list_code},", autoescape=True))
        if q.outcome:
            stmt = stmt.where(HoldRow.outcome == q.outcome)
        if q.party:
            stmt = stmt.where(HoldRow.party_search.contains(q.party.lower(), autoescape=True))
        if q.assignee == "none":
            stmt = stmt.where(HoldRow.assignee.is_(None))
        elif q.assignee:
            stmt = stmt.where(HoldRow.assignee == q.assignee)
        if q.min_age_hours is not None:
            stmt = stmt.where(HoldRow.opened_at <= now - timedelta(hours=q.min_age_hours))
        if q.max_age_hours is not None:
            stmt = stmt.where(HoldRow.opened_at >= now - timedelta(hours=q.max_age_hours))
        column = SORTABLE.get(q.sort, HoldRow.opened_at)
        order = [column.desc() if q.descending else column.asc(), HoldRow.hold_id]
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = list(s.scalars(stmt.order_by(*order).limit(q.limit).offset(q.offset)))
        return HoldPage(total, rows)

    def hold(self, hold_id: str) -> HoldRow | None:
        with self.session() as s:
            return s.get(HoldRow, hold_id, options=[undefer(HoldRow.state_json)])

    def hold_state(self, hold_id: str) -> HoldState | None:
        row = self.hold(hold_id)
        return HoldState.model_validate_json(row.state_json) if row else None

    def decisions_on(self, kind: str, subject_id: str) -> list[Decision]:
        with self.session() as s:
            rows = s.scalars(select(DecisionRow).where(DecisionRow.subject_kind == kind,
                                                       DecisionRow.subject_id == subject_id)
                             .order_by(DecisionRow.decided_at))
            return [Decision.model_validate_json(r.body) for r in rows]

    def subject_event(self, kind: str, subject_id: str) -> dict[str, Any] | None:
        with self.session() as s:
            row = s.get(SubjectRow, f"{kind}:{subject_id}")
            return json.loads(row.body) if row else None

    def list_entry(self, key: str) -> ListEntry | None:
        with self.session() as s:
            row = s.get(ListEntryRow, key)
            return ListEntry.model_validate_json(row.body) if row else None

    def allowlist(self) -> list[AllowListEntry]:
        with self.session() as s:
            return [AllowListEntry.model_validate_json(r.body) for r in s.scalars(select(AllowListRow))]

    def pending(self, hold_id: str) -> list[tuple[Disposition, bool, str | None]]:
        with self.session() as s:
            rows = s.scalars(select(PendingRow).where(PendingRow.hold_id == hold_id))
            return [(Disposition.model_validate_json(r.body), r.refused, r.error) for r in rows]

    def claims(self, hold_id: str) -> Sequence[ClaimRow]:
        with self.session() as s:
            return list(s.scalars(select(ClaimRow).where(ClaimRow.hold_id == hold_id).order_by(ClaimRow.id)))

    # -- what the service itself writes ---------------------------------------------

    def record_published(self, disposition: Disposition, key: str) -> None:
        with self.session() as s:
            self.apply_disposition_seen(s, disposition, key)

    def claim(self, hold_id: str, by: str, assignee: str | None, at: datetime) -> None:
        with self.session() as s:
            row = s.get(HoldRow, hold_id)
            if row is None:
                raise KeyError(hold_id)
            row.assignee = assignee
            s.add(ClaimRow(hold_id=hold_id, at=at, by=by, assignee=assignee))

    def clear_pending_of_unknown_holds(self) -> None:
        with self.session() as s:
            s.execute(delete(PendingRow).where(PendingRow.hold_id.not_in(select(HoldRow.hold_id))))


_TARGETS = {"release": "released", "confirm": "confirmed", "escalate": "escalated"}


def utc(value: datetime) -> datetime:
    return _utc(value)
