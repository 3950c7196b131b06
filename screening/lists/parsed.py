"""What a list parser returns: entries, the problems it met, and which files it read."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas.lists import ListEntry


@dataclass(frozen=True)
class ParseIssue:
    """One malformed row or file: reported, never silently skipped."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class ListLoad:
    entries: list[ListEntry] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file -> format name

    def by_list(self) -> dict[str, int]:
        return dict(Counter(entry.list_code for entry in self.entries))

    def extend(self, other: ListLoad) -> None:
        self.entries.extend(other.entries)
        self.issues.extend(other.issues)
        self.files.update(other.files)


_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})")


def source_version(fmt: str, path: Path, data: bytes | None = None) -> str:
    """`<format>:<date in the file name>`, else `<format>:<sha256[:12] of the file>`.

    The date is what a reviewer recognises; the hash keeps undated files distinguishable.
    """
    match = _DATE_IN_NAME.search(path.name)
    if match:
        return f"{fmt}:{match.group(1)}"
    digest = hashlib.sha256(data if data is not None else path.read_bytes()).hexdigest()
    return f"{fmt}:{digest[:12]}"


# C1 control characters in "UTF-8" text are Windows-1252 punctuation that was encoded
# twice (BIS el.csv: U+0092 for a right quote); map them back.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") or chr(code) for code in range(0x80, 0xA0)
}

_C1_CHAR = re.compile("[\u0080-\u009f]")


def decode_text(data: bytes) -> str:
    """Publishers mix UTF-8 and Windows-1252 (BIS uvl.csv); a BOM is dropped."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.removeprefix("\ufeff")
    return text.translate(_C1_AS_CP1252) if _C1_CHAR.search(text) else text


def clean(value: str | None) -> str | None:
    """Strip whitespace; empty → None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def split_list(value: str | None, sep: str = ";") -> list[str]:
    if not value:
        return []
    return [part.strip() for part in value.split(sep) if part.strip()]


def unique(values: list[str]) -> list[str]:
    """Drop repeats, keep first-seen order (aliases, programs)."""
    return list(dict.fromkeys(values))


def csv_records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on (rows may span lines inside quotes)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def build_entry(
    fields: dict[str, Any], file: str, line: int | None, issues: list[ParseIssue]
) -> ListEntry | None:
    """Validate one entry; a contract violation becomes an issue for that row."""
    try:
        return ListEntry.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        issues.append(ParseIssue(file, line, f"invalid entry: {problems}"))
        return None


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: str | None, *, day_first: bool = False) -> date | None:
    """`6/28/2016` (US order; `day_first` for UK `10/04/2025`) or `2016-06-28`.

    Raises ValueError for text that is neither, so callers can report the row.
    """
    text = (value or "").strip()
    if not text:
        return None
    match = _US_DATE.match(text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        month, day = (second, first) if day_first else (first, second)
        return date(year, month, day)
    return date.fromisoformat(text[:10])


def derived_id(*parts: str) -> str:
    """A stable id for publishers that give none: same party text, same id, every load."""
    return hashlib.sha1("\x1f".join(part.strip().casefold() for part in parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class XmlPosition:
    """Where an XML record is, for issues: ElementTree keeps no line numbers, so the line
    is found (only when an issue is reported) by searching the raw file for the record's
    id or name."""

    raw: bytes
    label: str

    def line(self, needle: str | None) -> int | None:
        if not needle:
            return None
        index = self.raw.find(needle.encode())
        return None if index < 0 else self.raw.count(b"\n", 0, index) + 1


# Publisher words for the party type (CSL `type`, OFAC XML `sdnType`) → EntryKind value.
KIND_WORDS = {
    "individual": "person",
    "entity": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "": "organization",
}


def read_source(path: Path, load: ListLoad) -> bytes | None:
    """The file's bytes, or None after reporting why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        load.issues.append(ParseIssue(str(path), None, f"cannot read file: {exc}"))
        return None


def read_xml(path: Path, load: ListLoad, root_tag: str) -> tuple[bytes, ET.Element] | None:
    """Raw bytes and root element of an XML list whose root is `root_tag`, else an issue."""
    raw = read_source(path, load)
    if raw is None:
        return None
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        load.issues.append(ParseIssue(str(path), exc.position[0], f"not well-formed XML: {exc}"))
        return None
    if root.tag != root_tag:
        load.issues.append(ParseIssue(str(path), None, f"root element is {root.tag}, not {root_tag}"))
        return None
    return raw, root


def append_unique(load: ListLoad, seen: set[str], entry: ListEntry, file: str, line: int | None) -> None:
    """Add `entry` unless its key was already loaded from this file (reported, first kept)."""
    if entry.key in seen:
        load.issues.append(ParseIssue(file, line, f"duplicate key {entry.key}; first kept"))
        return
    seen.add(entry.key)
    load.entries.append(entry)
