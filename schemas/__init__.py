"""Pydantic v2 models of the tradescreen wire contract (`shared/design/contract.md`)."""

from schemas.common import (
    ISO_COUNTRIES,
    Address,
    CountryCode,
    Party,
    PartyIds,
    PartyKind,
    PartyRole,
    Subject,
    SubjectKind,
    WireModel,
)
from schemas.errors import MessageError, describe_validation_error, parse_message
from schemas.inputs import (
    Disposition,
    DispositionAction,
    Leg,
    Line,
    OrderEvent,
    OrderEventType,
    Payment,
    ShipmentEvent,
    ShipmentEventType,
    TransportMode,
)
from schemas.lists import EntryKind, ListEntry, ListManifest, entry_key
from schemas.outputs import (
    Alert,
    AlertSeverity,
    AuditKind,
    AuditRecord,
    DeadLetter,
    Decision,
    HoldEvent,
    HoldStatus,
    Outcome,
    Reason,
    ReasonCode,
    Severity,
    Trigger,
)
from schemas.review import AllowListEntry, Reviewer, ReviewerRole

# Every message of the contract, by the name used for its JSON Schema file.
MESSAGES: dict[str, type[WireModel]] = {
    "OrderEvent": OrderEvent,
    "ShipmentEvent": ShipmentEvent,
    "Party": Party,
    "Address": Address,
    "Line": Line,
    "ListEntry": ListEntry,
    "Disposition": Disposition,
    "Decision": Decision,
    "Reason": Reason,
    "HoldEvent": HoldEvent,
    "Alert": Alert,
    "AuditRecord": AuditRecord,
    "DeadLetter": DeadLetter,
    "AllowListEntry": AllowListEntry,
}

__all__ = [
    "ISO_COUNTRIES", "MESSAGES", "Address", "Alert", "AlertSeverity", "AllowListEntry", "AuditKind", "AuditRecord",
    "CountryCode", "DeadLetter", "Decision", "Disposition", "DispositionAction", "EntryKind",
    "HoldEvent", "HoldStatus", "Leg", "Line", "ListEntry", "ListManifest", "MessageError", "OrderEvent",
    "OrderEventType", "Outcome", "Party", "PartyIds", "PartyKind", "PartyRole", "Payment", "Reason",
    "ReasonCode", "Reviewer", "ReviewerRole", "Severity", "ShipmentEvent", "ShipmentEventType", "Subject",
    "SubjectKind", "TransportMode", "Trigger", "WireModel", "describe_validation_error", "entry_key",
    "parse_message",
]
