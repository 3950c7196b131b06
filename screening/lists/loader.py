"""Recognise list files, parse them, and merge a directory into one `ListLoad`."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

from schemas.lists import ListEntry
from screening.lists import bis_dpl, csl, internal, native_csv, ofac_csv, ofac_xml, uk_ofsi, un_xml
from screening.lists.parsed import ListLoad, ParseIssue

Parser = Callable[[Path], ListLoad]

# OFAC set members other than the primary file: parsed together with their sdn.csv /
# cons_prim.csv, never on their own.
_OFAC_PARTS = {
    "alt.csv": ("sdn.csv", "alt"),
    "add.csv": ("sdn.csv", "add"),
    "sdn_comments.csv": ("sdn.csv", "comments"),
    "cons_alt.csv": ("cons_prim.csv", "alt"),
    "cons_add.csv": ("cons_prim.csv", "add"),
    "cons_comments.csv": ("cons_prim.csv", "comments"),
}
_SDN_PRIMARY = re.compile(r"^sdn(?:[_-]\d{4}-\d{2}(?:-\d{2})?)?\.csv$", re.IGNORECASE)
FORMAT_OFAC_PART = "ofac-csv-part"

# Header prefixes (lower-cased, quotes removed, tabs read as commas) that identify a format.
_HEADER_FORMATS: list[tuple[str, str]] = [
    ("_id,source,", csl.FORMAT),
    ("source,entity_number,", csl.FORMAT),
    ("name,street_address,", bis_dpl.FORMAT),
    *((fmt.header_prefix, fmt.name) for fmt in native_csv.NATIVE_FORMATS),
]


def _is_internal_csv(name: str, head: str) -> bool:
    first = head.splitlines()[0] if head else ""
    columns = {c.strip().strip('"').lower() for c in first.split(",")}
    return name.endswith(".csv") and columns >= internal.CSV_HEADER_MARKERS


# Formats recognised by file name and the first 4 KB (XML roots, workbooks, YAML).
_CONTENT_MARKERS: list[tuple[Callable[[str, str], bool], str]] = [
    (lambda name, head: name.endswith(".xml") and "<CONSOLIDATED_LIST" in head, un_xml.FORMAT),
    (lambda name, head: name.startswith("consolidated") and "<sdnList" in head, ofac_xml.FORMAT_NONSDN),
    (lambda name, head: name.endswith(".xml") and "<sdnList" in head, ofac_xml.FORMAT_SDN),
    (lambda name, head: name.endswith(".xlsx"), uk_ofsi.FORMAT),
    (lambda name, head: name.endswith((".yaml", ".yml")), internal.FORMAT),
    (_is_internal_csv, internal.FORMAT),
]

_PARSERS: dict[str, Parser] = {
    csl.FORMAT: csl.parse_csl,
    bis_dpl.FORMAT: bis_dpl.parse_bis_dpl,
    un_xml.FORMAT: un_xml.parse_un_xml,
    ofac_xml.FORMAT_SDN: lambda path: ofac_xml.parse_ofac_xml(path, nonsdn=False),
    ofac_xml.FORMAT_NONSDN: lambda path: ofac_xml.parse_ofac_xml(path, nonsdn=True),
    uk_ofsi.FORMAT: uk_ofsi.parse_uk_ofsi,
    internal.FORMAT: internal.parse_internal_list,
    **{fmt.name: partial(native_csv.parse_native_csv, fmt=fmt) for fmt in native_csv.NATIVE_FORMATS},
}
# An aggregator's copy of a list: the listing authority's own file wins over it.
_AGGREGATED_FORMATS = frozenset({csl.FORMAT})


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(size)
    except OSError:
        return ""
    if raw[:2] == b"\x1f\x8b":
        # Only the beginning of the stream is needed; a partial decompress is enough.
        raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw)
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def detect_format(path: Path) -> str | None:
    """The format name of a list file, from its name or its first line; None if unknown."""
    name = path.name.lower()
    if name in _OFAC_PARTS:
        return FORMAT_OFAC_PART
    if _SDN_PRIMARY.match(name):
        return ofac_csv.FORMAT_SDN
    if name == "cons_prim.csv":
        return ofac_csv.FORMAT_NONSDN
    if name.endswith(".xlsx"):
        return uk_ofsi.FORMAT  # a zip: no readable header to sniff
    head = _head(path)
    first_line = head.splitlines()[0] if head else ""
    normalised = first_line.replace('"', "").replace("\t", ",").strip().lower()
    for prefix, fmt in _HEADER_FORMATS:
        if normalised.startswith(prefix):
            return fmt
    for marker, fmt in _CONTENT_MARKERS:
        if marker(name, head):
            return fmt
    return None


def _ofac_set(primary: Path, siblings: dict[str, Path]) -> ListLoad:
    nonsdn = primary.name.lower() == "cons_prim.csv"
    return ofac_csv.parse_ofac_csv(
        primary, siblings.get("alt"), siblings.get("add"), siblings.get("comments"), nonsdn=nonsdn
    )


def _siblings_of(primary: Path) -> dict[str, Path]:
    """alt/add/comments files of an OFAC set that sit beside its primary file."""
    found: dict[str, Path] = {}
    if primary.name.lower() not in ("sdn.csv", "cons_prim.csv"):
        return found  # dated snapshots (sdn_2024-02-20.csv) are published alone
    for part in primary.parent.iterdir():
        owner = _OFAC_PARTS.get(part.name.lower())
        if owner is not None and owner[0] == primary.name.lower():
            found[owner[1]] = part
    return found


def parse_file(path: Path) -> ListLoad:
    """Parse one list file (an OFAC sdn.csv picks up alt/add/comments beside it)."""
    fmt = detect_format(path)
    if fmt in (ofac_csv.FORMAT_SDN, ofac_csv.FORMAT_NONSDN):
        return _ofac_set(path, _siblings_of(path))
    if fmt == FORMAT_OFAC_PART:
        return ListLoad(
            issues=[ParseIssue(str(path), None, "part of an OFAC CSV set: load it with its primary file")],
            files={str(path): fmt},
        )
    if fmt is None or fmt not in _PARSERS:
        return ListLoad(issues=[ParseIssue(str(path), None, "not a recognised list format")])
    return _PARSERS[fmt](path)


def _richness(entry: ListEntry) -> int:
    return len(entry.aliases) + len(entry.weak_aliases) + len(entry.addresses) + len(entry.ids or {})


def _prefer(current: tuple[ListEntry, str], candidate: tuple[ListEntry, str]) -> bool:
    """True when `candidate` should replace `current` for the same key: the listing
    authority's own file beats an aggregator's copy; otherwise the richer record wins."""
    current_native = current[1] not in _AGGREGATED_FORMATS
    candidate_native = candidate[1] not in _AGGREGATED_FORMATS
    if current_native != candidate_native:
        return candidate_native
    return _richness(candidate[0]) > _richness(current[0])


def load_directory(path: Path, progress: Callable[[str, int], None] | None = None) -> ListLoad:
    """Every list file directly in `path`, parsed and merged; one entry per key."""
    result = ListLoad()
    if not path.is_dir():
        result.issues.append(ParseIssue(str(path), None, "not a directory"))
        return result
    chosen: dict[str, tuple[ListEntry, str]] = {}
    for file in sorted(p for p in path.iterdir() if p.is_file()):
        if detect_format(file) == FORMAT_OFAC_PART:
            owner = _OFAC_PARTS[file.name.lower()][0]
            if any(p.name.lower() == owner for p in path.iterdir()):
                continue  # read with its set
        load = parse_file(file)
        fmt = next(iter(load.files.values()), "")
        result.issues.extend(load.issues)
        result.files.update(load.files)
        for entry in load.entries:
            existing = chosen.get(entry.key)
            if existing is None or _prefer(existing, (entry, fmt)):
                chosen[entry.key] = (entry, fmt)
        if progress is not None:
            progress(str(file), len(load.entries))
    result.entries = [entry for entry, _fmt in chosen.values()]
    return result


def load_paths(path: Path, progress: Callable[[str, int], None] | None = None) -> ListLoad:
    """A directory or a single file."""
    return load_directory(path, progress) if path.is_dir() else parse_file(path)


__all__ = [
    "detect_format",
    "load_directory",
    "load_paths",
    "parse_file",
]
