"""External programs the deploy checks run (installed by `.ci/setup-deploy.sh`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def require_tool(name: str) -> str:
    """Path of a program on PATH. Missing: a skip on a developer's machine, a failure in CI
    (CI=true), where `.ci/setup-deploy.sh` must have installed it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found on PATH: run .ci/setup-deploy.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(args: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
