"""OFAC `sdn.xml` and `consolidated.xml` (non-SDN), namespace tempuri.org/sdnList.xsd.

Same keys and shapes as the legacy CSV parser (`SDN:<uid>`, "LAST, First" names, ids
keyed like the remark labels) so a switch of format does not read as a list change.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screening.lists.countries import country_code
from screening.lists.identifiers import id_key
from screening.lists.ofac_csv import nonsdn_list_code
from screening.lists.parsed import (
    KIND_WORDS,
    ListLoad,
    ParseIssue,
    XmlPosition,
    build_entry,
    clean,
    read_xml,
    source_version,
    unique,
)

FORMAT_SDN = "ofac-sdn-xml"
FORMAT_NONSDN = "ofac-nonsdn-xml"
_NS = "{http://tempuri.org/sdnList.xsd}"
_VESSEL_FIELDS = {
    "callSign": "call_sign",
    "vesselType": "vessel_type",
    "vesselFlag": "vessel_flag",
    "vesselOwner": "vessel_owner",
    "tonnage": "tonnage",
    "grossRegisteredTonnage": "grt",
}


def _text(element: ET.Element, tag: str) -> str | None:
    return clean(element.findtext(_NS + tag))


def _full_name(element: ET.Element) -> str:
    last, first = _text(element, "lastName"), _text(element, "firstName")
    return f"{last}, {first}" if last and first else (last or first or "")


def _publish_date(root: ET.Element) -> str | None:
    text = root.findtext(f"{_NS}publshInformation/{_NS}Publish_Date")  # OFAC's spelling
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date().isoformat() if text else None
    except ValueError:
        return None


def parse_ofac_xml(path: Path, *, nonsdn: bool | None = None) -> ListLoad:
    """`nonsdn` defaults to "the file is named consolidated*.xml"."""
    if nonsdn is None:
        nonsdn = path.name.lower().startswith("consolidated")
    fmt = FORMAT_NONSDN if nonsdn else FORMAT_SDN
    file = str(path)
    load = ListLoad(files={file: fmt})
    document = read_xml(path, load, _NS + "sdnList")
    if document is None:
        return load
    raw, root = document
    published = _publish_date(root)
    version = f"{fmt}:{published}" if published else source_version(fmt, path, raw)
    for index, element in enumerate(root.findall(_NS + "sdnEntry"), start=1):
        entry = _entry(element, nonsdn, version, file, XmlPosition(raw, f"sdnEntry #{index}"), load.issues)
        if entry is not None:
            load.entries.append(entry)
    return load


def _entry(
    element: ET.Element, nonsdn: bool, version: str, file: str, where: XmlPosition, issues: list[ParseIssue]
) -> ListEntry | None:
    uid = _text(element, "uid")
    name = _full_name(element)
    if not uid or not uid.isdigit() or not name:
        needle = f"<uid>{uid}</uid>" if uid else name
        issues.append(ParseIssue(file, where.line(needle), f"{where.label}: missing or bad uid or name"))
        return None
    # consolidated.xml names the type of some non-SDN records `nspType`.
    sdn_type = (_text(element, "sdnType") or _text(element, "nspType") or "").lower()
    kind = KIND_WORDS.get(sdn_type)
    if kind is None:
        issues.append(ParseIssue(file, where.line(f"<uid>{uid}</uid>"), f"unknown sdnType {sdn_type!r}"))
        kind = "organization"
    programs = [p for p in (clean(p.text) for p in element.findall(f"{_NS}programList/{_NS}program")) if p]
    aliases: list[str] = []
    weak: list[str] = []
    for aka in element.findall(f"{_NS}akaList/{_NS}aka"):
        alias = _full_name(aka)
        if alias:
            (weak if (_text(aka, "category") or "").lower() == "weak" else aliases).append(alias)
    fields: dict[str, Any] = {
        "list": nonsdn_list_code(programs) if nonsdn else "SDN",
        "source_id": uid,
        "kind": kind,
        "name": name,
        "aliases": unique(aliases),
        "weak_aliases": unique(weak),
        "addresses": _addresses(element),
        "programs": programs,
        "ids": _ids(element) or None,
        "remarks": _text(element, "remarks"),
        "source_version": version,
    }
    return build_entry(fields, file, where.line(f"<uid>{uid}</uid>"), issues)


def _addresses(element: ET.Element) -> list[dict[str, str | None]]:
    addresses = []
    for address in element.findall(f"{_NS}addressList/{_NS}address"):
        line1 = ", ".join(p for p in (_text(address, f"address{i}") for i in (1, 2, 3)) if p) or None
        fields = {
            "line1": line1,
            "city": _text(address, "city"),
            "region": _text(address, "stateOrProvince"),
            "postal_code": _text(address, "postalCode"),
            "country": country_code(_text(address, "country")),
        }
        if any(fields.values()):
            addresses.append(fields)
    return addresses


def _ids(element: ET.Element) -> dict[str, Any]:
    ids: dict[str, Any] = {}

    def add(key: str, value: str | None) -> None:
        if value and value not in ids.setdefault(key, []):
            ids[key].append(value)

    for item in element.findall(f"{_NS}idList/{_NS}id"):
        id_type, number, country = _text(item, "idType"), _text(item, "idNumber"), _text(item, "idCountry")
        if id_type and number:
            add(id_key(id_type), f"{number} ({country})" if country else number)
    for list_tag, item_tag, key in (
        ("dateOfBirthList", "dateOfBirthItem", "dob"),
        ("placeOfBirthList", "placeOfBirthItem", "pob"),
        ("nationalityList", "nationality", "nationality"),
        ("citizenshipList", "citizenship", "citizenship"),
    ):
        for item in element.findall(f"{_NS}{list_tag}/{_NS}{item_tag}"):
            add(key, _text(item, "dateOfBirth") or _text(item, "placeOfBirth") or _text(item, "country"))
    ids = {k: v for k, v in ids.items() if v}
    title = _text(element, "title")
    if title:
        ids["title"] = title
    vessel = element.find(_NS + "vesselInfo")
    if vessel is not None:
        for tag, key in _VESSEL_FIELDS.items():
            value = _text(vessel, tag)
            if value:
                ids[key] = value
    return ids
