"""Reading rule data: YAML files validated against `model`, every error reported with its
file, line and reason, and a version made of the declared version and a content hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import fields
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from screening.ruledata import DatedPeriod, RedFlagThresholds, RuleData
from screening.ruledata.model import (
    CountryChartFile,
    CountryGroupsFile,
    DeMinimisFile,
    EccnsFile,
    EmbargoesFile,
    HighPriorityFile,
    LicenceRegisterFile,
    OwnershipFile,
    RedFlagsFile,
    RuleSetHeader,
    TransshipmentFile,
)

HEADER_FILE = "ruledata.yaml"
FILES: dict[str, type[BaseModel]] = {
    HEADER_FILE: RuleSetHeader,
    "country_groups.yaml": CountryGroupsFile,
    "embargoes.yaml": EmbargoesFile,
    "country_chart.yaml": CountryChartFile,
    "eccns.yaml": EccnsFile,
    "de_minimis.yaml": DeMinimisFile,
    "transshipment.yaml": TransshipmentFile,
    "high_priority_items.yaml": HighPriorityFile,
    "red_flags.yaml": RedFlagsFile,
    "ownership.yaml": OwnershipFile,
}

M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]


class RuleDataError(ValueError):
    """Rule data that must not be used: each problem as `file, line N: where: reason`."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid rule data:\n  " + "\n  ".join(self.problems))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves dates as text, so a bad date is reported by validation with
    its line instead of failing inside the YAML parser without one, and that reads only
    true/false as booleans: YAML 1.1 would read Norway's code NO as false."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    """Every mapping key and sequence item's 1-based line, by its path in the document."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _line_of(loc: Path_, lines: dict[Path_, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _where(loc: Path_) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _parse(text: str, name: str, model: type[M]) -> tuple[M, dict[Path_, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise RuleDataError([f"{name}, line {line}: not valid YAML: {e.problem}"]) from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        raise RuleDataError([f"{name}, line 1: expected a mapping of keys at the top of the file"])
    lines: dict[Path_, int] = {}
    _lines(node, (), lines)
    try:
        return model.model_validate(data), lines
    except ValidationError as e:
        raise RuleDataError(
            f"{name}, line {_line_of(tuple(err['loc']), lines)}: {_where(tuple(err['loc']))}: {err['msg']}"
            + (f" (got {err['input']!r})" if isinstance(err.get("input"), str | int | float) else "")
            for err in e.errors()
        ) from None


def parse_file(text: str, name: str, model: type[M]) -> M:
    """One file's text validated as `model`; RuleDataError names file, line and reason."""
    return _parse(text, name, model)[0]


def _check_references(files: dict[str, tuple[BaseModel, dict[Path_, int]]]) -> list[str]:
    """Country groups named anywhere must be defined in country_groups.yaml."""
    groups_file = files["country_groups.yaml"][0]
    assert isinstance(groups_file, CountryGroupsFile)
    known = {g.group for g in groups_file.groups}
    problems = []

    def check(name: str, loc: Path_, used: Iterable[str]) -> None:
        lines = files[name][1]
        for i, g in enumerate(used):
            if g not in known:
                where = (*loc, i)
                problems.append(f"{name}, line {_line_of(where, lines)}: {_where(where)}: "
                                f"country group {g} is not defined in country_groups.yaml")

    eccns, dm, tr = files["eccns.yaml"][0], files["de_minimis.yaml"][0], files["transshipment.yaml"][0]
    assert isinstance(eccns, EccnsFile) and isinstance(dm, DeMinimisFile) and isinstance(tr, TransshipmentFile)
    for i, entry in enumerate(eccns.eccns):
        for j, control in enumerate(entry.controls):
            check("eccns.yaml", ("eccns", i, "controls", j, "country_groups"), control.country_groups)
            check("eccns.yaml", ("eccns", i, "controls", j, "except_groups"), control.except_groups)
    for i, rule in enumerate(dm.thresholds):
        check("de_minimis.yaml", ("thresholds", i, "country_groups"), rule.country_groups)
    for i, sensitive in enumerate(tr.sensitive_destinations):
        check("transshipment.yaml", ("sensitive_destinations", i, "country_groups"), sensitive.country_groups)
    return problems


