"""OFAC legacy CSV sets: sdn.csv + alt.csv + add.csv + sdn_comments.csv (and the non-SDN
`cons_` set with the same layout).

Layout (no header; `-0-` means empty), per OFAC's "SDN CSV" documentation:
  sdn.csv      ent_num, name, type, programs, title, call_sign, vessel_type, tonnage, grt,
               vessel_flag, vessel_owner, remarks
  alt.csv      ent_num, alt_num, alt_type (aka/fka/nka), alt_name, remarks
  add.csv      ent_num, add_num, address, city/state/postal, country, remarks
  comments     ent_num, remarks continuation (remarks longer than the column are cut)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screening.lists.countries import country_code, is_placeholder
from screening.lists.identifiers import parse_ofac_remarks
from screening.lists.parsed import ListLoad, ParseIssue, build_entry, csv_records, decode_text, source_version

FORMAT_SDN = "ofac-sdn-csv"
FORMAT_NONSDN = "ofac-nonsdn-csv"

_EMPTY = "-0-"
_EOF_MARK = "\x1a"  # OFAC ends each file with a DOS end-of-file byte
_KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}

# Non-SDN programs that identify one of the specific Treasury lists the CSL also names
# (facts from OFAC's non-SDN list pages); anything else stays "NONSDN".
_NONSDN_PROGRAM_LISTS = [
    ("CMIC-EO13959", "CMIC"),
    ("NS-PLC", "PLC"),
    ("561-Related", "CAP"),
    ("UKRAINE-EO13662", "SSI"),
]


def _value(field_value: str) -> str:
    value = field_value.strip()
    return "" if value == _EMPTY else value


def parse_programs(value: str) -> list[str]:
    """`UKRAINE-EO13662] [RUSSIA-EO14024` (the outer brackets are already gone) → list."""
    return [p.strip(" []") for p in value.split("] [") if p.strip(" []")]


def nonsdn_list_code(programs: list[str]) -> str:
    for program, code in _NONSDN_PROGRAM_LISTS:
        if program in programs:
            return code
    return "NONSDN"


@dataclass
class _Extras:
    aliases: dict[str, list[str]] = field(default_factory=dict)
    weak_aliases: dict[str, list[str]] = field(default_factory=dict)
    addresses: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)


def _rows(path: Path, width: int, load: ListLoad) -> list[tuple[int, list[str]]]:
    """Rows of one file with the expected column count; others become issues."""
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        load.issues.append(ParseIssue(str(path), None, f"cannot read file: {exc}"))
        return []
    rows: list[tuple[int, list[str]]] = []
    for line, row in csv_records(text):
        if not row or (len(row) == 1 and row[0].strip() in ("", _EOF_MARK)):
            continue
        if len(row) != width:
            load.issues.append(ParseIssue(str(path), line, f"expected {width} columns, found {len(row)}"))
            continue
        if not row[0].strip().isdigit():
            load.issues.append(ParseIssue(str(path), line, f"ent_num {row[0].strip()!r} is not a number"))
            continue
        rows.append((line, row))
    return rows


def _read_extras(alt: Path | None, add: Path | None, comments: Path | None, load: ListLoad) -> _Extras:
    extras = _Extras()
    if alt is not None:
        for line, row in _rows(alt, 5, load):
            ent_num, alt_type, name, remarks = row[0].strip(), _value(row[2]), _value(row[3]), _value(row[4])
            if not name:
                load.issues.append(ParseIssue(str(alt), line, "alias row without a name"))
                continue
            if alt_type.lower() not in ("aka", "fka", "nka"):
                load.issues.append(ParseIssue(str(alt), line, f"unknown alias type {alt_type!r}; kept"))
            # OFAC rates low-quality aliases "weak"; they are screened but never block alone.
            target = extras.weak_aliases if "weak" in remarks.lower() else extras.aliases
            target.setdefault(ent_num, []).append(name)
    if add is not None:
        for _line, row in _rows(add, 6, load):
            address = _address(_value(row[2]), _value(row[3]), _value(row[4]))
            if address:
                extras.addresses.setdefault(row[0].strip(), []).append(address)
    if comments is not None:
        for _line, row in _rows(comments, 2, load):
            extras.comments[row[0].strip()] = extras.comments.get(row[0].strip(), "") + row[1]
    return extras


def _address(line1: str, city: str, country: str) -> dict[str, str | None] | None:
    if not (line1 or city or country):
        return None
    code = country_code(country)
    region: str | None = None
    if country.lower().startswith("region:"):
        region = country.split(":", 1)[1].strip()
    elif code is None and not is_placeholder(country):
        region = country  # keep a place we cannot code (e.g. "Kafia Kingi") visible
    return {"line1": line1 or None, "city": city or None, "region": region, "country": code}


def parse_ofac_csv(
    primary: Path,
    alt: Path | None = None,
    add: Path | None = None,
    comments: Path | None = None,
    *,
    nonsdn: bool = False,
) -> ListLoad:
    """One OFAC CSV set → entries keyed "SDN:<ent_num>" (or the non-SDN list code)."""
    fmt = FORMAT_NONSDN if nonsdn else FORMAT_SDN
    load = ListLoad()
    for path in (primary, alt, add, comments):
        if path is not None:
            load.files[str(path)] = fmt
    try:
        version = source_version(fmt, primary)
    except OSError as exc:
        load.issues.append(ParseIssue(str(primary), None, f"cannot read file: {exc}"))
        return load
    extras = _read_extras(alt, add, comments, load)
    seen: set[str] = set()
    for line, row in _rows(primary, 12, load):
        ent_num = row[0].strip()
        if ent_num in seen:
            load.issues.append(ParseIssue(str(primary), line, f"duplicate ent_num {ent_num}; first kept"))
            continue
        seen.add(ent_num)
        entry = _entry(row, extras, version, nonsdn, str(primary), line, load.issues)
        if entry is not None:
            load.entries.append(entry)
    return load


def _entry(
    row: list[str],
    extras: _Extras,
    version: str,
    nonsdn: bool,
    file: str,
    line: int,
    issues: list[ParseIssue],
) -> ListEntry | None:
    ent_num = row[0].strip()
    sdn_type = _value(row[2]).lower()
    kind = _KINDS.get(sdn_type)
    if kind is None:
        issues.append(ParseIssue(file, line, f"unknown type {sdn_type!r}; treated as organization"))
        kind = "organization"
    programs = parse_programs(_value(row[3]))
    remarks = _value(row[11]) + extras.comments.get(ent_num, "")
    details = parse_ofac_remarks(remarks)
    ids: dict[str, Any] = dict(details.ids)
    for key, column in (
        ("title", 4),
        ("call_sign", 5),
        ("vessel_type", 6),
        ("tonnage", 7),
        ("grt", 8),
        ("vessel_flag", 9),
        ("vessel_owner", 10),
    ):
        value = _value(row[column])
        if value:
            ids[key] = value
    weak = list(dict.fromkeys(extras.weak_aliases.get(ent_num, []) + details.weak_aliases))
    fields: dict[str, Any] = {
        "list": nonsdn_list_code(programs) if nonsdn else "SDN",
        "source_id": ent_num,
        "kind": kind,
        "name": _value(row[1]),
        "aliases": list(dict.fromkeys(extras.aliases.get(ent_num, []))),
        "weak_aliases": weak,
        "addresses": extras.addresses.get(ent_num, []),
        "programs": programs,
        "ids": ids or None,
        "remarks": remarks or None,
        "source_version": version,
    }
    return build_entry(fields, file, line, issues)
