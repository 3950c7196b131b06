"""`tradescreen alerts forward --webhook URL`: every Alert on `alerts` as a JSON POST.

- The body is the alert exactly as on the topic; `X-Tradescreen-Signature: sha256=<hex>` is
  its HMAC-SHA256 under TRADESCREEN_ALERTS_WEBHOOK_SECRET; `X-Tradescreen-Alert-Id` lets the
  receiver drop a repeat.
- A failed POST (connection error, timeout, 408, 429, 5xx) is retried with exponential
  back-off; after TRADESCREEN_ALERTS_RETRIES retries the forwarder exits with status 1
  without committing, so the next start resumes at that alert.
- A 4xx answer is a refusal of that alert: it goes to `deadletter` with the answer, and the
  forwarder moves on.
- The offset is committed after each delivery: a restart resumes after the last alert
  delivered; at most the alert in flight at a crash is sent twice (at-least-once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

import httpx
import typer
from confluent_kafka import Consumer, Message, Producer
from prometheus_client import Counter

from schemas import DeadLetter
from schemas.common import utc_now
from streams import topics
from streams.commands.common import BootstrapOption, configure_logging, require_bootstrap, settings
from streams.kafka import client_config, flush_or_raise, make_producer
from streams.settings import Settings

app = typer.Typer(help="Deliver alerts to other systems.", no_args_is_help=True)
log = logging.getLogger("tradescreen.alerts")

FORWARDED = Counter("tradescreen_alerts_forwarded_total", "Alerts delivered to the webhook")
ATTEMPTS_FAILED = Counter("tradescreen_alerts_forward_failures_total", "Failed webhook attempts", ["kind"])

SIGNATURE_HEADER = "X-Tradescreen-Signature"
MAX_BACKOFF_S = 30.0


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class DeliveryFailed(RuntimeError):
    """The webhook kept failing: stop without committing, resume there next time."""


@dataclass(frozen=True)
class Refused:
    status: int
    body: str


class AlertForwarder:
    def __init__(self, settings: Settings, bootstrap: str, webhook: str, secret: str,
                 client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.bootstrap = bootstrap
        self.webhook = webhook
        self.secret = secret
        self.client = client or httpx.Client(timeout=10.0)
        self.sleep = sleep
        self.delivered = 0

    def post(self, body: bytes, alert_id: str) -> Refused | None:
        """Deliver one alert; None when the webhook took it, Refused on a 4xx refusal."""
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(self.secret, body),
                   "X-Tradescreen-Alert-Id": alert_id}
        for attempt in range(self.settings.alerts_retries + 1):
            if attempt:
                self.sleep(min(MAX_BACKOFF_S, self.settings.alerts_backoff_s * 2 ** (attempt - 1)))
            try:
                response = self.client.post(self.webhook, content=body, headers=headers)
            except httpx.HTTPError as exc:
                ATTEMPTS_FAILED.labels("connection").inc()
                log.warning("alert=%s attempt=%d webhook error: %s", alert_id, attempt + 1, exc)
                continue
            if response.is_success:
                return None
            if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                return Refused(response.status_code, response.text[:500])
            ATTEMPTS_FAILED.labels(str(response.status_code)).inc()
            log.warning("alert=%s attempt=%d webhook answered %d", alert_id, attempt + 1, response.status_code)
        raise DeliveryFailed(f"alert {alert_id}: webhook still failing after {self.settings.alerts_retries} retries")

    def run(self, stop: threading.Event) -> None:
        consumer = Consumer(client_config(self.bootstrap, self.settings, **{
            "group.id": f"{self.settings.app_id}-alerts-forward", "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": int(self.settings.session_timeout_s * 1000),
            "heartbeat.interval.ms": int(self.settings.heartbeat_interval_s * 1000)}))
        producer = make_producer(self.bootstrap)
        consumer.subscribe([self.settings.topic(topics.ALERTS)])
        try:
            while not stop.is_set():
                msg = consumer.poll(0.5)
                if msg is None or msg.error() is not None:
                    continue
                self.forward(msg, producer)
                consumer.commit(message=msg, asynchronous=False)
        finally:
            consumer.close()
            flush_or_raise(producer)

    def forward(self, msg: Message, producer: Producer) -> None:
        body = msg.value()
        key = msg.key()
        alert_id = key.decode("utf-8", "replace") if key else f"{msg.partition()}@{msg.offset()}"
        if body is None:
            return  # a tombstone is no alert
        try:
            alert_id = str(json.loads(body).get("alert_id") or alert_id)
        except (ValueError, AttributeError):
            self._dead_letter(producer, msg, "alerts forward: value is not a JSON object")
            return
        refused = self.post(body, alert_id)
        if refused is not None:
            log.error("alert=%s refused by the webhook: %d %s", alert_id, refused.status, refused.body)
            self._dead_letter(producer, msg, f"webhook refused alert {alert_id}: HTTP {refused.status} "
                              f"{refused.body[:200]}")
            return
        FORWARDED.inc()
        self.delivered += 1
        log.info("alert=%s delivered", alert_id)

    def _dead_letter(self, producer: Producer, msg: Message, error: str) -> None:
        key = msg.key()
        letter = DeadLetter(topic=msg.topic() or "", partition=msg.partition() or 0, offset=msg.offset() or 0,
                            key=key.decode("utf-8", "replace") if key else None,
                            value_b64=base64.b64encode(msg.value() or b"").decode(), error=error,
                            error_kind="delivery", at=utc_now())
        producer.produce(self.settings.topic(topics.DEADLETTER), key=key,
                         value=letter.to_json_bytes())
        flush_or_raise(producer)


@app.command("forward")
def forward(
    webhook: str = typer.Option(..., "--webhook", help="URL that receives each alert as a JSON POST"),
    bootstrap: str | None = BootstrapOption,
    loglevel: str = typer.Option("info", help="log level"),
) -> None:
    """Forward alerts to a webhook, signed, retried, resuming from the committed offset."""
    configure_logging(loglevel)
    cfg = settings()
    if not cfg.alerts_webhook_secret:
        typer.secho("set TRADESCREEN_ALERTS_WEBHOOK_SECRET: alerts are only sent signed", fg="red", err=True)
        raise typer.Exit(2)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    forwarder = AlertForwarder(cfg, require_bootstrap(bootstrap or cfg.kafka_bootstrap), webhook,
                               cfg.alerts_webhook_secret)
    try:
        forwarder.run(stop)
    except DeliveryFailed as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"stopped after {forwarder.delivered} alerts", err=True)
