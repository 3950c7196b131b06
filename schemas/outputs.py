"""Messages that tradescreen produces for reviewers, alert consumers and dashboards."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from schemas.common import Subject, Timestamp, WireModel


class Outcome(StrEnum):
    CLEAR = "CLEAR"
    HOLD = "HOLD"
    BLOCK = "BLOCK"


class ReasonCode(StrEnum):
    # Fixed set from the contract; append only.
    RESTRICTED_PARTY = "RESTRICTED_PARTY"
    ENTITY_LIST = "ENTITY_LIST"
    EMBARGOED_DESTINATION = "EMBARGOED_DESTINATION"
    EMBARGOED_TRANSIT = "EMBARGOED_TRANSIT"
    LICENSE_REQUIRED = "LICENSE_REQUIRED"
    DE_MINIMIS_EXCEEDED = "DE_MINIMIS_EXCEEDED"
    DIVERSION = "DIVERSION"
    TRANSSHIPMENT_RISK = "TRANSSHIPMENT_RISK"
    STRUCTURING = "STRUCTURING"
    FRONT_COMPANY = "FRONT_COMPANY"
    OWNERSHIP = "OWNERSHIP"
    LISTS_UNAVAILABLE = "LISTS_UNAVAILABLE"
    ALLOWLISTED = "ALLOWLISTED"


class Severity(StrEnum):
    info = "info"
    hold = "hold"
    block = "block"


class Trigger(StrEnum):
    event = "event"
    list_update = "list_update"
    disposition = "disposition"


class Reason(WireModel):
    code: ReasonCode
    severity: Severity
    party_role: str | None = None
    party_name: str | None = None
    list_code: str | None = Field(default=None, alias="list")
    source_id: str | None = None
    matched_name: str | None = None
    score: float | None = None
    detail: str


class Decision(WireModel):
    decision_id: str
    event_id: str
    subject: Subject
    trigger: Trigger
    outcome: Outcome
    reasons: list[Reason] = Field(default_factory=list)
    lists_version: str
    decided_at: Timestamp
    # Optional (contract v1.1 and later): the version of the rule data (country groups,
    # embargo programmes, Country Chart, thresholds) the decision was judged by.
    rules_version: str | None = None


class HoldStatus(StrEnum):
    opened = "opened"
    released = "released"
    confirmed = "confirmed"
    escalated = "escalated"


class HoldEvent(WireModel):
    hold_id: str
    status: HoldStatus
    subject: Subject
    decision_id: str
    reviewer: str | None = None
    reason: str | None = None
    at: Timestamp


class AlertSeverity(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class Alert(WireModel):
    alert_id: str
    severity: AlertSeverity
    # A reason code, or a system code such as LIST_FETCH_FAILED.
    code: str
    subject: Subject | None = None
    # For list-state alerts (quarantine, failed fetch): which list.
    list_code: str | None = Field(default=None, alias="list")
    summary: str
    at: Timestamp


class AuditKind(StrEnum):
    decision = "decision"
    hold = "hold"
    disposition = "disposition"
    list_update = "list_update"
    allowlist = "allowlist"


class AuditRecord(WireModel):
    seq: int = Field(ge=0)
    at: Timestamp
    kind: AuditKind
    payload: dict[str, Any]
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class DeadLetter(WireModel):
    topic: str
    partition: int
    offset: int
    key: str | None = None
    value_b64: str
    # Optional: set when the original value was too large to carry whole; value_b64 then
    # holds only its first bytes and the letter cannot be replayed as it is.
    value_bytes: int | None = None
    value_truncated: bool | None = None
    error: str
    # Machine-readable class of the error (invalid_json, schema, processing), for metrics.
    error_kind: str | None = None
    at: Timestamp