def _red_flags(parsed: RedFlagsFile, lines: dict[Path_, int], name: str) -> RedFlagThresholds:
    names = {f.name: f.type for f in fields(RedFlagThresholds)}
    problems = [f"{name}, line {_line_of(('thresholds', key), lines)}: thresholds.{key}: "
                f"unknown threshold (known: {', '.join(names)})"
                for key in parsed.thresholds if key not in names]
    problems += [f"{name}, line {_line_of(('thresholds',), lines)}: thresholds: {key} is missing"
                 for key in names if key not in parsed.thresholds]
    if problems:
        raise RuleDataError(problems)
    defaults = RedFlagThresholds()
    values: dict[str, Any] = {}
    for key, threshold in parsed.thresholds.items():
        kind = type(getattr(defaults, key))
        value = Decimal(str(threshold.value))
        if kind is int and value != value.to_integral_value():
            problems.append(f"{name}, line {_line_of(('thresholds', key), lines)}: thresholds.{key}: "
                            f"must be a whole number, not {value}")
        values[key] = kind(value)
    if problems:
        raise RuleDataError(problems)
    return RedFlagThresholds(**values)


def _ownership(parsed: OwnershipFile) -> dict[str, tuple[DatedPeriod, ...]]:
    rules: dict[str, list[DatedPeriod]] = {}
    for rule in parsed.rules:
        rules.setdefault(rule.list_code, []).append(DatedPeriod(rule.from_, rule.to, rule.source))
    return {code: tuple(periods) for code, periods in rules.items()}


def load_licence_register(path: Path) -> LicenceRegisterFile:
    return parse_file(path.read_text(encoding="utf-8"), str(path), LicenceRegisterFile)


def rule_data_from_texts(texts: dict[str, str], origin: str, licence_text: str | None = None,
                         licence_origin: str = "licence register") -> RuleData:
    """Rule data from file name -> YAML text (as read from a folder, or in tests)."""
    missing = [name for name in FILES if name not in texts]
    if missing:
        raise RuleDataError(f"{origin}/{name}: file is missing" for name in missing)
    parsed: dict[str, tuple[BaseModel, dict[Path_, int]]] = {}
    problems: list[str] = []
    for name, model in FILES.items():
        try:
            parsed[name] = _parse(texts[name], f"{origin}/{name}", model)
        except RuleDataError as e:
            problems += e.problems
    if problems:
        raise RuleDataError(problems)
    problems = [f"{origin}/{p}" for p in _check_references(parsed)]
    if problems:
        raise RuleDataError(problems)
    licences = (parse_file(licence_text, licence_origin, LicenceRegisterFile).licences
                if licence_text is not None else [])

    digest = hashlib.sha256()
    for name in sorted(texts):
        if name in FILES:
            digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    if licence_text is not None:
        digest.update(b"licences\0" + licence_text.encode())
    header = parsed[HEADER_FILE][0]
    assert isinstance(header, RuleSetHeader)

    def get(name: str, model: type[M]) -> M:
        value = parsed[name][0]
        assert isinstance(value, model)
        return value

    red = get("red_flags.yaml", RedFlagsFile)
    transshipment = get("transshipment.yaml", TransshipmentFile)
    return RuleData(
        version=f"{header.version}+{digest.hexdigest()[:12]}",
        red_flags=_red_flags(red, parsed["red_flags.yaml"][1], f"{origin}/red_flags.yaml"),
        ownership_rules=_ownership(get("ownership.yaml", OwnershipFile)),
        country_groups=tuple(get("country_groups.yaml", CountryGroupsFile).groups),
        embargoes=tuple(get("embargoes.yaml", EmbargoesFile).programmes),
        country_chart=tuple(get("country_chart.yaml", CountryChartFile).rows),
        eccns=tuple(get("eccns.yaml", EccnsFile).eccns),
        de_minimis=tuple(get("de_minimis.yaml", DeMinimisFile).thresholds),
        hubs=tuple(transshipment.hubs),
        sensitive_destinations=tuple(transshipment.sensitive_destinations),
        high_priority_items=tuple(get("high_priority_items.yaml", HighPriorityFile).items),
        licences=tuple(licences),
    )


def packaged_texts() -> dict[str, str]:
    folder = resources.files("screening.ruledata")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in FILES}


def load_rule_data(directory: Path | None = None, licence_register: Path | None = None) -> RuleData:
    """The rule data the worker screens by: the folder compliance staff point
    TRADESCREEN_RULES_DIR at, or the packaged copy (None), plus the optional licence
    register. Raises RuleDataError (file, line, reason) on anything invalid: bad rule
    data must stop the start, never screen."""
    if directory is None:
        texts, origin = packaged_texts(), "screening/ruledata"
    else:
        if not directory.is_dir():
            raise RuleDataError([f"{directory}: rules directory does not exist"])
        texts = {name: (directory / name).read_text(encoding="utf-8")
                 for name in FILES if (directory / name).is_file()}
        origin = str(directory)
    licence_text = None
    if licence_register is not None:
        if not licence_register.is_file():
            raise RuleDataError([f"{licence_register}: licence register file does not exist"])
        licence_text = licence_register.read_text(encoding="utf-8")
    return rule_data_from_texts(texts, origin, licence_text, str(licence_register))
