from __future__ import annotations

import time
from pathlib import Path

from screening.lists import load_directory, parse_file


def _link(target_dir: Path, *files: Path) -> None:
    for file in files:
        (target_dir / file.name).symlink_to(file)


def test_directory_prefers_native_ofac_over_csl_copy(lists_dir: Path, tmp_path: Path) -> None:
    sdn = lists_dir / "ofac/sdn-2021-07"
    _link(tmp_path, *sorted(sdn.iterdir()), lists_dir / "csl/consolidated-2022-05.csv.gz")
    seen: list[tuple[str, int]] = []
    load = load_directory(tmp_path, progress=lambda name, count: seen.append((Path(name).name, count)))
    assert [name for name, _count in seen] == ["consolidated-2022-05.csv.gz", "sdn.csv"]
    keys = [e.key for e in load.entries]
    assert len(keys) == len(set(keys))
    csl_sdn = {
        e.key
        for e in parse_file(lists_dir / "csl/consolidated-2022-05.csv.gz").entries
        if e.list_code == "SDN"
    }
    ofac = {e.key: e for e in load.entries if e.source_version.startswith("ofac-sdn-csv:")}
    assert len(ofac) == 8976
    shared = csl_sdn & ofac.keys()
    assert len(shared) > 8000  # the two publications overlap almost entirely
    assert load.by_list()["SDN"] == len(csl_sdn | ofac.keys())
    assert load.by_list()["EL"] == 2001
    assert len(load.files) == 5


def test_service_start_load_is_fast(lists_dir: Path, tmp_path: Path) -> None:
    _link(
        tmp_path,
        *sorted((lists_dir / "ofac/sdn-2021-07").iterdir()),
        lists_dir / "csl/consolidated-2022-05.csv.gz",
    )
    started = time.perf_counter()
    load = load_directory(tmp_path)
    elapsed = time.perf_counter() - started
    assert len(load.entries) > 14000
    assert elapsed < 5.0, f"loading SDN 2021-07 + CSL 2022-05 took {elapsed:.1f}s"


def test_lone_alt_file_is_reported(lists_dir: Path) -> None:
    load = parse_file(lists_dir / "ofac/sdn-2021-07/alt.csv")
    assert load.entries == [] and "part of an OFAC CSV set" in load.issues[0].message


def test_missing_directory(tmp_path: Path) -> None:
    load = load_directory(tmp_path / "nope")
    assert load.entries == [] and load.issues[0].message == "not a directory"
