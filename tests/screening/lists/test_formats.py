"""Each native format parses its real published file; malformed rows are reported."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from screening.lists import detect_format, parse_file

# (file, format, entries per list). DPL rows of one order (same name and effective date)
# merge into one entry: the BIS files have 546 / 581 / 665 rows (the README's 545 for
# 2019-06 counts lines, and that file has no final newline).
REAL_FILES = [
    ("bis/dpl-2019-06.txt", "bis-dpl-txt", {"DPL": 417}),
    ("bis/dpl-2022-09.txt", "bis-dpl-txt", {"DPL": 461}),
    ("bis/dpl-2023-11.txt", "bis-dpl-txt", {"DPL": 547}),
    ("formats/dpl.txt", "bis-dpl-txt", {"DPL": 9}),
    ("un/UN_consolidated-2026-02.xml", "un-xml", {"UN": 730 + 273}),
    ("uk/UK_Sanctions_List-2025-04.xlsx", "uk-ofsi-xlsx", {"UK": 4686}),
    ("formats/sdn.xml", "ofac-sdn-xml", {"SDN": 4}),
    ("formats/consolidated.xml", "ofac-nonsdn-xml", {"SSI": 4, "PLC": 6, "NONSDN": 6}),
    ("formats/el.csv", "bis-el-csv", {"EL": 5}),
    ("formats/uvl.csv", "bis-uvl-csv", {"UVL": 13}),
    ("formats/isn.csv", "isn-csv", {"ISN": 3}),
    ("formats/itar_debarred_parties.csv", "ddtc-debarred-csv", {"DTC": 4}),
]


@pytest.mark.parametrize(("name", "fmt", "counts"), REAL_FILES)
def test_real_files(lists_dir: Path, name: str, fmt: str, counts: dict[str, int]) -> None:
    path = lists_dir / name
    assert detect_format(path) == fmt
    load = parse_file(path)
    assert load.issues == []
    assert load.by_list() == counts
    assert len({e.key for e in load.entries}) == len(load.entries)
    assert all(e.source_version.startswith(fmt + ":") for e in load.entries)


def test_dpl_rows_of_one_order_merge(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "bis/dpl-2023-11.txt")
    ash = next(e for e in load.entries if e.name == "I. ASH")
    assert ash.effective_from == date(2003, 6, 19) and ash.effective_to == date(2056, 6, 29)
    assert ash.addresses[0].city == "SEAGOVILLE" and ash.addresses[0].region == "TX"
    assert sum(len(e.addresses) for e in load.entries) >= 600


def test_un_aliases_quality_and_kinds(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "un/UN_consolidated-2026-02.xml")
    kinds = Counter(e.kind.value for e in load.entries)
    assert kinds == {"person": 730, "organization": 273}
    assert sum(len(e.weak_aliases) for e in load.entries) == 615  # QUALITY "Low"
    katanga = next(e for e in load.entries if e.source_id == "CDi.006")
    assert katanga.programs == ["DRC"] and katanga.addresses[0].country == "CD"


def test_uk_groups(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "uk/UK_Sanctions_List-2025-04.xlsx")
    haq = next(e for e in load.entries if e.source_id == "15672")
    assert haq.name == "HAQ, Mian Abdul" and haq.kind.value == "person"
    assert "MITHOO, Mian" in haq.aliases
    assert haq.programs == ["Global Human Rights"]
    assert haq.effective_from == date(2022, 12, 9)
    assert any(e.weak_aliases for e in load.entries)


def test_ofac_xml_matches_csv_conventions(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "formats/sdn.xml")
    bnc = next(e for e in load.entries if e.source_id == "306")
    assert bnc.weak_aliases == ["BNC"] and bnc.aliases == ["NATIONAL BANK OF CUBA"]
    person = next(e for e in load.entries if e.source_id == "6982")
    assert person.name == "JIM'ALE, Ahmed Nur Ali"
    assert person.ids is not None and person.ids["passport"] == ["A0181988 (Somalia)"]


def test_native_inline_aliases(lists_dir: Path) -> None:
    dtc = {e.name: e for e in parse_file(lists_dir / "formats/itar_debarred_parties.csv").entries}
    assert dtc["Hukic, Bajro"].aliases == ["Bob Hukic", "Bab Hucici"]
    el = {e.name: e for e in parse_file(lists_dir / "formats/el.csv").entries}
    assert len(el["Zurmat Construction Company offices"].addresses) == 7
    assert "Jawid, Sa’id Jan ‘Abd-al-Salam" in el["Qazi Abdallah"].aliases  # cp1252 quotes repaired


# Malformed input, one table row per format: (file name, content, good names, issue lines).
DPL_HEADER = "Name\tStreet_Address\tCity\tState\tCountry\tPostal_Code\tEffective_Date\tExpiration_Date\tStandard_Order\tLast_Update\tAction\tFR_Citation\n"  # noqa: E501
MALFORMED = [
    (
        "dpl.txt",
        DPL_HEADER
        + "GOOD PERSON\t1 MAIN ST\tTOWN\t\tUS\t\t1/2/2020\t1/2/2030\tY\n"
        + "SHORT\tROW\n"
        + "BAD DATE\t\t\t\tUS\t\t31/31/2020\t\tY\n"
        + "\t\t\t\tUS\t\t1/2/2020\t\tY\n",
        ["GOOD PERSON"],
        [3, 4, 5],
    ),
    (
        "isn.csv",
        "Source List,Programs,Name,Alternative Names,Country,Federal Register Notice,Effective Date,Remarks/Notes,Web Link\n"  # noqa: E501
        + "ISN,INKSNA,Good Plant,,Russia,,6/28/2016,,\n"
        + "ISN,INKSNA,Bad Date Plant,,Russia,,June 2016,,\n"
        + "ISN,INKSNA,,,Russia,,6/28/2016,,\n",
        ["Good Plant"],
        [3, 4],
    ),
    (
        "itar_debarred_parties.csv",
        "Debarred Party Full Name And Alias,Date of Birth,Notice,Notice Date,Corrected Notice,Corrected Notice Date,\n"
        + '"Good, Person",,57 FR 1,1/13/1992,,\n'
        + ",,57 FR 2,1/13/1992,,\n",
        ["Good, Person"],
        [3],
    ),
    (
        "un.xml",
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:00Z">\n<INDIVIDUALS>\n'
        "<INDIVIDUAL><FIRST_NAME>GOOD</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL>\n"
        "<INDIVIDUAL><REFERENCE_NUMBER>QDi.2</REFERENCE_NUMBER></INDIVIDUAL>\n"
        "</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n",
        ["GOOD"],
        [5],
    ),
    (
        "sdn.xml",
        '<?xml version="1.0"?>\n<sdnList xmlns="http://tempuri.org/sdnList.xsd">\n'
        "<sdnEntry><uid>1</uid><lastName>GOOD CO</lastName><sdnType>Entity</sdnType></sdnEntry>\n"
        "<sdnEntry><uid>2</uid><sdnType>Entity</sdnType></sdnEntry>\n"
        "</sdnList>\n",
        ["GOOD CO"],
        [4],
    ),
    (
        "blocked.yaml",
        "- name: Good Trading FZE\n  country: AE\n"
        "- name: Bad Date LLC\n  effective_from: 15/01/2024\n"
        "- aliases: [nameless]\n",
        ["Good Trading FZE"],
        [3, 5],
    ),
    (
        "blocked.csv",
        "name,aliases,country,list,effective_from,effective_to,reason\n"
        + "Good Co,GC;Good Company,CN,,2024-01-01,,audit finding\n"
        + ",x,CN,,,,no name\n"
        + "Bad Kind Co,,CN,lower case!,,,bad list code\n",
        ["Good Co"],
        [3, 4],
    ),
]


@pytest.mark.parametrize(("name", "content", "good", "lines"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_rows_reported_with_file_and_line(
    tmp_path: Path, name: str, content: str, good: list[str], lines: list[int]
) -> None:
    path = tmp_path / name
    path.write_text(content)
    load = parse_file(path)
    assert [e.name for e in load.entries] == good
    assert sorted(i.line for i in load.issues if i.line is not None) == lines
    assert all(i.file == str(path) for i in load.issues)


def test_malformed_uk_workbook_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Last Updated", "10/04/2025"])
    sheet.append(
        ["Name 6", "Name 1", "Alias Type", "Alias Quality", "Group Type", "Regime", "Listed On", "Group ID"]
    )
    sheet.append(["DOE", "John", "Primary name", None, "Individual", "Russia", "01/02/2023", "1"])
    sheet.append(["DOE", "Jon", "AKA", "Low quality", "Individual", "Russia", "01/02/2023", "1"])
    sheet.append([None, None, "AKA", None, "Individual", "Russia", "01/02/2023", "2"])
    sheet.append(["ACME", None, "Primary name", None, "Entity", "Russia", "not a date", "3"])
    path = tmp_path / "uk.xlsx"
    workbook.save(path)
    load = parse_file(path)
    assert [(e.name, e.weak_aliases) for e in load.entries] == [("DOE, John", ["DOE, Jon"]), ("ACME", [])]
    assert load.entries[0].effective_from == date(2023, 2, 1)  # day first
    assert sorted(i.line for i in load.issues) == [5, 6]


def test_unreadable_and_unknown_files_are_issues(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "broken.xml").write_text("<CONSOLIDATED_LIST><INDIVIDUALS>")
    for name in ("notes.txt", "broken.xml"):
        load = parse_file(tmp_path / name)
        assert load.entries == [] and len(load.issues) == 1 and load.issues[0].file.endswith(name)
