from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from screening.lists import detect_format, parse_file
from screening.lists.csl import list_code_for_source, parse_csl_address

# Row counts per source as published (data README); the CSL repeats one CAP row
# (BANK OF KUNLUN, 15268), which becomes one entry plus a reported duplicate.
CSL_2022_ROWS = {
    "SDN": 10026,
    "EL": 2001,
    "DTC": 727,
    "DPL": 462,
    "SSI": 290,
    "UVL": 201,
    "ISN": 163,
    "PLC": 78,
    "MEU": 71,
    "CMIC": 68,
    "CAP": 53,
    "NS-MBS": 17,
    "FSE": 3,
}


def test_full_csl_2022(lists_dir: Path) -> None:
    path = lists_dir / "csl/consolidated-2022-05.csv.gz"
    assert detect_format(path) == "csl-csv"
    load = parse_file(path)
    assert sum(CSL_2022_ROWS.values()) == 14160
    assert [i.message for i in load.issues] == ["duplicate key CAP:15268; first kept"]
    assert load.by_list() == {**CSL_2022_ROWS, "CAP": 52}
    keys = {e.key for e in load.entries}
    assert len(keys) == len(load.entries)
    # SDN rows are keyed by OFAC's ent_num, so they meet the OFAC CSV's keys.
    assert "SDN:21944" in keys


def test_entity_list_record_keeps_licence_text_and_dates(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "csl/consolidated-2022-05.csv.gz")
    plant = next(e for e in load.entries if e.list_code == "EL" and e.name == "140 Repair Plant JSC")
    assert plant.effective_from == date(2022, 4, 7)
    assert plant.license_requirement is not None and plant.license_requirement.startswith("For all items")
    assert plant.license_policy == "Policy of denial."
    assert plant.aliases == ["Open Joint Stock Company 140 Repair Plant", "JSC 140 Repair Plant"]
    assert plant.addresses[0].country == "BY" and plant.addresses[0].city == "Borisov"
    assert plant.ids == {"federal_register_notice": "87 FR 20299"}


@pytest.mark.parametrize(
    ("name", "entries"),
    [("csl-2019-12-sample.csv", 115), ("consolidated-2025-06-sample.csv", 13)],
)
def test_csl_samples(lists_dir: Path, name: str, entries: int) -> None:
    load = parse_file(lists_dir / "csl" / name)
    assert load.issues == []
    assert len(load.entries) == entries


def test_2019_sample_without_id_gets_stable_ids(lists_dir: Path) -> None:
    first = parse_file(lists_dir / "csl/csl-2019-12-sample.csv")
    second = parse_file(lists_dir / "csl/csl-2019-12-sample.csv")
    assert [e.key for e in first.entries] == [e.key for e in second.entries]
    dpl = [e for e in first.entries if e.list_code == "DPL"]
    assert dpl and all(len(e.source_id) == 40 for e in dpl)


def test_source_names_map_to_codes() -> None:
    assert (
        list_code_for_source("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department")
        == "NS-MBS"
    )
    assert list_code_for_source("Military End User (MEU) List - Bureau of Industry and Security") == "MEU"
    assert list_code_for_source("Some New List - Nowhere") is None


def test_address_split() -> None:
    assert parse_csl_address("19 Luysi Chalovskoy St., Borisov, 222512, BY") == {
        "line1": "19 Luysi Chalovskoy St.",
        "city": "Borisov",
        "postal_code": "222512",
        "country": "BY",
    }


HEADER = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids"  # noqa: E501


def _row(_id: str, source: str, name: str, start: str = "") -> str:
    cells = [""] * 29
    cells[0], cells[1], cells[5], cells[9] = _id, source, name, start
    return ",".join(cells)


def test_malformed_csl_rows(tmp_path: Path) -> None:
    el = "Entity List (EL) - Bureau of Industry and Security"
    text = (
        "\n".join(
            [
                HEADER,
                _row("a1", el, "Good Co"),
                "a2,too,few",
                _row("a3", "Mystery List (ZZ)", "Who"),
                _row("a4", el, ""),
                _row("a5", el, "Bad Date Co", start="31/12/2020"),
            ]
        )
        + "\n"
    )
    path = tmp_path / "csl.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    load = parse_file(path)
    assert [e.name for e in load.entries] == ["Good Co", "Bad Date Co"]
    assert load.entries[1].effective_from is None
    assert sorted(i.line for i in load.issues if i.line) == [3, 4, 5, 6]
    assert all(i.file == str(path) for i in load.issues)
