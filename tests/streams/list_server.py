"""A local stand-in for the official list download sites: serves files over HTTP with
ETag / Last-Modified validators, and can be told to fail or to cut a body short."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class ListServer:
    files: dict[str, Path] = field(default_factory=dict)  # URL path -> file served
    fail_next: Counter[str] = field(default_factory=Counter)  # URL path -> 503s still to send
    truncate: set[str] = field(default_factory=set)  # URL paths whose body is cut short
    requests: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)  # path, status, headers
    base_url: str = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def statuses(self, path: str) -> list[int]:
        return [status for p, status, _ in self.requests if p == path]


def _handler(state: ListServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
                   declared: int | None = None) -> None:
            state.requests.append((self.path, status, dict(self.headers.items())))
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) if declared is None else declared))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = state.files.get(self.path)
            if path is None:
                self._reply(404, b"not found")
                return
            if state.fail_next[self.path] > 0:
                state.fail_next[self.path] -= 1
                self._reply(503, b"busy")
                return
            body = path.read_bytes()
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            mtime = int(path.stat().st_mtime)
            validators = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
            if self.headers.get("If-None-Match") == etag:
                self._reply(304, headers=validators)
                return
            since = self.headers.get("If-Modified-Since")
            # An If-None-Match, when sent, decides alone (RFC 9110 13.2.2).
            if since and "If-None-Match" not in self.headers and parsedate_to_datetime(since).timestamp() >= mtime:
                self._reply(304, headers=validators)
                return
            if self.path in state.truncate:
                # Promise more than is sent, then close: what a dropped connection looks like.
                self._reply(200, body[: len(body) // 2], validators, declared=len(body))
                self.close_connection = True
                return
            self._reply(200, body, validators)

    return Handler


@contextmanager
def serve_lists() -> Iterator[ListServer]:
    state = ListServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
