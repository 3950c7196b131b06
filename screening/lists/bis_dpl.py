"""BIS Denied Persons List, tab-separated (dpl.txt): one row per name and address.

Columns (BIS download page): Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation.
Rows of one denial order (same name, same effective date) become one entry.
"""

from __future__ import annotations

from pathlib import Path

from screening.lists.countries import country_code
from screening.lists.drafts import EntryDraft, merge_drafts
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

FORMAT = "bis-dpl-txt"
COLUMNS = (
    "name",
    "street_address",
    "city",
    "state",
    "country",
    "postal_code",
    "effective_date",
    "expiration_date",
    "standard_order",
    "last_update",
    "action",
    "fr_citation",
)
_REQUIRED = 7  # through Effective_Date; later columns are often cut off when empty


def parse_bis_dpl(path: Path) -> ListLoad:
    file = str(path)
    load = ListLoad(files={file: FORMAT})
    raw = read_source(path, load)
    if raw is None:
        return load
    records = csv_records(decode_text(raw), delimiter="\t")
    header = next(records, None)
    if header is None or [c.strip().lower() for c in header[1][:2]] != ["name", "street_address"]:
        load.issues.append(ParseIssue(file, 1, "not a Denied Persons List header"))
        return load
    drafts: list[EntryDraft] = []
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue  # BIS files carry an all-empty placeholder row
        if len(row) < _REQUIRED or len(row) > len(COLUMNS):
            load.issues.append(ParseIssue(file, line, f"expected {len(COLUMNS)} columns, found {len(row)}"))
            continue
        record = dict(zip(COLUMNS, [*row, *[""] * (len(COLUMNS) - len(row))], strict=True))
        draft = _draft(record, file, line, load.issues)
        if draft is not None:
            drafts.append(draft)
    load.entries = merge_drafts(drafts, source_version(FORMAT, path, raw), file, load.issues)
    return load


def _draft(record: dict[str, str], file: str, line: int, issues: list[ParseIssue]) -> EntryDraft | None:
    name = record["name"].strip()
    if not name:
        issues.append(ParseIssue(file, line, "row without a name"))
        return None
    try:
        effective = parse_date(record["effective_date"])
        expires = parse_date(record["expiration_date"])
    except ValueError as exc:
        issues.append(ParseIssue(file, line, f"bad date: {exc}"))
        return None
    draft = EntryDraft(
        list_code="DPL",
        name=name,
        line=line,
        effective_from=effective,
        effective_to=expires,
        group=(effective.isoformat() if effective else "",),
    )
    address = {
        "line1": clean(record["street_address"]),
        "city": clean(record["city"]),
        "region": clean(record["state"]),
        "postal_code": clean(record["postal_code"]),
        "country": country_code(record["country"]),
    }
    if any(address.values()):
        draft.addresses.append(address)
    draft.add_id("federal_register_notice", record["fr_citation"])
    draft.add_id("standard_order", record["standard_order"])
    return draft
