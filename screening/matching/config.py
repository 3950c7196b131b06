"""Thresholds and the match record handed to rules and the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchConfig:
    """Defaults tuned on the dev evaluation set (docs/benchmarks.md, "Name matching")."""

    potential_threshold: float = 0.82  # at or above: HOLD for review
    strong_threshold: float = 0.92  # at or above (kind-compatible, not a weak alias): BLOCK-worthy

    def __post_init__(self) -> None:
        if not 0.0 < self.potential_threshold <= self.strong_threshold <= 1.0:
            raise ValueError(
                "MatchConfig needs 0 < potential_threshold <= strong_threshold <= 1, got "
                f"{self.potential_threshold} and {self.strong_threshold}"
            )


@dataclass(frozen=True)
class NameMatch:
    key: str  # "<list>:<source_id>", the entry key
    list_code: str
    source_id: str
    matched_name: str  # the name or alias, as listed, that matched
    score: float  # 0..1
    strong: bool  # >= strong threshold, kind-compatible, not via a weak alias
    weak_alias: bool
    explanation: str
