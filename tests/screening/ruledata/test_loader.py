"""Rule data loads from YAML, validated: bad data names file, line and reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from screening.ruledata import RuleData
from screening.ruledata.loader import FILES, RuleDataError, load_rule_data, packaged_texts, rule_data_from_texts


def test_the_packaged_rule_data_loads_with_a_declared_and_a_content_version() -> None:
    data = RuleData.packaged()
    declared, _, digest = data.version.partition("+")
    assert declared and len(digest) == 12
    assert data.eccn("3A001", date(2018, 5, 1)) is not None
    assert data.groups_of("IR", date(2018, 5, 1)) >= {"E:1", "D:1"}
    assert data.ownership_rule("EL", date(2025, 10, 1)) is not None
    assert data.ownership_rule("EL", date(2026, 1, 1)) is None  # suspended


def test_the_version_follows_the_content(tmp_path: Path) -> None:
    texts = packaged_texts()
    texts["de_minimis.yaml"] = texts["de_minimis.yaml"].replace("max_us_content_pct: 25", "max_us_content_pct: 20")
    changed = rule_data_from_texts(texts, "copy")
    assert changed.version != RuleData.packaged().version
    assert changed.version.split("+")[0] == RuleData.packaged().version.split("+")[0]


def test_a_rules_dir_is_read_like_the_packaged_copy(tmp_path: Path) -> None:
    for name, text in packaged_texts().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert load_rule_data(tmp_path).version == RuleData.packaged().version


def broken(name: str, old: str, new: str) -> str:
    texts = packaged_texts()
    assert old in texts[name], f"{old!r} not in {name}"
    texts[name] = texts[name].replace(old, new, 1)
    with pytest.raises(RuleDataError) as e:
        rule_data_from_texts(texts, "rules")
    return str(e.value)


def line_of(name: str, text: str) -> int:
    return next(i for i, line in enumerate(packaged_texts()[name].splitlines(), start=1) if text in line)


@pytest.mark.parametrize(("name", "old", "new", "reason"), [
    ("embargoes.yaml", "to: 2017-10-11", "to: 2017-13-45", "valid date"),
    ("country_groups.yaml", "countries: [IR, KP, SY]", "countries: [IR, XX, SY]", "country code"),
    ("embargoes.yaml", '    source: "Executive Order 12959', '    sauce: "Executive Order 12959', "source"),
    ("eccns.yaml", "  - eccn: 3A991", "  - eccn: 3Z991", "should match pattern"),
    ("de_minimis.yaml", 'country_groups: ["E:1", "E:2"]', 'country_groups: ["E:1", "E:9"]', "not defined"),
    ("country_chart.yaml", "controls: [CB1, NS1, MT1, RS1]", "controls: [CB1, NS9, MT1, RS1]", "NS9"),
])
def test_bad_data_names_file_line_and_reason(name: str, old: str, new: str, reason: str) -> None:
    message = broken(name, old, new)
    assert f"rules/{name}, line {line_of(name, old.strip())}:" in message, message
    assert reason in message


def test_an_item_without_dates_is_rejected() -> None:
    message = broken("embargoes.yaml", "    from: 1995-05-07\n", "")
    assert f"rules/embargoes.yaml, line {line_of('embargoes.yaml', '- id: IR')}:" in message
    assert "from" in message and "Field required" in message


def test_dates_must_be_in_order() -> None:
    message = broken("embargoes.yaml", "    from: 1997-11-04", "    from: 2018-11-04")
    assert "before 'from'" in message


def test_broken_yaml_names_its_line() -> None:
    message = broken("transshipment.yaml", "hubs:\n", "hubs: [\n")
    assert "rules/transshipment.yaml, line" in message and "not valid YAML" in message


def test_a_missing_file_stops_the_load(tmp_path: Path) -> None:
    for name, text in packaged_texts().items():
        if name != "eccns.yaml":
            (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"eccns\.yaml: file is missing"):
        load_rule_data(tmp_path)
    assert "eccns.yaml" in FILES


def test_an_unknown_red_flag_threshold_is_named() -> None:
    message = broken("red_flags.yaml", "  ownership_max_depth:", "  ownership_max_dpth:")
    assert "ownership_max_dpth: unknown threshold" in message
    assert "ownership_max_depth is missing" in message


def test_licence_register_loads_and_is_checked(tmp_path: Path) -> None:
    register = tmp_path / "licences.yaml"
    register.write_text(
        "licences:\n"
        "  - {number: D123456, eccns: [3A001], countries: [CN], valid_from: 2018-01-01, valid_to: 2019-12-31}\n",
        encoding="utf-8")
    data = load_rule_data(None, register)
    [licence] = data.licences_numbered("d123456")
    assert licence.countries == ["CN"] and data.version != RuleData.packaged().version
    register.write_text(
        "licences:\n"
        "  - {number: D1, eccns: [3A001], countries: [CN], valid_from: 2018-01-01, valid_to: 2019-12-31}\n"
        "  - {number: D2, eccns: [3A001], countries: [QQ], valid_from: 2018-01-01, valid_to: 2019-12-31}\n",
        encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"licences.yaml, line 3: licences\.1\.countries\.0"):
        load_rule_data(None, register)


REQUIRED_ECCNS = ["3A001", "3A090", "3A991", "4A003", "4A994", "5A002", "5A991", "5A992", "5D002", "5E002",
                  "9A012", "EAR99"]
CHART_DESTINATIONS = ["CN", "HK", "RU", "BY", "IR", "KP", "SY", "CU", "VN", "AE", "DE", "GB", "FR", "JP", "KR",
                      "IN", "TR", "SG", "MY", "KZ", "AM", "GE", "KG", "UZ", "SD", "UA", "TW", "CA"]


@pytest.mark.parametrize("eccn", REQUIRED_ECCNS)
def test_the_packaged_data_knows_the_required_eccns(eccn: str) -> None:
    assert RuleData.packaged().eccn(eccn, date(2025, 1, 1)) is not None


@pytest.mark.parametrize("country", CHART_DESTINATIONS)
def test_the_packaged_data_has_chart_rows_for_the_major_destinations(country: str) -> None:
    for on in (date(2016, 5, 1), date(2025, 1, 1)):
        assert RuleData.packaged().chart_row(country, on) is not None, (country, on)


def test_every_packaged_item_is_dated_and_cited() -> None:
    data = RuleData.packaged()
    items = [*data.country_groups, *data.embargoes, *data.country_chart, *data.eccns, *data.de_minimis,
             *data.hubs, *data.sensitive_destinations, *data.high_priority_items]
    assert items and all(len(i.source) > 10 for i in items)
    assert {h for hub in data.hubs for h in hub.countries} == {"AE", "HK", "SG", "MY", "TR", "AM", "GE", "KZ",
                                                                "KG", "UZ"}
    assert {i.hs for i in data.high_priority_items if i.tier == 1} == {"854231", "854232", "854233", "854239"}


def test_remembered_answers_are_kept_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import screening.ruledata as ruledata

    data = RuleData()
    calls: list[int] = []

    def compute(n: int) -> int:
        calls.append(n)
        return n * 2

    assert data.remembered(("k", 1), lambda: compute(1)) == 2
    assert data.remembered(("k", 1), lambda: compute(1)) == 2
    assert calls == [1]
    monkeypatch.setattr(ruledata, "MEMO_SIZE", 2)
    data.remembered(("k", 2), lambda: compute(2))
    data.remembered(("k", 3), lambda: compute(3))  # full: emptied first
    data.remembered(("k", 1), lambda: compute(1))
    assert calls == [1, 2, 3, 1]
