"""Every topic tradescreen uses, with key, value, partitioning and retention: one table
that the Faust topology, topic creation and the CLI all read."""

from __future__ import annotations

from dataclasses import dataclass, field

from streams.settings import Settings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    value: str
    # None: the configured default partition count.
    partitions: int | None = None
    config: dict[str, str] = field(default_factory=dict)


COMPACT = {"cleanup.policy": "compact"}

ORDERS = "orders"
SHIPMENTS = "shipments"
LIST_ENTRIES = "lists.entries"
LIST_MANIFEST = "lists.manifest"
DISPOSITIONS = "dispositions"
HOLD_ACTIONS = "hold-actions"
OWNERSHIP = "ownership"
ALLOWLIST = "allowlist"
FACTS = "facts"
DECISIONS = "decisions"
HOLDS = "holds"
ALERTS = "alerts"
AUDIT = "audit"
DEADLETTER = "deadletter"

CONTRACT_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(ORDERS, "order_id", "OrderEvent"),
    TopicSpec(SHIPMENTS, "shipment_id", "ShipmentEvent"),
    # Shared list state: one partition, compacted, so every worker reads all of it in order.
    TopicSpec(LIST_ENTRIES, "<list>:<source_id>", "ListEntry | tombstone", partitions=1, config=COMPACT),
    # Not in the contract: one record per list saying which version a load published and
    # when, so workers can tell complete, fresh state from partial or stale state.
    TopicSpec(LIST_MANIFEST, "<list>", "ListManifest", partitions=1, config=COMPACT),
    TopicSpec(DISPOSITIONS, "hold_id", "Disposition"),
    # Not in the contract: dispositions passed on, unchanged, to the partition of their
    # hold's subject (the hold id names it), where the worker owning the subject and its
    # hold applies them.
    TopicSpec(HOLD_ACTIONS, "hold_id", "Disposition"),
    # Contract v1.1: ownership links, compacted; every worker reads all of them.
    TopicSpec(OWNERSHIP, "link id", "OwnershipLink | tombstone", partitions=1, config=COMPACT),
    # Not in the contract: what workers remember of the stream for red-flag rules (orders for
    # joining shipments, consignee activity, held parties), shared by every worker.
    TopicSpec(FACTS, "<kind>:<id>", "Fact | tombstone", partitions=1, config=COMPACT),
    TopicSpec(DECISIONS, "subject id", "Decision"),
    TopicSpec(HOLDS, "hold_id", "HoldEvent"),
    TopicSpec(ALERTS, "subject id", "Alert"),
    TopicSpec(AUDIT, "subject id", "AuditRecord"),
    TopicSpec(DEADLETTER, "original key", "DeadLetter"),
    # Not in the contract's first version (issue 11): reviewed false positives, read whole by
    # every worker like list state; a tombstone revokes one.
    TopicSpec(ALLOWLIST, "<list>:<source_id>|<country>|<normalised name>", "AllowListEntry | tombstone",
              partitions=1, config=COMPACT),
)

# Tombstones under keys with this prefix carry nothing: they are written after a batch
# so that a broker whose high watermark lags the last batch (Tansu) shows that batch.
SYNC_KEY_PREFIX = "_sync:"

TAILABLE = (DECISIONS, HOLDS, ALERTS, DEADLETTER, AUDIT, ORDERS, SHIPMENTS, LIST_ENTRIES)


def partitions_of(spec: TopicSpec, settings: Settings) -> int:
    return spec.partitions if spec.partitions is not None else settings.partitions
