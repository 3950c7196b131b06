from __future__ import annotations

from datetime import date
from pathlib import Path

from screening.lists import detect_format, parse_file

YAML = """\
entries:
  - name: Example Trading FZE
    aliases: [Example Trading, EXT FZE]
    country: AE
    effective_from: 2024-01-15
    reason: Diversion to a sanctioned end user found in audit 2023-17
  - name: Jane Roe
    kind: person
    list: internal-hr
    id: HR-7
    effective_to: 2025-12-31
    reason: Former employee, export-control violation
"""

CSV = """\
name,aliases,country,list,effective_from,effective_to,reason
Example Trading FZE,Example Trading;EXT FZE,United Arab Emirates,,2024-01-15,,Diversion found in audit 2023-17
"""


def test_yaml_internal_list(tmp_path: Path) -> None:
    path = tmp_path / "blocked.yaml"
    path.write_text(YAML)
    assert detect_format(path) == "internal-list"
    load = parse_file(path)
    assert load.issues == []
    example, jane = load.entries
    assert example.list_code == "INTERNAL"
    assert example.aliases == ["Example Trading", "EXT FZE"]
    assert example.addresses[0].country == "AE"
    assert example.effective_from == date(2024, 1, 15)
    assert example.remarks is not None and "audit 2023-17" in example.remarks
    assert example.in_force(date(2024, 1, 14)) is False
    assert jane.key == "INTERNAL-HR:HR-7" and jane.kind.value == "person"
    assert jane.effective_to == date(2025, 12, 31)


def test_csv_and_yaml_give_the_same_key(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(YAML)
    (tmp_path / "b.csv").write_text(CSV)
    assert detect_format(tmp_path / "b.csv") == "internal-list"
    from_yaml = parse_file(tmp_path / "a.yaml").entries[0]
    from_csv = parse_file(tmp_path / "b.csv").entries[0]
    assert from_csv.key == from_yaml.key
    assert from_csv.aliases == from_yaml.aliases and from_csv.addresses == from_yaml.addresses


def test_invalid_yaml_is_one_issue_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "blocked.yml"
    path.write_text("- name: A\n  aliases: [unclosed\n")
    load = parse_file(path)
    assert load.entries == []
    assert len(load.issues) == 1 and load.issues[0].line is not None
