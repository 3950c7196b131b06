"""TRADESCREEN_RULES_ENABLED: the worker runs a chosen subset of the rule registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from screening.rules import RULES, embargo, lists_available, restricted_party
from streams.settings import Settings
from streams.topology import build_worker


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_every_rule_runs_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRADESCREEN_RULES_ENABLED", raising=False)
    assert settings().rules_enabled is None
    assert settings().screening_rules() == RULES


def test_a_subset_runs_in_registry_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESCREEN_RULES_ENABLED", "restricted_party, embargo_destinations,lists_available")
    chosen = settings()
    assert chosen.rules_enabled == ("restricted_party", "embargo_destinations", "lists_available")
    assert chosen.screening_rules() == (embargo.destinations, lists_available.check, restricted_party.check)


def test_an_unknown_rule_name_refuses_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESCREEN_RULES_ENABLED", "lists_available,restricted_party,front_companies")
    with pytest.raises(ValidationError) as raised:
        settings()
    message = str(raised.value)
    assert "unknown rule name(s) front_companies" in message
    assert "front_company" in message  # the known names are listed


def test_the_fail_closed_rule_cannot_be_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESCREEN_RULES_ENABLED", "embargo_destinations,restricted_party")
    with pytest.raises(ValidationError, match="lists_available cannot be left out"):
        settings()


def test_the_worker_screens_with_the_chosen_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRADESCREEN_RULES_ENABLED", "embargo_destinations,lists_available,restricted_party")
    chosen = Settings(_env_file=None, data_dir=tmp_path, app_id="rules-enabled-test")  # type: ignore[call-arg]
    worker = build_worker(chosen, "127.0.0.1:1")  # nothing connects until the app starts
    assert worker.screener.rules == (embargo.destinations, lists_available.check, restricted_party.check)
