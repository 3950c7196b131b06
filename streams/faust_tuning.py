"""What Faust does not let us configure: its consumer's fetch wait, and flushing our own
output producer before it commits offsets.

Faust builds its worker consumer with `fetch_max_wait_ms=1500` hard-wired. A broker that
answers a fetch only when that wait is over (Tansu does, measured: about 200 ms median
produce -> consume with a 500 ms wait, 3 ms with 10-100 ms) then adds up to 1.5 s to
every decision. Apache Kafka answers as soon as `fetch.min.bytes` (1) is there, so the
wait costs nothing on it; a short wait only adds empty fetches to an idle consumer.

Outputs leave through a confluent-kafka producer (streams/emitter.py), not Faust's. Faust
flushes its own producer before it commits consumed offsets; the hooks registered here run
first, so no offset is committed while an output of the events behind it is undelivered
(at-least-once holds)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faust.transport import drivers
from faust.transport.drivers import aiokafka as faust_aiokafka

# Changed by tune_faust() before the app starts; read when Faust creates its consumer.
_settings: dict[str, int] = {"fetch_max_wait_ms": 20}


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands this to its Fetcher when the consumer starts.
        consumer._fetch_max_wait_ms = _settings["fetch_max_wait_ms"]
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


_before_flush: list[Callable[[], Awaitable[None]]] = []


def flush_before_commit(hook: Callable[[], Awaitable[None]]) -> None:
    """Run `hook` whenever Faust flushes its producer, which it does before every commit."""
    _before_flush.append(hook)


class _Producer(faust_aiokafka.Producer):
    async def flush(self) -> None:
        for hook in _before_flush:
            await hook()
        await super().flush()


class Transport(faust_aiokafka.Transport):
    Consumer = _Consumer
    Producer = _Producer


def tune_faust(fetch_max_wait_ms: int = 20) -> None:
    """Make `kafka://` apps in this process use the tuned transport."""
    _settings["fetch_max_wait_ms"] = fetch_max_wait_ms
    drivers.TRANSPORTS.aliases["kafka"] = f"{__name__}:Transport"
