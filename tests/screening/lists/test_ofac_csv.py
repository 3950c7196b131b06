from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from screening.lists import load_directory, parse_file
from screening.lists.ofac_csv import parse_ofac_csv, parse_programs


# The data README says 7,378 for 2019-01 (its `wc -l`): that sdn.csv has no final
# newline, and holds 7,379 rows with distinct ent_nums.
@pytest.mark.parametrize(
    ("folder", "entries"),
    [("ofac/sdn-2021-07", 8976), ("ofac/sdn-2019-01", 7379)],
)
def test_sdn_csv_sets_parse_completely(lists_dir: Path, folder: str, entries: int) -> None:
    load = load_directory(lists_dir / folder)
    assert load.issues == []
    assert len(load.entries) == entries
    assert load.by_list() == {"SDN": entries}
    assert len({e.key for e in load.entries}) == entries
    assert len(load.files) == 4


def test_sdn_2021_aliases_addresses_and_kinds(lists_dir: Path) -> None:
    load = load_directory(lists_dir / "ofac/sdn-2021-07")
    # 11,910 alt.csv rows; two repeat a name already given for the same entry.
    assert sum(len(e.aliases) for e in load.entries) == 11908
    kinds = Counter(e.kind.value for e in load.entries)
    assert kinds["vessel"] == 406 and kinds["aircraft"] == 277
    by_id = {e.source_id: e for e in load.entries}
    bnc = by_id["306"]
    assert bnc.key == "SDN:306"
    assert bnc.aliases == ["NATIONAL BANK OF CUBA"]
    # OFAC's sdn.xml rates "BNC" weak; the CSV carries it only as a quoted remark.
    assert bnc.weak_aliases == ["BNC"]
    assert [a.country for a in bnc.addresses] == ["CH", "ES", "JP", "PA"]
    assert bnc.programs == ["CUBA"]


def test_sdn_remarks_continue_in_comments_file(lists_dir: Path) -> None:
    load = load_directory(lists_dir / "ofac/sdn-2021-07")
    entry = next(e for e in load.entries if e.source_id == "12300")
    assert entry.remarks is not None and "C.I. METALURGIA EXTRACTIVA" in entry.remarks


def test_nonsdn_set_maps_programs_to_specific_lists(lists_dir: Path) -> None:
    load = load_directory(lists_dir / "ofac/nonsdn-2025-12")
    assert load.issues == []
    assert len(load.entries) == 442
    counts = load.by_list()
    assert counts["PLC"] == 78 and counts["CMIC"] == 68
    assert sum(counts.values()) == 442
    haniya = next(e for e in load.entries if e.source_id == "9639")
    assert haniya.key == "PLC:9639" and haniya.kind.value == "person"
    assert "HANIYA, Ismail" in haniya.aliases
    assert haniya.ids is not None and haniya.ids["dob"] == ["1962"]


def test_lone_daily_snapshot(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "ofac/sdn-daily/sdn_2024-02-20.csv")
    assert load.issues == []
    assert len(load.entries) == 13931
    assert {e.source_version for e in load.entries} == {"ofac-sdn-csv:2024-02-20"}


def test_programs_field() -> None:
    assert parse_programs("UKRAINE-EO13662] [RUSSIA-EO14024") == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert parse_programs("SDGT") == ["SDGT"]


def test_remarks_become_ids(tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.csv"
    sdn.write_text(
        '1,"DOE, John","individual","SDGT] [IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 12 Jan 1960; alt. DOB 1961; nationality Iran; Passport X123 (Iran); Tax ID No. 77 (Russia);'
        " a.k.a. 'JD'.\"\n"
    )
    (entry,) = parse_ofac_csv(sdn).entries
    assert entry.ids == {
        "dob": ["12 Jan 1960", "1961"],
        "nationality": ["Iran"],
        "passport": ["X123 (Iran)"],
        "tax_id_no": ["77 (Russia)"],
    }
    assert entry.weak_aliases == ["JD"]
    assert entry.programs == ["SDGT", "IRAN"]


def test_malformed_rows_are_reported_and_the_rest_parsed(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text(
        '10,"GOOD CO",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
        '11,"SHORT ROW",-0- \n'
        'x12,"BAD NUMBER",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
        '13,"",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
        '14,"OTHER CO",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
        "\x1a"
    )
    (tmp_path / "alt.csv").write_text(
        '10,1,"aka","GOOD ALIAS",-0- \n10,2,"aka",-0- ,-0- \n99,3\n10,4,"aka","GA","weak aka"\n'
    )
    (tmp_path / "add.csv").write_text(
        '10,1,"Street 1","Havana","Cuba",-0- \n14,2,-0- ,-0- ,"Atlantis",-0- \n'
    )
    load = load_directory(tmp_path)
    assert [e.source_id for e in load.entries] == ["10", "14"]
    assert load.entries[0].aliases == ["GOOD ALIAS"]
    assert load.entries[0].weak_aliases == ["GA"]
    assert load.entries[0].addresses[0].country == "CU"
    assert load.entries[1].addresses[0].country is None  # unknown country → None, place kept
    assert load.entries[1].addresses[0].region == "Atlantis"
    where = sorted((Path(i.file).name, i.line) for i in load.issues)
    assert where == [("alt.csv", 2), ("alt.csv", 3), ("sdn.csv", 2), ("sdn.csv", 3), ("sdn.csv", 4)]
