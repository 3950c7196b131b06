"""`tradescreen audit verify` (the hash chain of the `audit` topic or of an exported file)
and `tradescreen audit export` (a regulator-ready extract, JSON lines or CSV).

An extract keeps every field the chain needs (partition, seq, prev_hash, hash and the
payload as canonical JSON), so it verifies on its own; one that starts mid-chain verifies
from its first record on."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import typer

from schemas import AuditRecord
from screening.audit import BrokenLink, canonical_json, verify
from streams import topics
from streams.commands.common import BootstrapOption, require_bootstrap, settings
from streams.kafka import read_messages

app = typer.Typer(help="Verify and export the tamper-evident audit chain.", no_args_is_help=True)

CSV_COLUMNS = ("partition", "seq", "at", "kind", "subject", "outcome", "reason_codes", "reasons", "lists_version",
               "hold_id", "action", "reviewer", "reason", "payload", "prev_hash", "hash")

Partitioned = dict[int, list[AuditRecord]]


def read_audit_topic(bootstrap: str, topic: str, timeout_s: float = 60.0, idle_s: float = 1.0) -> Partitioned:
    """Every record of `topic`, per partition in offset order (no consumer group joined)."""
    out: Partitioned = {}
    for msg in read_messages(bootstrap, topic, timeout_s, idle_s):
        value = msg.value()
        if value:
            out.setdefault(msg.partition() or 0, []).append(AuditRecord.model_validate_json(value))
    return out


def read_export(path: Path) -> Partitioned:
    """Records of an extract written by `audit export` (format from the file's content)."""
    text = path.read_text(encoding="utf-8")
    out: Partitioned = {}
    if text.startswith("partition,"):
        for row in csv.DictReader(io.StringIO(text)):
            record = AuditRecord(seq=int(row["seq"]), at=row["at"], kind=row["kind"],
                                 payload=json.loads(row["payload"]), prev_hash=row["prev_hash"], hash=row["hash"])
            out.setdefault(int(row["partition"]), []).append(record)
        return out
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.setdefault(int(data["partition"]), []).append(AuditRecord.model_validate(data))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: not an audit record: {str(exc).splitlines()[0]}") from None
    return out


def verify_partitions(records: Partitioned, anchored: bool) -> dict[int, BrokenLink | None]:
    """Each partition's first broken link. Unanchored (an extract): a partition may start
    mid-chain, but then it must be contiguous from its first record."""
    return {p: verify(rs, anchored=anchored or (bool(rs) and rs[0].seq == 0)) for p, rs in sorted(records.items())}


def _reasons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    reasons = payload.get("reasons")
    return [r for r in reasons if isinstance(r, dict)] if isinstance(reasons, list) else []


def export_row(partition: int, record: AuditRecord) -> dict[str, Any]:
    """One record with what a regulator reads first pulled out of its payload."""
    p = record.payload
    subject = p.get("subject") if isinstance(p.get("subject"), dict) else {}
    reasons = _reasons(p)
    return {
        "partition": partition, "seq": record.seq, "at": record.at.isoformat(), "kind": record.kind.value,
        "subject": f"{subject.get('kind')}:{subject.get('id')}" if subject else "",
        "outcome": p.get("outcome", ""), "reason_codes": " ".join(str(r.get("code")) for r in reasons),
        "reasons": " | ".join(str(r.get("detail", "")) for r in reasons),
        "lists_version": p.get("lists_version", ""), "hold_id": p.get("hold_id", ""),
        "action": p.get("action") or p.get("status", ""), "reviewer": p.get("reviewer") or p.get("created_by", ""),
        "reason": p.get("reason", "") if record.kind.value != "decision" else "",
        "payload": canonical_json(p).decode(), "prev_hash": record.prev_hash, "hash": record.hash,
    }


def select_window(records: Partitioned, start: datetime | None, end: datetime | None) -> Partitioned:
    """Per partition, the contiguous run from the first record at/after `start` to the last
    before `end`: no gap inside, so the extract still verifies."""
    out: Partitioned = {}
    for p, rs in records.items():
        inside = [i for i, r in enumerate(rs) if (start is None or r.at >= start) and (end is None or r.at < end)]
        if inside:
            out[p] = rs[inside[0]:inside[-1] + 1]
    return out


def write_export(records: Partitioned, fmt: str, out: TextIO) -> int:
    rows: Iterator[dict[str, Any]] = (export_row(p, r) for p, rs in sorted(records.items()) for r in rs)
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
        return count
    for p, rs in sorted(records.items()):
        for r in rs:
            line = {"partition": p, **r.model_dump(mode="json"), **{k: v for k, v in export_row(p, r).items()
                                                                     if k not in ("payload", "seq", "at", "kind")}}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    return count


def _report(results: dict[int, BrokenLink | None], counts: dict[int, int]) -> bool:
    ok = True
    for p, broken in results.items():
        if broken is None:
            typer.echo(f"partition {p}: {counts[p]} records, chain intact")
        else:
            ok = False
            typer.secho(f"partition {p}: BROKEN at {broken}", fg="red")
    return ok


@app.command("verify")
def verify_cmd(
    file: Path | None = typer.Option(None, "--file", "-f", help="an extract from `audit export` (else the topic)"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Check the hash chain and report the first broken link of each partition (exit 1 if any)."""
    if file is not None:
        try:
            records = read_export(file)
        except ValueError as exc:
            typer.secho(str(exc), fg="red", err=True)
            raise typer.Exit(2) from None
        results = verify_partitions(records, anchored=False)
    else:
        cfg = settings()
        records = read_audit_topic(require_bootstrap(bootstrap or cfg.kafka_bootstrap), cfg.topic(topics.AUDIT))
        results = verify_partitions(records, anchored=True)
    if not _report(results, {p: len(rs) for p, rs in records.items()}):
        raise typer.Exit(1)


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r}: give a zone, e.g. {value}+00:00")
    return parsed


@app.command("export")
def export_cmd(
    start: str | None = typer.Option(None, "--from", help="first instant (RFC 3339, inclusive)"),
    end: str | None = typer.Option(None, "--to", help="last instant (RFC 3339, exclusive)"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file to write (default: stdout)"),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Write the audit records between --from and --to: decisions, reasons, list versions,
    reviewers and their reasons, with the chain fields so the extract verifies."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("--format is jsonl or csv")
    cfg = settings()
    records = read_audit_topic(require_bootstrap(bootstrap or cfg.kafka_bootstrap), cfg.topic(topics.AUDIT))
    window = select_window(records, _parse_time(start), _parse_time(end))
    if output is None:
        count = write_export(window, fmt, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = write_export(window, fmt, out)
    typer.echo(f"{count} audit records exported", err=True)

