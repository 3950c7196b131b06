"""Name matching: normalise, index, score, explain (one module each).

The modules every search runs through are compiled with mypyc when the package is
installed (setup.py). An editable install compiles them in place, where a compiled module
shadows its source: an edit made after the build would silently not run, so the package
refuses to import until it is rebuilt.
"""

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path


def stale_compiled(package: Path) -> list[str]:
    """Sources in `package` changed after the extension module built from them."""
    stale: list[str] = []
    for built in package.iterdir():
        suffix = next((s for s in EXTENSION_SUFFIXES if built.name.endswith(s)), None)
        if suffix is None:
            continue
        source = built.with_name(built.name.removesuffix(suffix) + ".py")
        if source.exists() and source.stat().st_mtime > built.stat().st_mtime:
            stale.append(source.name)
    return sorted(stale)


_PACKAGE = Path(__file__).parent
if (_PACKAGE.parents[1] / "setup.py").exists() and (_stale := stale_compiled(_PACKAGE)):  # a source checkout
    raise ImportError(
        f"screening/matching: {', '.join(_stale)} changed after it was compiled; "
        "rebuild with `make` (or `pip install -e .`)"
    )

from screening.matching.config import MatchConfig, NameMatch  # noqa: E402
from screening.matching.index import NameIndex  # noqa: E402
from screening.matching.memory import tune_gc_after_build  # noqa: E402
from screening.matching.normalize import NameTokens, clear_name_caches, normalize_name  # noqa: E402

__all__ = [
    "MatchConfig",
    "NameIndex",
    "NameMatch",
    "NameTokens",
    "clear_name_caches",
    "normalize_name",
    "stale_compiled",
    "tune_gc_after_build",
]
