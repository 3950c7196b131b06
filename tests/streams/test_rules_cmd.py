"""`tradescreen rules check` reports the version of good rule data, and file, line and
reason of bad data with exit status 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from screening.ruledata import RuleData
from screening.ruledata.loader import packaged_texts
from streams.cli import app


def test_the_packaged_rule_data_checks_clean() -> None:
    result = CliRunner().invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert RuleData.packaged().version in result.output


def test_a_broken_copy_is_reported_with_file_and_line(tmp_path: Path) -> None:
    for name, text in packaged_texts().items():
        if name == "de_minimis.yaml":
            text = text.replace("max_us_content_pct: 10", "max_us_content_pct: 110")
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/de_minimis.yaml, line 12: thresholds.1.max_us_content_pct" in result.output
