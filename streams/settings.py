"""The one configuration object, built once at start; every field is overridable by a
`TRADESCREEN_<FIELD>` environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from schemas.limits import InputLimits

if TYPE_CHECKING:
    from screening.rules import Rule

# Official downloads fetched by `tradescreen lists fetch`. OFAC serves its legacy CSV set
# (the files once under https://www.treasury.gov/ofac/downloads/) from the Sanctions List
# Service; trade.gov publishes the Consolidated Screening List as one CSV file.
_OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
DEFAULT_LIST_SOURCES: dict[str, str] = {
    "ofac-sdn": f"{_OFAC_EXPORTS}/SDN.CSV",
    "ofac-sdn-alt": f"{_OFAC_EXPORTS}/ALT.CSV",
    "ofac-sdn-add": f"{_OFAC_EXPORTS}/ADD.CSV",
    "ofac-sdn-comments": f"{_OFAC_EXPORTS}/SDN_COMMENTS.CSV",
    "ofac-cons": f"{_OFAC_EXPORTS}/CONS_PRIM.CSV",
    "ofac-cons-alt": f"{_OFAC_EXPORTS}/CONS_ALT.CSV",
    "ofac-cons-add": f"{_OFAC_EXPORTS}/CONS_ADD.CSV",
    "ofac-cons-comments": f"{_OFAC_EXPORTS}/CONS_COMMENTS.CSV",
    "trade-gov-csl": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADESCREEN_", frozen=True, extra="ignore")

    # Kafka. Unset bootstrap means: start the embedded Tansu broker.
    kafka_bootstrap: str | None = None
    broker_port: int | None = Field(default=None, description="pin the embedded broker's port")
    topic_prefix: str = ""
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    app_id: str = "tradescreen"
    # Kafka client security, applied to Faust and to every confluent-kafka client
    # (streams/security.py). SASL mechanisms: those both client libraries speak.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # CA bundle to trust (default: the system's), and a client certificate for mutual TLS.
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True

    # Worker web server (health, metrics).
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    data_dir: Path = Path("tradescreen-data")

    # Lists.
    lists_dir: Path | None = None
    max_list_age_hours: float = Field(default=36.0, gt=0)
    # Open orders and shipments younger than this are re-screened when lists change.
    rescreen_horizon_days: float = Field(default=90.0, gt=0)
    # No timer-raised LISTS_UNAVAILABLE alert this soon after start: list state is still
    # being read. Events held meanwhile still raise it at once.
    startup_grace_s: float = Field(default=60.0, ge=0)
    # `lists fetch`: source name -> URL (TRADESCREEN_LIST_SOURCES takes JSON). The file is
    # saved under the URL's last path segment, or under a `#name.csv` fragment if given.
    list_sources: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_LIST_SOURCES))
    fetch_timeout_s: float = Field(default=60.0, gt=0)
    fetch_retries: int = Field(default=3, ge=0)
    # A list that loses more than this fraction of its entries in one update is quarantined.
    max_list_shrink: float = Field(default=0.10, ge=0.0, le=1.0)

    # Screening policy. The comprehensive embargoes are dated programmes in the rule data;
    # countries listed here are embargoed in addition, undated (a company's own policy).
    embargoed_countries: frozenset[str] = frozenset()
    # Rule data (country groups, dated embargoes, Country Chart, ECCNs...): a folder of the
    # YAML files in screening/ruledata/, None = the packaged copy. Licence register: a YAML
    # file of the licences held (number, ECCNs, countries, valid from/to), optional.
    rules_dir: Path | None = None
    # A shipment naming an order not yet seen waits this long for it, then is held.
    shipment_order_wait_s: float = Field(default=600.0, ge=0)
    licence_register: Path | None = None
    # The screening rules the worker runs, by name (screening.rules.RULES_BY_NAME), comma-
    # separated; unset: every rule. A subset serves to measure what the others cost
    # (docs/benchmarks.md); lists_available cannot be left out, and an unknown name stops
    # the start.
    rules_enabled: Annotated[tuple[str, ...] | None, NoDecode] = None
    # None: the matching engine's tuned defaults.
    match_potential_threshold: float | None = None
    match_strong_threshold: float | None = None

    # Input bounds (schemas/limits.py), checked before any other work on a message; a
    # message over one goes to deadletter with error_kind limit.<bound>.
    limit_message_bytes: int = Field(default=1 << 20, gt=0)
    limit_json_depth: int = Field(default=32, gt=1)
    limit_string_chars: int = Field(default=4096, gt=0)
    limit_name_chars: int = Field(default=512, gt=0)
    limit_name_words: int = Field(default=24, gt=0)
    limit_parties: int = Field(default=64, gt=0)
    limit_lines: int = Field(default=1000, gt=0)
    limit_legs: int = Field(default=32, gt=0)
    limit_entry_name_chars: int = Field(default=1024, gt=0)
    limit_entry_name_words: int = Field(default=64, gt=0)
    limit_aliases: int = Field(default=256, gt=0)
    limit_addresses: int = Field(default=128, gt=0)

    # How long the worker's consumer lets the broker hold a fetch, and how many bytes it
    # asks the broker to wait for within that time (streams/faust_tuning.py). Under a steady
    # load a fetch per few messages cost the consumer thread 0.2 ms per order at 500 /s
    # (docs/benchmarks.md, "Round six").
    consumer_fetch_wait_ms: int = Field(default=20, ge=1, le=1500)
    consumer_fetch_min_bytes: int = Field(default=65536, ge=1, le=16 << 20)
    # How long the output producer collects outputs into a batch before sending it: latency
    # against produce() cost (docs/benchmarks.md, "Output linger").
    output_linger_ms: float = Field(default=2.0, ge=0, le=1000)
    # The same for the records only the service reads back (audit, facts, table
    # changelogs): nothing waits on them, and longer batches cost less to produce.
    record_linger_ms: float = Field(default=50.0, ge=0, le=1000)
    # Garbage collection (streams/collector.py): freeze what survives a young collection,
    # so that no pause walks the long-lived heap, and collect the whole heap once every
    # `gc_reclaim_interval_s` (the reference cycles that died frozen).
    gc_freeze_survivors: bool = True
    gc_reclaim_interval_s: float = Field(default=3600.0, ge=10)

    # Review service and alert forwarding (issue 11).
    review_host: str = "127.0.0.1"
    review_port: int = 6070
    # None: SQLite file review.sqlite in data_dir. PostgreSQL: postgresql+psycopg://user:pw@host/db
    review_db_url: str | None = None
    # Reviewer identities (YAML/JSON list of id, name, role, token_sha256): a secrets file,
    # and/or the same text in TRADESCREEN_REVIEWERS.
    reviewers_file: Path | None = None
    reviewers: str | None = None
    allowlist_ttl_days: float = Field(default=180.0, gt=0)
    # `alerts forward`: HMAC-SHA256 key for X-Tradescreen-Signature, retries with back-off.
    alerts_webhook_secret: str | None = None
    alerts_retries: int = Field(default=5, ge=0)
    alerts_backoff_s: float = Field(default=0.5, gt=0)

    # Consumer-group tuning: tests and the embedded broker want fast rebalances.
    session_timeout_s: float = 30.0
    heartbeat_interval_s: float = 3.0

    @field_validator("rules_enabled", mode="before")
    @classmethod
    def _rule_names(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("rules_enabled")
    @classmethod
    def _known_rules(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None:
            from screening.rules import rules_named  # the rule registry, only when a subset is asked for

            rules_named(value)
        return value

    def screening_rules(self) -> tuple[Rule, ...]:
        """The rules the worker's Screener runs: the enabled subset, else every rule."""
        from screening.rules import RULES, rules_named

        return RULES if self.rules_enabled is None else rules_named(self.rules_enabled)

    def input_limits(self) -> InputLimits:
        return InputLimits(**{f: getattr(self, f"limit_{f}") for f in InputLimits.__dataclass_fields__})

    @model_validator(mode="after")
    def _kafka_security_complete(self) -> Self:
        if self.kafka_security_protocol.startswith("SASL_") and (
                not self.kafka_sasl_username or self.kafka_sasl_password is None):
            raise ValueError(f"kafka_security_protocol {self.kafka_security_protocol} needs "
                             "kafka_sasl_username and kafka_sasl_password")
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("kafka_ssl_certfile and kafka_ssl_keyfile go together (mutual TLS)")
        return self

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"
