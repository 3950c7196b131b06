"""The worker's consumer takes the fetch settings Faust does not expose."""

from __future__ import annotations

import asyncio

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
