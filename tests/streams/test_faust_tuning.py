"""The worker's consumer takes the fetch settings Faust does not expose."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import faust

from streams.faust_tuning import tune_faust
from streams.settings import Settings


def test_the_worker_consumer_fetches_with_the_configured_wait_and_size() -> None:
    async def fetch_settings() -> tuple[int, int]:
        app = faust.App("tuning-test", broker="kafka://127.0.0.1:9", autodiscover=False)
        thread = app.consumer._new_consumer_thread()  # type: ignore[attr-defined]
        consumer = thread._create_worker_consumer(app.transport)
        return consumer._fetch_max_wait_ms, consumer._fetch_min_bytes

    tune_faust(fetch_max_wait_ms=35, fetch_min_bytes=4096)
    try:
        assert asyncio.run(fetch_settings()) == (35, 4096)
    finally:
        defaults = Settings(_env_file=None)  # type: ignore[call-arg]
        tune_faust(defaults.consumer_fetch_wait_ms, defaults.consumer_fetch_min_bytes)


def _handing_on(run: Callable[[Any], Awaitable[Any]]) -> Any:
    """`run(consumer)` with the tuned transport's consumer of an app (no broker needed)."""
    async def main() -> Any:
        app = faust.App("tuning-test", broker="kafka://127.0.0.1:9", autodiscover=False)
        return await run(app.consumer)

    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    tune_faust(defaults.consumer_fetch_wait_ms, defaults.consumer_fetch_min_bytes)
    return asyncio.run(main())


def test_a_callback_that_finishes_at_once_is_handed_its_message_without_tasks() -> None:
    async def run(consumer: Any) -> Any:
        ran_in: list[asyncio.Task[Any] | None] = []

        async def callback() -> int:
            ran_in.append(asyncio.current_task())
            return 7

        result = await consumer.wait_first(callback(), consumer.suspend_flow.wait())
        return result.results, result.stopped, ran_in == [asyncio.current_task()]

    assert _handing_on(run) == ([7], False, True)


def test_a_callback_that_waits_goes_on_from_where_it_waited() -> None:
    async def run(consumer: Any) -> Any:
        loop = asyncio.get_running_loop()
        room = loop.create_future()
        steps: list[str] = []

        async def callback() -> int:
            steps.append("before")
            value: int = await room  # a full buffer
            steps.append("after")
            return value + 1

        loop.call_later(0.05, room.set_result, 41)
        result = await consumer.wait_first(callback(), consumer.suspend_flow.wait())
        return result.results, steps

    assert _handing_on(run) == ([42], ["before", "after"])


def test_a_waiting_callback_is_cancelled_when_the_flow_is_suspended() -> None:
    async def run(consumer: Any) -> Any:
        loop = asyncio.get_running_loop()
        seen: list[str] = []

        async def callback() -> None:
            try:
                await loop.create_future()  # never room
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        loop.call_later(0.05, consumer.suspend_flow.set)
        result = await consumer.wait_first(callback(), consumer.suspend_flow.wait())
        await asyncio.sleep(0.01)
        return result.results, seen

    assert _handing_on(run) == ([True], ["cancelled"])


def test_while_the_flow_is_suspended_faust_waits_its_own_way() -> None:
    async def run(consumer: Any) -> Any:
        consumer.suspend_flow.set()
        ran: list[str] = []

        async def callback() -> None:
            ran.append("ran")

        result = await consumer.wait_first(callback(), consumer.suspend_flow.wait())
        return len(result.done), result.stopped, ran

    # Faust's own wait: both are done at once, the callback run as a task of its own.
    assert _handing_on(run) == (2, False, ["ran"])
