"""The mypyc build (setup.py): searches run the compiled modules, and a source edited after
its build is noticed rather than silently shadowed."""

from __future__ import annotations

import ast
import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from screening.matching import stale_compiled

REPO = Path(__file__).resolve().parents[3]


def compiled_modules() -> list[str]:
    """setup.py's COMPILED list, as module names."""
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            paths: list[str] = ast.literal_eval(node.value)
            return [p.removesuffix(".py").replace("/", ".") for p in paths]
    raise AssertionError("setup.py has no COMPILED list")


@pytest.mark.skipif(bool(os.environ.get("TRADESCREEN_PURE_PYTHON")), reason="installed uncompiled on purpose")
def test_search_runs_compiled_modules() -> None:
    modules = compiled_modules()
    assert "screening.matching.index" in modules
    for name in modules:
        path = importlib.import_module(name).__file__ or ""
        assert path.endswith(tuple(EXTENSION_SUFFIXES)), f"{name} runs from {path}, not its compiled build"


def test_a_source_newer_than_its_build_is_stale(tmp_path: Path) -> None:
    suffix = EXTENSION_SUFFIXES[0]
    for name in ("fresh", "edited"):
        (tmp_path / f"{name}.py").write_text("x = 1\n")
        (tmp_path / f"{name}{suffix}").write_bytes(b"")
    (tmp_path / "plain.py").write_text("x = 1\n")  # never compiled: not stale
    os.utime(tmp_path / "fresh.py", (1_000, 1_000))
    os.utime(tmp_path / f"fresh{suffix}", (2_000, 2_000))
    os.utime(tmp_path / f"edited{suffix}", (1_000, 1_000))
    os.utime(tmp_path / "edited.py", (2_000, 2_000))
    assert stale_compiled(tmp_path) == ["edited.py"]
