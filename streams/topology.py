"""The whole Faust data flow on one page.

    orders         --screen_orders-->     decisions, holds, alerts, facts   (orders_book table;
                                          holds table by hold_id)
    shipments      --screen_shipments-->  decisions, holds, alerts, facts   (shipments_book table;
                                          a shipment whose order is unknown waits there, pending)
    dispositions   --route_dispositions-> hold-actions, on the partition its hold id names
    hold-actions   --apply_dispositions-> holds (holds table; the subject is freed when its
                                          hold closes)
    any bad input  ------------------->   deadletter
    every decision, hold event, disposition, list update, allow-list change --> audit
                                          (one hash chain per partition, written at the emit point)
    alerts         --count_list_alerts--> quarantine / fetch-failure metrics
    lists.entries  --(GlobalTable list_entries, compacted, 1 partition)-->  ListState + NameIndex
    lists.manifest --(GlobalTable list_manifests)-->  ListState freshness and versions
    facts          --(GlobalTable facts, compacted, 1 partition)-->  StreamFacts (order join,
                                          consignee activity, held parties) for the red-flag rules
    ownership      --(GlobalTable ownership)-->  StreamFacts' ownership graph
    allowlist      --(GlobalTable allowlist)-->  reviewed false positives, suppressed while screening

Agents are thin: decode (or dead-letter), hand the event to `Screener`, pass what it
returns to the one emit point (`streams/emitter.py`). Every agent catches its own errors,
because an exception escaping a Faust agent loop still acknowledges the message: it would
be lost without a trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterable
from datetime import timedelta
from typing import Any

import faust
from confluent_kafka import Producer

from schemas import AuditRecord, OrderEvent, ShipmentEvent, SubjectKind
from schemas.common import utc_now
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.matching import MatchConfig
from screening.policy import ScreeningPolicy
from screening.ruledata.loader import load_rule_data
from screening.screener import Screener
from streams import collector, handlers, topics
from streams.emitter import Emitter
from streams.faust_tuning import flush_before_commit, keep_records_fetched_after_seek, tune_faust
from streams.handlers import Worker
from streams.kafka import last_value, make_producer
from streams.security import faust_broker_options, reviewer_directory
from streams.settings import Settings
from streams.tables import FeedTable, changelog_through
from streams.web import register_views

log = logging.getLogger("tradescreen.worker")


def match_config(settings: Settings) -> MatchConfig:
    base = MatchConfig()
    return MatchConfig(
        potential_threshold=settings.match_potential_threshold or base.potential_threshold,
        strong_threshold=settings.match_strong_threshold or base.strong_threshold,
    )


def policy_from(settings: Settings) -> ScreeningPolicy:
    return ScreeningPolicy(embargoed_countries=frozenset(settings.embargoed_countries),
                           max_list_age=timedelta(hours=settings.max_list_age_hours))


# Outputs: one request in flight per connection so a retry cannot reorder a subject's
# decisions (the embedded broker has no idempotent producer); batches as long as
# TRADESCREEN_OUTPUT_LINGER_MS says, and TRADESCREEN_RECORD_LINGER_MS for the records only
# the service reads back (audit, facts, table changelogs; streams/emitter.py).
OUTPUT_PRODUCER = {"max.in.flight.requests.per.connection": 1, "acks": "all"}


def build_worker(settings: Settings, bootstrap: str) -> Worker:
    t = settings.topic
    tune_faust(settings.consumer_fetch_wait_ms, settings.consumer_fetch_min_bytes)
    collector.install(settings.gc_freeze_survivors)

    def audit_tail(partition: int) -> AuditRecord | None:
        raw = last_value(bootstrap, t(topics.AUDIT), partition, settings)
        return AuditRecord.model_validate_json(raw) if raw else None

    def output_producer(linger_ms: float) -> Producer:
        return make_producer(bootstrap, settings, **OUTPUT_PRODUCER, **{"linger.ms": linger_ms})

    # A new writer id per process: a restarted worker applies the facts of its earlier life.
    emitter = Emitter(output_producer(settings.output_linger_ms), settings.topic, audit_tail,
                      records=output_producer(settings.record_linger_ms), writer=uuid.uuid4().hex)
    flush_before_commit(emitter.flush)
    app = faust.App(
        settings.app_id,
        **faust_broker_options(settings, bootstrap),
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        # Transactions are not available on every Kafka-protocol broker (Tansu lacks
        # InitProducerId): at-least-once in, idempotent ids out.
        processing_guarantee="at_least_once",
        # Tables live in memory, so a table can be ahead of its changelog's high watermark
        # only where the broker reports that mark short of the last batch (Tansu does):
        # Faust's check would then stop a worker taking partitions over. Off.
        recovery_consistency_check=False,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        web_enabled=True,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_host=settings.web_host,
        autodiscover=False,
        key_serializer="raw",
        value_serializer="raw",
        GlobalTable=FeedTable,
        Table=changelog_through(emitter),
        # Fetch messages well over the input bound, so that an oversized one reaches the
        # agent and is dead-lettered instead of stalling its partition.
        consumer_max_fetch_size=max(8 << 20, 4 * settings.limit_message_bytes),
    )
    keep_records_fetched_after_seek(app)
    state = ListState(match_config(settings))
    # Bad rule data stops the start here, naming file, line and reason.
    rule_data = load_rule_data(settings.rules_dir, settings.licence_register)
    screener = Screener(state, policy_from(settings), data=rule_data, facts=StreamFacts(rule_data.red_flags),
                        rules=settings.screening_rules())
    worker = Worker(settings, bootstrap, app, state, screener, emitter,
                    limits=settings.input_limits(), reviewers=reviewer_directory(settings))

    def topic(name: str, partitions: int | None = None) -> faust.TopicT:
        tp = app.topic(t(name), key_type=bytes, value_type=bytes, key_serializer="raw",
                       value_serializer="raw", partitions=partitions or settings.partitions)
        worker.topics[name] = tp
        return tp

    # -- topics ----------------------------------------------------------------------------
    orders = topic(topics.ORDERS)
    shipments = topic(topics.SHIPMENTS)
    dispositions = topic(topics.DISPOSITIONS)
    hold_actions = topic(topics.HOLD_ACTIONS)
    list_entries = topic(topics.LIST_ENTRIES, partitions=1)
    list_manifest = topic(topics.LIST_MANIFEST, partitions=1)
    facts = topic(topics.FACTS, partitions=1)
    ownership = topic(topics.OWNERSHIP, partitions=1)
    for name in (topics.DECISIONS, topics.HOLDS, topics.ALERTS, topics.AUDIT, topics.DEADLETTER):
        topic(name)

    # -- tables ----------------------------------------------------------------------------
    def feed(name: str, changelog: faust.TopicT, applier: Any) -> None:
        """A topic every worker reads whole. The table is only the reading mechanism: the
        applier updates domain state (ListState, StreamFacts) record by record.
        partitions=1 and recovery_buffer_size=1 avoid Faust's GlobalTable recovery loop;
        synchronize_all_active_partitions makes every worker keep reading records that
        other programs produce, not only those it wrote itself."""
        app.GlobalTable(name, changelog_topic=changelog, partitions=1, recovery_buffer_size=1,
                        synchronize_all_active_partitions=True, key_type=bytes, value_type=bytes,
                        on_changelog_event=applier)

    feed("list_entries", list_entries, handlers.list_entry_applier(worker))   # ListState + NameIndex
    feed("list_manifests", list_manifest, handlers.manifest_applier(worker))  # freshness, versions
    # What the streams have seen for the red-flag rules (written by every worker, read by
    # all), and ownership links.
    feed("facts", facts, handlers.fact_applier(worker))
    feed("ownership", ownership, handlers.ownership_applier(worker))
    feed("allowlist", topic(topics.ALLOWLIST, partitions=1), handlers.allowlist_applier(worker))
    # Subjects by id, co-partitioned with their input topic.
    # Keys and values are bytes we encode ourselves (app serializers are raw), so a key
    # reads back the same after a recovery as it was written.
    orders_book = app.Table("orders_book", partitions=settings.partitions, key_type=bytes, value_type=bytes)
    shipments_book = app.Table("shipments_book", partitions=settings.partitions, key_type=bytes,
                               value_type=bytes)
    worker.books = {SubjectKind.order: orders_book, SubjectKind.shipment: shipments_book}
    # Holds by hold_id, written on their subject's partition (the hold id names it).
    worker.holds = app.Table("holds", partitions=settings.partitions, key_type=bytes, value_type=bytes)

    # -- agents ----------------------------------------------------------------------------
    @app.agent(orders, name="screen_orders")
    async def screen_orders(stream: AsyncIterable[Any]) -> None:
        async for event in stream.events():  # type: ignore[attr-defined]
            await handlers.screen_subject(worker, event, OrderEvent, orders_book)

    @app.agent(shipments, name="screen_shipments")
    async def screen_shipments(stream: AsyncIterable[Any]) -> None:
        async for event in stream.events():  # type: ignore[attr-defined]
            await handlers.screen_subject(worker, event, ShipmentEvent, shipments_book)

    @app.agent(dispositions, name="route_dispositions")
    async def route_dispositions(stream: AsyncIterable[Any]) -> None:
        async for event in stream.events():  # type: ignore[attr-defined]
            await handlers.route_disposition(worker, event)

    @app.agent(hold_actions, name="apply_dispositions")
    async def apply_dispositions(stream: AsyncIterable[Any]) -> None:
        async for event in stream.events():  # type: ignore[attr-defined]
            await handlers.apply_disposition(worker, event)

    # List fetches run as a CLI job (no /metrics of their own) and report by alert; each
    # alert is counted by the one worker its partition is assigned to.
    @app.agent(worker.topics[topics.ALERTS], name="count_list_alerts")
    async def count_list_alerts(stream: AsyncIterable[Any]) -> None:
        async for value in stream:
            handlers.count_list_alert(value)

    # -- housekeeping ----------------------------------------------------------------------
    @app.task
    async def check_health_at_start() -> None:
        handlers.nudge_list_topics_at_start(worker)
        await handlers.check_broker(worker)

    @app.timer(interval=10.0)
    async def check_health() -> None:
        await handlers.check_broker(worker)

    @app.timer(interval=3600.0)
    async def expire_subjects() -> None:
        try:
            handlers.expire_subjects(worker, utc_now())
            await handlers.expire_facts(worker, utc_now())
        except Exception:
            log.exception("expiring subjects failed")

    @app.timer(interval=1.0)
    async def decide_pending_shipments() -> None:
        try:
            await handlers.decide_pending_shipments(worker, utc_now())
        except Exception:  # a timer that raises stops for good
            log.exception("deciding pending shipments failed")

    if settings.gc_freeze_survivors:
        @app.timer(interval=settings.gc_reclaim_interval_s)
        async def reclaim_frozen_cycles() -> None:
            collector.COLLECTOR.reclaim()

    @app.on_rebalance_complete.connect  # type: ignore[arg-type]
    async def after_rebalance(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        handlers.forget_pending_after_rebalance(worker)
        emitter.forget_audit_heads()

    @app.timer(interval=1.0)
    async def follow_list_state() -> None:
        """Fail closed when list state is missing or stale; re-screen open subjects when
        entries change or when state comes back."""
        try:
            await handlers.follow_list_state(worker)
        except Exception:  # a timer that raises stops for good
            log.exception("list state follow-up failed")

    register_views(worker)
    return worker
