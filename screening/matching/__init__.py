"""Name matching: normalise, index, score, explain (one module each)."""

from screening.matching.config import MatchConfig, NameMatch
from screening.matching.index import NameIndex
from screening.matching.memory import tune_gc_after_build
from screening.matching.normalize import NameTokens, normalize_name

__all__ = ["MatchConfig", "NameIndex", "NameMatch", "NameTokens", "normalize_name", "tune_gc_after_build"]
