"""What Faust does not let us configure or gets wrong: its consumer's fetch wait, where a
partition with no committed offset is sought back to, and flushing our own output
producer before it commits offsets.

Faust builds its worker consumer with `fetch_max_wait_ms=1500` hard-wired. A broker that
answers a fetch only when that wait is over (Tansu does, measured: about 200 ms median
produce -> consume with a 500 ms wait, 3 ms with 10-100 ms) then adds up to 1.5 s to
every decision. Apache Kafka answers as soon as `fetch.min.bytes` (1) is there, so the
wait costs nothing on it; a short wait only adds empty fetches to an idle consumer.
Faust leaves `fetch_min_bytes` at 1, so under a steady load each fetch came back with a
message or two and the consumer thread spent its time building and reading fetch
requests for every assigned partition; the worker asks for more bytes (within the wait).

Outputs leave through a confluent-kafka producer (streams/emitter.py), not Faust's. Faust
flushes its own producer before it commits consumed offsets; the hooks registered here run
first, so no offset is committed while an output of the events behind it is undelivered
(at-least-once holds).

Faust's consumer hands each fetched message to its callback through `wait_first(callback,
suspend_flow.wait())`, which makes four tasks per message (the callback, the suspension,
and the service's stopped and crashed events): 22 us a message measured alone, about two
messages an order (the order, its fact read back). The callback nearly always finishes in
its first step (it puts the event on an agent's buffer); `_Consumer.wait_first` runs that
step itself and falls back to Faust's way, from where the callback stands, only when it
has to wait (a full buffer) or when the flow is suspended, stopped or crashed.

Faust drops the records its consumer fetched while its flow was stopped (table recovery
at every start and rebalance) and then seeks each input partition back to its committed
offset. aiokafka seeks only where that offset is above 0: a partition never committed
(the first start of an app, with a backlog waiting) stayed past the dropped batch, whose
events were never screened (up to 1,024 per partition, measured). Such partitions are
sought to their beginning here, which is what `auto_offset_reset=earliest` means.

And when recovery completes, Faust resumes the input partitions, seeks them, and only then
resumes its flow control, which empties every agent's buffer: what was fetched after the
seek was dropped (measured: offsets 1-151 of a partition, the agent holding offset 0). Its
flow control here empties the buffers only when it resumes from a suspension (a
rebalance), when Faust seeks back after it."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any

import faust
from faust.transport import drivers
from faust.transport.drivers import aiokafka as faust_aiokafka
from mode.services import WaitResults
from mode.utils.queues import FlowControlEvent

# Set by tune_faust(), which also installs the transport that reads them, from the
# caller's Settings: no defaults of its own, so none can drift from those.
_settings: dict[str, int] = {}


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka hands this to its Fetcher when the consumer starts.
        consumer._fetch_max_wait_ms = _settings["fetch_max_wait_ms"]
        consumer._fetch_min_bytes = _settings["fetch_min_bytes"]
        return consumer

    async def seek_to_committed(self) -> Mapping[Any, int]:
        return await self.call_thread(self._seek_to_committed_or_beginning)

    async def _seek_to_committed_or_beginning(self) -> Mapping[Any, int]:
        consumer = self._ensure_consumer()
        committed: Mapping[Any, int | None] = await consumer.seek_to_committed()
        if self.app.conf.consumer_auto_offset_reset == "earliest":
            # Table changelogs are sought by Faust's recovery itself.
            changelogs = self.app.tables.changelog_topics
            never = [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]
            if never:
                await consumer.seek_to_beginning(*never)
        return committed  # type: ignore[return-value]


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def wait_first(self, *coros: Any, timeout: Any = None) -> WaitResults:
        if not self._hands_on_a_message(coros, timeout):
            return await super().wait_first(*coros, timeout=timeout)
        callback, suspended = coros
        try:
            step = callback.send(None)
        except StopIteration as finished:
            suspended.close()
            return WaitResults([callback], [finished.value], False)
        except BaseException:
            suspended.close()
            raise
        return await super().wait_first(_resumed(callback, step), suspended)

    def _hands_on_a_message(self, coros: tuple[Any, ...], timeout: Any) -> bool:
        """Is this the drain loop's call, `wait_first(callback(message), suspend_flow.wait())`,
        with the flow running?"""
        if timeout is not None or len(coros) != 2 or not all(inspect.iscoroutine(c) for c in coros):
            return False
        frame = coros[1].cr_frame
        if frame is None or frame.f_locals.get("self") is not self.suspend_flow:
            return False
        return not (self.suspend_flow.is_set() or self._stopped.is_set() or self._crashed.is_set())


async def _resumed(coro: Any, step: Any) -> Any:
    """`coro`, already run to its first wait (`step`, what it yielded), as a coroutine that
    goes on from there."""
    return await _Continue(coro, step)


class _Continue:
    def __init__(self, coro: Any, step: Any) -> None:
        self._coro, self._step = coro, step

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, step = self._coro, self._step
        while True:
            try:
                sent = yield step
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation or an error thrown in: pass it on
                try:
                    step = coro.throw(exc)
                except StopIteration as finished:
                    return finished.value
            else:
                try:
                    step = coro.send(sent)
                except StopIteration as finished:
                    return finished.value


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


class _FlowControl(FlowControlEvent):
    def resume(self) -> None:
        if self.is_active():
            return  # nothing was suspended: the buffers hold records fetched after a seek
        super().resume()


def keep_records_fetched_after_seek(app: faust.App) -> None:
    """Give `app` the flow control above (before any agent or stream is declared)."""
    app.flow_control = _FlowControl(loop=app.loop)


def tune_faust(fetch_max_wait_ms: int, fetch_min_bytes: int) -> None:
    """Make `kafka://` apps in this process use the tuned transport, with these consumer
    settings (TRADESCREEN_CONSUMER_FETCH_WAIT_MS and _MIN_BYTES)."""
    _settings["fetch_max_wait_ms"] = fetch_max_wait_ms
    _settings["fetch_min_bytes"] = fetch_min_bytes
    drivers.TRANSPORTS.aliases["kafka"] = f"{__name__}:Transport"
