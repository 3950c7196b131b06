"""`tradescreen audit verify|export` against a chained `audit` topic on the real broker, and
exported files altered, cut and reordered."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas import AuditKind
from screening.audit import AuditChain
from streams.broker import EmbeddedBroker
from streams.cli import app
from streams.kafka import create_topics, flush_or_raise, make_producer
from streams.settings import Settings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


def decision_payload(i: int) -> dict[str, object]:
    return {"decision_id": f"d-{i}", "subject": {"kind": "order", "id": f"o-{i}"}, "outcome": "HOLD",
            "lists_version": "sdn-2026-03-01", "decided_at": (T0 + timedelta(minutes=i)).isoformat(),
            "reasons": [{"code": "RESTRICTED_PARTY", "severity": "hold", "detail": f"buyer {i} ~ SDN", "score": 0.87}]}


@pytest.fixture
def audit_topic(broker: EmbeddedBroker) -> Iterator[tuple[dict[str, str], Settings]]:
    """Two partitions of chained records: decisions, then a hold and a disposition."""
    prefix = f"au-{uuid.uuid4().hex[:8]}."
    settings = Settings(_env_file=None, topic_prefix=prefix, partitions=2)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    producer = make_producer(broker.bootstrap)
    for partition in (0, 1):
        chain = AuditChain()
        for i in range(4):
            at = T0 + timedelta(minutes=i)
            record = chain.append(AuditKind.decision, decision_payload(i), at)
            producer.produce(settings.topic("audit"), key=f"o-{i}", value=record.to_json_bytes(), partition=partition)
        at = T0 + timedelta(minutes=10)
        record = chain.append(AuditKind.disposition, {"hold_id": "h-1", "action": "confirm", "reviewer": "bob",
                                                      "reason": "same entity", "at": at.isoformat()}, at)
        producer.produce(settings.topic("audit"), key="o-1", value=record.to_json_bytes(), partition=partition)
    flush_or_raise(producer)
    env = {"TRADESCREEN_TOPIC_PREFIX": prefix, "TRADESCREEN_KAFKA_BOOTSTRAP": broker.bootstrap}
    yield env, settings


def test_verify_the_topic_and_export(audit_topic: tuple[dict[str, str], Settings], tmp_path: Path) -> None:
    env, _settings = audit_topic
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "partition 0: 5 records, chain intact" in result.output
    assert "partition 1: 5 records, chain intact" in result.output

    jsonl = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["audit", "export", "--from", "2026-03-02T09:01:00+00:00", "--to",
                                 "2026-03-02T10:00:00+00:00", "--format", "jsonl", "-o", str(jsonl)], env=env)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [(x["partition"], x["seq"]) for x in lines] == [(p, s) for p in (0, 1) for s in (1, 2, 3, 4)]
    last = lines[3]
    assert (last["kind"], last["action"], last["reviewer"], last["reason"]) == \
        ("disposition", "confirm", "bob", "same entity")
    assert lines[0]["lists_version"] == "sdn-2026-03-01" and lines[0]["reason_codes"] == "RESTRICTED_PARTY"
    result = runner.invoke(app, ["audit", "verify", "--file", str(jsonl)])
    assert result.exit_code == 0, result.output

    csv_file = tmp_path / "audit.csv"
    result = runner.invoke(app, ["audit", "export", "--format", "csv", "-o", str(csv_file)], env=env)
    assert result.exit_code == 0, result.output
    assert csv_file.read_text().splitlines()[0].startswith("partition,seq,at,kind,subject,outcome")
    assert runner.invoke(app, ["audit", "verify", "--file", str(csv_file)]).exit_code == 0


def test_a_tampered_topic_is_reported(broker: EmbeddedBroker) -> None:
    prefix = f"au-{uuid.uuid4().hex[:8]}."
    settings = Settings(_env_file=None, topic_prefix=prefix, partitions=1)  # type: ignore[call-arg]
    create_topics(settings, broker.bootstrap)
    chain = AuditChain()
    records = [chain.append(AuditKind.decision, decision_payload(i), T0) for i in range(3)]
    records[1] = records[1].model_copy(update={"payload": dict(records[1].payload, outcome="CLEAR")})
    producer = make_producer(broker.bootstrap)
    for r in records:
        producer.produce(settings.topic("audit"), value=r.to_json_bytes(), partition=0)
    flush_or_raise(producer)
    result = runner.invoke(app, ["audit", "verify"], env={"TRADESCREEN_TOPIC_PREFIX": prefix,
                                                          "TRADESCREEN_KAFKA_BOOTSTRAP": broker.bootstrap})
    assert result.exit_code == 1
    assert "partition 0: BROKEN at record 1 (seq 1)" in result.output and "altered" in result.output


def _tamper(lines: list[str], how: str) -> list[str]:
    if how == "alter":
        record = json.loads(lines[2])
        record["payload"]["outcome"] = "CLEAR"
        lines[2] = json.dumps(record)
    elif how == "delete":
        del lines[2]
    elif how == "reorder":
        lines[1], lines[2] = lines[2], lines[1]
    return lines


@pytest.mark.parametrize(("how", "problem"), [("alter", "altered"), ("delete", "missing"),
                                              ("reorder", "seq 2, expected 1")])
def test_a_tampered_extract_is_reported(audit_topic: tuple[dict[str, str], Settings], tmp_path: Path, how: str,
                                        problem: str) -> None:
    env, _ = audit_topic
    jsonl = tmp_path / "audit.jsonl"
    assert runner.invoke(app, ["audit", "export", "-o", str(jsonl)], env=env).exit_code == 0
    jsonl.write_text("\n".join(_tamper(jsonl.read_text().splitlines(), how)) + "\n")
    result = runner.invoke(app, ["audit", "verify", "--file", str(jsonl)])
    assert result.exit_code == 1, result.output
    assert "partition 0: BROKEN" in result.output and problem in result.output
    assert "partition 1: 5 records, chain intact" in result.output
