"""Identifying details (DOB, passports, tax ids, phones, ...) pulled from publisher text.

OFAC's legacy CSV has no id columns: everything sits in the free-text remarks as
`;`-separated "<Label> <value>" segments ("DOB 12 Jan 1960; alt. Passport X1 (Iran)").
The CSL flattens the same data to "<country>, <number>, <type>" triples. Both end up in
`ListEntry.ids` as {normalised label: [values]} so matchers see one shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Labels OFAC uses in remarks (and as XML idType), longest first so "Tax ID No." wins
# over "Tax". Segments with other labels stay only in `remarks`.
_REMARK_LABELS = sorted(
    [
        "DOB",
        "POB",
        "nationality",
        "citizen",
        "Gender",
        "Passport",
        "Diplomatic Passport",
        "National ID No.",
        "Cedula No.",
        "Tax ID No.",
        "Registration ID",
        "Registration Number",
        "Business Registration Number",
        "Business Number",
        "Company Number",
        "SSN",
        "C.U.R.P.",
        "R.F.C.",
        "RFC",
        "V.A.T. Number",
        "D-U-N-S Number",
        "ISIN",
        "Legal Entity Number",
        "Unified Social Credit Code (USCC)",
        "Identification Number",
        "Personal ID Card",
        "Driver's License No.",
        "Electoral Registry No.",
        "Matricula Mercantil No",
        "Folio Mercantil No.",
        "Commercial Registry Number",
        "Trade License No.",
        "Government Gazette Number",
        "BIK (RU)",
        "NIT #",
        "D.N.I.",
        "C.R. No.",
        "Email Address",
        "Website",
        "Phone Number",
        "Telephone",
        "Fax",
        "SWIFT/BIC",
        "Vessel Registration Identification",
        "MMSI",
        "Other Vessel Call Sign",
        "Other Vessel Flag",
        "Former Vessel Flag",
        "Vessel Year of Build",
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        "Aircraft Tail Number",
        "Aircraft Model",
        "Aircraft Operator",
        "Aircraft Manufacture Date",
        "Aircraft Mode S Transponder Code",
        "Organization Established Date",
        "Organization Type:",
        "Target Type",
        "Linked To:",
        "Equity Ticker",
        "Issuer Name",
        "Listing Date (CMIC)",
        "Effective Date (CMIC)",
        "Purchase/Sales For Divestment Date (CMIC)",
    ],
    key=len,
    reverse=True,
)
_LABEL_RE = re.compile(
    r"^(?:alt\.\s+)?(?P<label>" + "|".join(re.escape(label) for label in _REMARK_LABELS) + r")(?:\s+|$)"
)
_DIGITAL_CURRENCY = re.compile(r"^(?:alt\.\s+)?Digital Currency Address - (?P<coin>\w+)\s+(?P<value>.+)$")
_ALIAS_IN_REMARKS = re.compile(r"^(?:alt\.\s+)?[afn]\.k\.a\.,?\s+(?P<value>.+)$")

_KEY_OVERRIDES = {
    "citizen": "citizenship",
    "aircraft_manufacturer_s_serial_number_msn": "aircraft_msn",
    "aircraft_construction_number_also_called_l_n_or_s_n_or_f_n": "aircraft_construction_number",
    "unified_social_credit_code_uscc": "uscc",
}


def id_key(label: str) -> str:
    """`Tax ID No.` → `tax_id_no`; `DOB` → `dob`: one key per identifier type."""
    key = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return _KEY_OVERRIDES.get(key, key)


@dataclass
class RemarkDetails:
    ids: dict[str, list[str]] = field(default_factory=dict)
    weak_aliases: list[str] = field(default_factory=list)

    def add(self, key: str, value: str) -> None:
        values = self.ids.setdefault(key, [])
        if value not in values:
            values.append(value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].strip()
    return value


def parse_ofac_remarks(remarks: str | None) -> RemarkDetails:
    """Split OFAC remarks into ids and the quoted a.k.a.s OFAC rates as weak."""
    details = RemarkDetails()
    if not remarks:
        return details
    # OFAC ends the remarks with a full stop that belongs to no value.
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    for raw in text.split(";"):
        segment = raw.strip()
        if not segment:
            continue
        alias = _ALIAS_IN_REMARKS.match(segment)
        if alias:
            name = _unquote(alias.group("value").strip())
            if name and name not in details.weak_aliases:
                details.weak_aliases.append(name)
            continue
        coin = _DIGITAL_CURRENCY.match(segment)
        if coin:
            details.add(f"digital_currency_address_{coin.group('coin').lower()}", coin.group("value").strip())
            continue
        match = _LABEL_RE.match(segment)
        if match:
            value = segment[match.end() :].strip()
            if value:
                details.add(id_key(match.group("label")), value)
    return details


def parse_csl_ids(text: str | None) -> dict[str, list[str]]:
    """CSL `ids`: "RU, 1027700256297, Registration ID; Male, Gender; www.x.ru, Website"."""
    ids: dict[str, list[str]] = {}
    if not text:
        return ids
    for raw in text.split(";"):
        parts = [part.strip() for part in raw.split(",")]
        if len(parts) < 2 or not parts[-1]:
            continue
        label = parts[-1]
        if len(parts) >= 3 and len(parts[0]) == 2 and parts[0].isupper():
            value = f"{', '.join(parts[1:-1])} ({parts[0]})"
        else:
            value = ", ".join(parts[:-1])
        if not value:
            continue
        values = ids.setdefault(id_key(label), [])
        if value not in values:
            values.append(value)
    return ids
