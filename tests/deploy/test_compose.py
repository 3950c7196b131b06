"""docker-compose.yml against the Compose specification, and what the schema cannot see:
references between services, mounted paths and tradescreen settings names."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.settings import Settings
from tests.deploy.tools import REPO, run

COMPOSE = REPO / "docker-compose.yml"
# Variables the compose file reads from the operator's shell (interpolation), not settings.
_INTERPOLATION_ONLY = {"TRADESCREEN_LISTS_HOST_DIR", "TRADESCREEN_VERSION"}


def _validate(path: Path) -> tuple[int, str]:
    # check-jsonschema ships the compose-spec project's schema (vendor.compose-spec).
    result = run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)])
    return result.returncode, result.stdout + result.stderr


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())  # type: ignore[no-any-return]


def setting_env_names() -> set[str]:
    return {f"TRADESCREEN_{name.upper()}" for name in Settings.model_fields}


def test_compose_file_follows_the_compose_specification() -> None:
    code, output = _validate(COMPOSE)
    assert code == 0, output


def test_the_validator_rejects_a_compose_file_that_breaks_the_specification(tmp_path: Path) -> None:
    broken = _compose()
    broken["services"]["worker"]["restart"] = ["always"]  # must be a string
    broken["services"]["worker"]["healthcheck"]["intervall"] = "15s"  # no such key
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    code, output = _validate(path)
    assert code != 0
    assert "restart" in output or "intervall" in output, output


def test_services_depend_only_on_services_that_exist_and_can_satisfy_the_condition() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            if rule.get("condition") == "service_healthy":
                check = services[dependency].get("healthcheck", {})
                assert check.get("test") and not check.get("disable"), f"{dependency} has no health check"


def test_named_volumes_are_declared_and_mounted_repo_paths_exist() -> None:
    compose = _compose()
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("${"):
                continue  # chosen by the operator at run time
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} mounts undeclared volume {source}"


def test_every_tradescreen_variable_given_to_a_container_is_a_setting() -> None:
    """Settings ignore unknown variables, so a misspelt one would silently do nothing."""
    known = setting_env_names()
    for name, service in _compose()["services"].items():
        env = service.get("environment") or {}
        for variable in env:
            if variable.startswith("TRADESCREEN_"):
                assert variable in known, f"{name}: {variable} is not a field of streams/settings.py"
    dockerfile_env = {word.split("=", 1)[0] for word in (REPO / "Dockerfile").read_text().split()
                      if word.startswith("TRADESCREEN_") and "=" in word}
    assert dockerfile_env, "Dockerfile sets no TRADESCREEN_ variables?"
    assert dockerfile_env <= known, dockerfile_env - known
    assert not _INTERPOLATION_ONLY & known


@pytest.mark.parametrize("variable", sorted(_INTERPOLATION_ONLY))
def test_interpolation_variables_are_used(variable: str) -> None:
    assert "${" + variable in COMPOSE.read_text()
