"""Kafka client security (SASL, TLS) from Settings, in the two forms the clients take:
librdkafka properties for confluent-kafka, and credentials for Faust (aiokafka); and the
reviewer directory (who may act on holds), which the worker and the review service share."""

from __future__ import annotations

import ssl
from typing import Any

import faust
from faust.types.auth import CredentialsT

from screening.reviewers import ReviewerDirectory, parse_reviewers
from streams.settings import Settings


def reviewer_directory(settings: Settings) -> ReviewerDirectory:
    """Reviewers from TRADESCREEN_REVIEWERS_FILE and/or TRADESCREEN_REVIEWERS."""
    file_text = settings.reviewers_file.read_text() if settings.reviewers_file else None
    return parse_reviewers(file_text, settings.reviewers)


def uses_tls(settings: Settings) -> bool:
    return settings.kafka_security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(settings: Settings) -> bool:
    return settings.kafka_security_protocol.startswith("SASL_")


def librdkafka_security(settings: Settings) -> dict[str, str]:
    """confluent-kafka (librdkafka) properties; nothing beyond the protocol for PLAINTEXT, so
    a password configured for another environment is never handed to a client that would
    not use it."""
    config = {"security.protocol": settings.kafka_security_protocol.lower()}
    if uses_sasl(settings):
        assert settings.kafka_sasl_username and settings.kafka_sasl_password is not None  # Settings checks
        config |= {"sasl.mechanism": settings.kafka_sasl_mechanism, "sasl.username": settings.kafka_sasl_username,
                   "sasl.password": settings.kafka_sasl_password.get_secret_value()}
    if uses_tls(settings):
        config["ssl.endpoint.identification.algorithm"] = "https" if settings.kafka_ssl_check_hostname else "none"
        if settings.kafka_ssl_cafile is not None:
            config["ssl.ca.location"] = str(settings.kafka_ssl_cafile)
        if settings.kafka_ssl_certfile is not None and settings.kafka_ssl_keyfile is not None:
            config["ssl.certificate.location"] = str(settings.kafka_ssl_certfile)
            config["ssl.key.location"] = str(settings.kafka_ssl_keyfile)
            if settings.kafka_ssl_key_password is not None:
                config["ssl.key.password"] = settings.kafka_ssl_key_password.get_secret_value()
    return config


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """TLS as librdkafka does it from the same settings: verify the broker against the CA
    file (or the system's store), check its host name unless told not to, present a client
    certificate if one is configured."""
    cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile is not None else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.check_hostname = settings.kafka_ssl_check_hostname
    if settings.kafka_ssl_certfile is not None and settings.kafka_ssl_keyfile is not None:
        password = settings.kafka_ssl_key_password
        context.load_cert_chain(settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile,
                                password.get_secret_value() if password is not None else None)
    return context


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """Faust's `broker_credentials`; None for PLAINTEXT."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(ssl_context(settings))
    assert settings.kafka_sasl_password is not None  # Settings checks
    return faust.SASLCredentials(
        username=settings.kafka_sasl_username, password=settings.kafka_sasl_password.get_secret_value(),
        mechanism=settings.kafka_sasl_mechanism,
        # With a context Faust speaks SASL_SSL, without one SASL_PLAINTEXT.
        ssl_context=ssl_context(settings) if protocol == "SASL_SSL" else None)


def faust_broker_url(bootstrap: str) -> str:
    """Faust's `broker`. The scheme names the transport (aiokafka) and is `kafka://` for
    every security protocol: Faust takes TLS and SASL from `broker_credentials`. A
    comma-separated bootstrap list is accepted as it is."""
    return f"kafka://{bootstrap}"


def faust_broker_options(settings: Settings, bootstrap: str) -> dict[str, Any]:
    """Keyword arguments for `faust.App(...)`: the broker and its credentials."""
    return {"broker": faust_broker_url(bootstrap), "broker_credentials": faust_credentials(settings)}
