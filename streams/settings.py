"""The one configuration object, built once at start; every field is overridable by a
`TRADESCREEN_<FIELD>` environment variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADESCREEN_", frozen=True, extra="ignore")

    # Kafka. Unset bootstrap means: start the embedded Tansu broker.
    kafka_bootstrap: str | None = None
    broker_port: int | None = Field(default=None, description="pin the embedded broker's port")
    topic_prefix: str = ""
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    app_id: str = "tradescreen"

    # Worker web server (health, metrics).
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path("tradescreen-data")

    # Lists.
    lists_dir: Path | None = None
    max_list_age_hours: float = Field(default=36.0, gt=0)

    # Screening policy. Comprehensive embargoes (31 CFR Parts 510/515/542/560; EAR Part 746).
    embargoed_countries: frozenset[str] = frozenset({"CU", "IR", "KP", "SY"})
    # None: the matching engine's tuned defaults.
    match_potential_threshold: float | None = None
    match_strong_threshold: float | None = None

    # Consumer-group tuning: tests and the embedded broker want fast rebalances.
    session_timeout_s: float = 30.0
    heartbeat_interval_s: float = 3.0

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"
