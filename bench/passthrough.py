"""The throughput ceiling bench/stream.py compares the worker with: a bare Faust agent on
the same broker that consumes a message, decodes its JSON and sends one message, with the
same consumer settings as the worker (TRADESCREEN_CONSUMER_FETCH_*, streams/faust_tuning.py).

usage: python bench/passthrough.py BOOTSTRAP IN_TOPIC OUT_TOPIC APP_ID WEB_PORT
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faust
from faust.worker import Worker

from streams.faust_tuning import tune_faust
from streams.settings import Settings


def main() -> None:
    bootstrap, in_topic, out_topic, app_id, port = sys.argv[1:6]
    # The worker's consumer settings (TRADESCREEN_CONSUMER_FETCH_*), so that the ceiling
    # fetches as the worker does.
    settings = Settings()
    tune_faust(settings.consumer_fetch_wait_ms, settings.consumer_fetch_min_bytes)
    app = faust.App(app_id, broker=f"kafka://{bootstrap}", store="memory://", web_port=int(port),
                    web_bind="127.0.0.1", autodiscover=False, key_serializer="raw", value_serializer="raw",
                    consumer_auto_offset_reset="earliest", broker_session_timeout=10, broker_heartbeat_interval=1)
    source = app.topic(in_topic, key_type=bytes, value_type=bytes)
    sink = app.topic(out_topic, key_type=bytes, value_type=bytes)

    @app.agent(source)
    async def passthrough(stream: AsyncIterable[Any]) -> None:
        async for event in stream.events():  # type: ignore[attr-defined]
            body = json.loads(event.value)
            await sink.send(key=event.key, value=json.dumps({"event_id": body["event_id"]}).encode())

    Worker(app, loglevel="warning", quiet=True, redirect_stdouts=False).execute_from_commandline()


if __name__ == "__main__":
    main()
