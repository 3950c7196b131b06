"""Rule data: country groups, embargo programmes, Country Chart rows, ECCN reasons for
control, de minimis thresholds, transshipment hubs, high-priority HS codes and red-flag
thresholds, each item dated and cited. Stub until the YAML files and their loader land."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleData:
    version: str = "builtin"
