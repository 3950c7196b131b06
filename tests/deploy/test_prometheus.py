"""Prometheus rules and scrape configs, checked and unit-tested with promtool."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.deploy.tools import DEPLOY, REPO, require_tool, run

PROMETHEUS = DEPLOY / "prometheus"


def test_alert_rules_pass_promtool_check() -> None:
    promtool = require_tool("promtool")
    result = run([promtool, "check", "rules", str(PROMETHEUS / "alerts.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass() -> None:
    promtool = require_tool("promtool")
    result = run([promtool, "test", "rules", "alerts_test.yml"], cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_that_expects_it_to_fire() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule}
    cases = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
    fired = {check["alertname"] for case in cases for check in case.get("alert_rule_test", [])
             if check.get("exp_alerts")}
    assert alerts - fired == set()


def test_promtool_fails_a_unit_test_whose_expectation_is_wrong(tmp_path: Path) -> None:
    """The unit-test run above can fail: an alert expected at the wrong time is reported."""
    promtool = require_tool("promtool")
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text())
    wrong = {
        "rule_files": ["alerts.yml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": 'up{job="tradescreen-worker",instance="w1"}', "values": "1x10"}],
            "alert_rule_test": [{"eval_time": "5m", "alertname": "TradescreenWorkerDown",
                                 "exp_alerts": [{"exp_labels": {"severity": "warning", "instance": "w1",
                                                                "job": "tradescreen-worker"}}]}],
        }],
    }
    (tmp_path / "wrong_test.yml").write_text(yaml.safe_dump(wrong))
    result = run([promtool, "test", "rules", "wrong_test.yml"], cwd=tmp_path)
    assert result.returncode != 0
    assert "TradescreenWorkerDown" in result.stdout + result.stderr


def test_compose_scrape_config_passes_promtool_check() -> None:
    promtool = require_tool("promtool")
    result = run([promtool, "check", "config", str(PROMETHEUS / "prometheus.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_scrape_config_passes_promtool_check(tmp_path: Path) -> None:
    """Debian's promtool is built without Kubernetes service discovery, so the pod discovery
    block is swapped for a static target; everything else (relabelling regexes, rule files,
    job name) is checked as written."""
    promtool = require_tool("promtool")
    config = yaml.safe_load((PROMETHEUS / "prometheus-k8s.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "tradescreen-worker")
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["tradescreen"]}}]
    del job["kubernetes_sd_configs"]
    job["static_configs"] = [{"targets": ["127.0.0.1:6066"]}]
    (tmp_path / "prometheus-k8s.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text())
    result = run([promtool, "check", "config", "prometheus-k8s.yml"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_scrape_configs_use_the_job_name_the_alerts_select() -> None:
    for name in ("prometheus.yml", "prometheus-k8s.yml"):
        config = yaml.safe_load((PROMETHEUS / name).read_text())
        assert "tradescreen-worker" in {job["job_name"] for job in config["scrape_configs"]}, name
        assert config["rule_files"] == ["alerts.yml"], name


def test_every_alert_is_explained_in_the_operations_doc_and_the_deploy_readme() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule}
    operations = (REPO / "docs" / "operations.md").read_text()
    readme = (DEPLOY / "README.md").read_text()
    assert {a for a in alerts if f"### {a} (" not in operations} == set()
    assert {a for a in alerts if a.removeprefix("Tradescreen") not in readme} == set()
