"""The small CSV files the listing authorities publish themselves: BIS Entity List and
Unverified List, State ISN nonproliferation sanctions, State DDTC ITAR debarred parties.

Each writes one row per name × address (× alias for the Entity List); rows of one party
are merged by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from screening.lists.countries import country_code
from screening.lists.drafts import EntryDraft, merge_drafts, split_inline_aliases
from screening.lists.parsed import (
    ListLoad,
    ParseIssue,
    clean,
    csv_records,
    decode_text,
    parse_date,
    read_source,
    source_version,
)

RowReader = Callable[[dict[str, str], int], EntryDraft]


@dataclass(frozen=True)
class NativeFormat:
    name: str
    header_prefix: str  # lower-cased start of the header line
    read_row: RowReader


def _address(
    line1: str | None, city: str | None, region: str | None, postal: str | None, country: str | None
) -> dict[str, str | None] | None:
    address = {
        "line1": clean(line1),
        "city": clean(city),
        "region": clean(region),
        "postal_code": clean(postal),
        "country": country_code(country),
    }
    return address if any(address.values()) else None


def _entity_list_row(record: dict[str, str], line: int) -> EntryDraft:
    name, inline = split_inline_aliases(record["name"])
    draft = EntryDraft(
        list_code=record.get("source list", "").strip() or "EL",
        name=name,
        line=line,
        aliases=inline,
        effective_from=parse_date(record.get("effective date")),
        effective_to=parse_date(record.get("date lifted/waived/expired")),
        license_requirement=clean(record.get("license requirement")),
        license_policy=clean(record.get("license policy")),
    )
    alias = clean(record.get("alternate name"))
    if alias:
        draft.aliases.append(alias)
    address = _address(
        record.get("address"),
        record.get("city"),
        record.get("state/province"),
        record.get("postal code"),
        record.get("country"),
    )
    if address:
        draft.addresses.append(address)
    draft.add_id("federal_register_notice", record.get("federal register notice"))
    draft.add_id("title", record.get("title"))
    remark = clean(record.get("remarks/notes"))
    if remark:
        draft.remarks.append(remark)
    return draft


def _unverified_row(record: dict[str, str], line: int) -> EntryDraft:
    name, aliases = split_inline_aliases(record["name"])
    draft = EntryDraft(list_code="UVL", name=name, line=line, aliases=aliases)
    address = _address(record.get("address"), None, None, None, record.get("country"))
    if address:
        draft.addresses.append(address)
    return draft


def _isn_row(record: dict[str, str], line: int) -> EntryDraft:
    name, aliases = split_inline_aliases(record["name"])
    aliases += [a.strip() for a in record.get("alternative names", "").split(";") if a.strip()]
    draft = EntryDraft(
        list_code="ISN",
        name=name,
        line=line,
        aliases=aliases,
        effective_from=parse_date(record.get("effective date")),
    )
    program = clean(record.get("programs"))
    if program:
        draft.programs.append(program)
    address = _address(None, None, None, None, record.get("country"))
    if address:
        draft.addresses.append(address)
    draft.add_id("federal_register_notice", record.get("federal register notice"))
    remark = clean(record.get("remarks/notes"))
    if remark:
        draft.remarks.append(remark)
    return draft


def _debarred_row(record: dict[str, str], line: int) -> EntryDraft:
    name, aliases = split_inline_aliases(record["debarred party full name and alias"])
    dob = clean(record.get("date of birth"))
    draft = EntryDraft(
        list_code="DTC",
        name=name,
        line=line,
        aliases=aliases,
        kind="person" if dob else "organization",  # only people have a birth date
        effective_from=parse_date(record.get("notice date")),
    )
    draft.add_id("dob", dob)
    draft.add_id("federal_register_notice", record.get("notice"))
    draft.add_id("federal_register_notice", record.get("corrected notice"))
    return draft


ENTITY_LIST = NativeFormat("bis-el-csv", "source list,entity number,sdn type,", _entity_list_row)
UNVERIFIED_LIST = NativeFormat("bis-uvl-csv", "country,name,address", _unverified_row)
ISN_LIST = NativeFormat("isn-csv", "source list,programs,name,alternative names", _isn_row)
DEBARRED_LIST = NativeFormat("ddtc-debarred-csv", "debarred party full name and alias", _debarred_row)
NATIVE_FORMATS = (ENTITY_LIST, UNVERIFIED_LIST, ISN_LIST, DEBARRED_LIST)
_NAME_COLUMNS = ("name", "debarred party full name and alias")


def parse_native_csv(path: Path, fmt: NativeFormat) -> ListLoad:
    file = str(path)
    load = ListLoad(files={file: fmt.name})
    raw = read_source(path, load)
    if raw is None:
        return load
    records = csv_records(decode_text(raw))
    header_record = next(records, None)
    header = [c.strip().lower() for c in header_record[1]] if header_record else []
    if not ",".join(header).startswith(fmt.header_prefix):
        load.issues.append(ParseIssue(file, 1, f"not a {fmt.name} header"))
        return load
    drafts: list[EntryDraft] = []
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue  # spacer rows
        record = dict(zip(header, row, strict=False))
        name_column = next((c for c in _NAME_COLUMNS if c in record), None)
        if name_column is None or not record[name_column].strip():
            load.issues.append(ParseIssue(file, line, "row without a name"))
            continue
        try:
            drafts.append(fmt.read_row(record, line))
        except ValueError as exc:
            load.issues.append(ParseIssue(file, line, f"bad value: {exc}"))
    load.entries = merge_drafts(drafts, source_version(fmt.name, path, raw), file, load.issues)
    return load
