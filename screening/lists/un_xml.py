"""UN Security Council consolidated list XML (CONSOLIDATED_LIST: INDIVIDUALS, ENTITIES).

Element names per the UN's sc-sanctions.xsd. Aliases of "Low" quality are kept as weak.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screening.lists.countries import country_code
from screening.lists.parsed import (
    ListLoad,
    ParseIssue,
    XmlPosition,
    build_entry,
    clean,
    read_xml,
    source_version,
    unique,
)

FORMAT = "un-xml"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(element: ET.Element, tag: str) -> str | None:
    return clean(element.findtext(tag))


def _values(element: ET.Element, tag: str) -> list[str]:
    return [v for v in (clean(x.text) for x in element.findall(f"{tag}/VALUE")) if v]


def parse_un_xml(path: Path) -> ListLoad:
    file = str(path)
    load = ListLoad(files={file: FORMAT})
    document = read_xml(path, load, "CONSOLIDATED_LIST")
    if document is None:
        return load
    raw, root = document
    generated = (root.get("dateGenerated") or "")[:10]
    version = f"{FORMAT}:{generated}" if generated else source_version(FORMAT, path, raw)
    for kind, group, tag in (("person", "INDIVIDUALS", "INDIVIDUAL"), ("organization", "ENTITIES", "ENTITY")):
        for index, element in enumerate(root.findall(f"{group}/{tag}"), start=1):
            where = XmlPosition(raw, f"{tag} #{index}")
            entry = _entry(element, kind, tag, version, file, where, load.issues)
            if entry is not None:
                load.entries.append(entry)
    return load


def _entry(
    element: ET.Element,
    kind: str,
    tag: str,
    version: str,
    file: str,
    where: XmlPosition,
    issues: list[ParseIssue],
) -> ListEntry | None:
    reference = _text(element, "REFERENCE_NUMBER") or _text(element, "DATAID")
    name = " ".join(p for p in (_text(element, part) for part in _NAME_PARTS) if p)
    if not reference or not name:
        missing = "reference number" if not reference else "name"
        issues.append(ParseIssue(file, where.line(reference or name), f"{where.label}: missing {missing}"))
        return None
    aliases: list[str] = []
    weak: list[str] = []
    for alias in element.findall(f"{tag}_ALIAS"):
        alias_name = _text(alias, "ALIAS_NAME")
        if alias_name:
            (weak if (_text(alias, "QUALITY") or "").lower() == "low" else aliases).append(alias_name)
    original = _text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(original)
    addresses = []
    for address in element.findall(f"{tag}_ADDRESS"):
        parts = {
            "line1": _text(address, "STREET"),
            "city": _text(address, "CITY"),
            "region": _text(address, "STATE_PROVINCE"),
            "postal_code": _text(address, "ZIP_CODE"),
            "country": country_code(_text(address, "COUNTRY")),
        }
        if any(parts.values()):
            addresses.append(parts)
    ids = _ids(element, tag)
    listed_on = _text(element, "LISTED_ON")
    try:
        # Some records carry a zone offset after the date ("2015-04-07-04:00").
        effective = date.fromisoformat(listed_on[:10]) if listed_on else None
    except ValueError:
        issues.append(
            ParseIssue(file, where.line(reference), f"{reference}: LISTED_ON {listed_on!r} is not a date")
        )
        effective = None
    fields: dict[str, Any] = {
        "list": "UN",
        "source_id": reference,
        "kind": kind,
        "name": name,
        "aliases": [a for a in unique(aliases) if a != name],
        "weak_aliases": [a for a in unique(weak) if a != name],
        "addresses": addresses,
        "programs": [p for p in [_text(element, "UN_LIST_TYPE")] if p],
        "ids": ids or None,
        "effective_from": effective,
        "remarks": _text(element, "COMMENTS1"),
        "source_version": version,
    }
    return build_entry(fields, file, None, issues)


def _ids(element: ET.Element, tag: str) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}

    def add(key: str, value: str | None) -> None:
        if value and value not in ids.setdefault(key, []):
            ids[key].append(value)

    for dob in element.findall(f"{tag}_DATE_OF_BIRTH"):
        from_year, to_year = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
        add(
            "dob",
            _text(dob, "DATE") or _text(dob, "YEAR") or (f"{from_year}-{to_year}" if from_year else None),
        )
    for pob in element.findall(f"{tag}_PLACE_OF_BIRTH"):
        add("pob", ", ".join(p for p in (_text(pob, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p))
    for document in element.findall(f"{tag}_DOCUMENT"):
        number = _text(document, "NUMBER")
        doc_type = _text(document, "TYPE_OF_DOCUMENT")
        if number and doc_type:
            country = _text(document, "ISSUING_COUNTRY") or _text(document, "COUNTRY_OF_ISSUE")
            key = (
                "passport"
                if "passport" in doc_type.lower()
                else "national_id_no"
                if "national" in doc_type.lower()
                else "document"
            )
            add(key, f"{number} ({country})" if country else number)
    for value in _values(element, "NATIONALITY"):
        add("nationality", value)
    for value in _values(element, "DESIGNATION"):
        add("title", value)
    for value in _values(element, "TITLE"):
        add("honorific", value)
    add("gender", _text(element, "GENDER"))
    return {k: v for k, v in ids.items() if v}
