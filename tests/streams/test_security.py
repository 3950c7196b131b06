"""Kafka security settings become librdkafka properties and Faust credentials; secrets stay
out of every rendering of the settings."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import ValidationError

from streams.kafka import client_config
from streams.security import faust_broker_options, faust_credentials, librdkafka_security, ssl_context
from streams.settings import Settings

PASSWORD = "s3cr3t-Pa55-do-not-log"


def sasl(protocol: str = "SASL_SSL", **extra: object) -> Settings:
    fields = {"kafka_security_protocol": protocol, "kafka_sasl_mechanism": "SCRAM-SHA-512",
              "kafka_sasl_username": "screening", "kafka_sasl_password": PASSWORD, **extra}
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg, arg-type]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA and a client certificate (encrypted key) made with openssl."""
    d = tmp_path_factory.mktemp("tls")
    files = {"ca": d / "ca.pem", "cert": d / "client.pem", "key": d / "client.key"}

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", str(files["ca"]),
            "-days", "2", "-subj", "/CN=test-ca")
    openssl("req", "-newkey", "rsa:2048", "-passout", "pass:keypass", "-keyout", str(files["key"]),
            "-out", "client.csr", "-subj", "/CN=tradescreen")
    openssl("x509", "-req", "-in", "client.csr", "-CA", str(files["ca"]), "-CAkey", "ca.key",
            "-CAcreateserial", "-out", str(files["cert"]), "-days", "2")
    return files


def test_plaintext_by_default_with_no_credentials() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert librdkafka_security(settings) == {"security.protocol": "plaintext"}
    assert faust_credentials(settings) is None
    assert faust_broker_options(settings, "k1:9092,k2:9092") == {"broker": "kafka://k1:9092,k2:9092",
                                                                  "broker_credentials": None}


def test_a_password_without_sasl_is_not_handed_to_clients() -> None:
    settings = Settings(_env_file=None, kafka_sasl_username="u", kafka_sasl_password=PASSWORD)  # type: ignore[call-arg]
    assert PASSWORD not in str(client_config("k:9092", settings))


def test_sasl_ssl_reaches_every_confluent_client_config() -> None:
    config = client_config("k:9092", sasl(), **{"group.id": "g"})
    assert config["security.protocol"] == "sasl_ssl"
    assert config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert config["sasl.username"] == "screening"
    assert config["sasl.password"] == PASSWORD
    assert config["ssl.endpoint.identification.algorithm"] == "https"
    assert config["group.id"] == "g" and config["bootstrap.servers"] == "k:9092"


def test_client_config_reads_security_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADESCREEN_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("TRADESCREEN_KAFKA_SASL_USERNAME", "screening")
    monkeypatch.setenv("TRADESCREEN_KAFKA_SASL_PASSWORD", PASSWORD)
    config = client_config("k:9092")
    assert (config["security.protocol"], config["sasl.password"]) == ("sasl_plaintext", PASSWORD)
    assert "ssl.endpoint.identification.algorithm" not in config


def test_secrets_stay_out_of_every_rendering_of_the_settings() -> None:
    settings = sasl(kafka_ssl_key_password="key-" + PASSWORD)
    for text in (str(settings), repr(settings), settings.model_dump_json(), str(settings.model_dump())):
        assert PASSWORD not in text
    assert settings.kafka_sasl_password is not None
    assert settings.kafka_sasl_password.get_secret_value() == PASSWORD


@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT"])
def test_sasl_needs_a_username_and_a_password(protocol: str) -> None:
    with pytest.raises(ValidationError, match="kafka_sasl_password"):
        Settings(_env_file=None, kafka_security_protocol=protocol, kafka_sasl_username="u")  # type: ignore[call-arg]


def test_unknown_protocols_and_mechanisms_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, kafka_security_protocol="TLS")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        sasl(kafka_sasl_mechanism="GSSAPI")


def test_faust_gets_sasl_over_tls_with_the_same_password() -> None:
    credentials = faust_credentials(sasl())
    assert isinstance(credentials, faust.SASLCredentials)
    auth = credentials_to_aiokafka_auth(credentials)
    assert auth["security_protocol"] == "SASL_SSL"
    assert auth["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (auth["sasl_plain_username"], auth["sasl_plain_password"]) == ("screening", PASSWORD)
    assert isinstance(auth["ssl_context"], ssl.SSLContext) and auth["ssl_context"].check_hostname
    assert PASSWORD not in repr(credentials)


def test_faust_gets_sasl_without_tls_for_sasl_plaintext() -> None:
    auth = credentials_to_aiokafka_auth(faust_credentials(sasl("SASL_PLAINTEXT")))
    assert auth["security_protocol"] == "SASL_PLAINTEXT" and auth["ssl_context"] is None


def test_faust_app_takes_the_broker_options() -> None:
    settings = sasl()
    app = faust.App("security-test", autodiscover=False, **faust_broker_options(settings, "k1:9093,k2:9093"))
    assert [str(u) for u in app.conf.broker] == ["kafka://k1:9093", "kafka://k2:9093"]
    auth = credentials_to_aiokafka_auth(app.conf.broker_credentials)
    assert auth["security_protocol"] == "SASL_SSL" and auth["sasl_plain_password"] == PASSWORD


def test_mutual_tls_for_both_clients(tls_files: dict[str, Path]) -> None:
    settings = Settings(_env_file=None, kafka_security_protocol="SSL", kafka_ssl_cafile=tls_files["ca"],  # type: ignore[call-arg]
                        kafka_ssl_certfile=tls_files["cert"], kafka_ssl_keyfile=tls_files["key"],
                        kafka_ssl_key_password="keypass", kafka_ssl_check_hostname=False)
    assert librdkafka_security(settings) == {
        "security.protocol": "ssl", "ssl.endpoint.identification.algorithm": "none",
        "ssl.ca.location": str(tls_files["ca"]), "ssl.certificate.location": str(tls_files["cert"]),
        "ssl.key.location": str(tls_files["key"]), "ssl.key.password": "keypass"}
    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SSLCredentials)
    auth = credentials_to_aiokafka_auth(credentials)
    assert auth["security_protocol"] == "SSL"
    context = auth["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and not context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "test-ca"),),)]


def test_a_wrong_key_password_fails_at_start(tls_files: dict[str, Path]) -> None:
    settings = Settings(_env_file=None, kafka_security_protocol="SSL", kafka_ssl_certfile=tls_files["cert"],  # type: ignore[call-arg]
                        kafka_ssl_keyfile=tls_files["key"], kafka_ssl_key_password="wrong")
    with pytest.raises(ssl.SSLError):
        ssl_context(settings)


def test_a_client_certificate_needs_its_key() -> None:
    with pytest.raises(ValidationError, match="go together"):
        Settings(_env_file=None, kafka_security_protocol="SSL", kafka_ssl_certfile=Path("c.pem"))  # type: ignore[call-arg]
