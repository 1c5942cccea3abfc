"""A real HTTP server on a loopback address, in a thread, with scripted routes and a log.

Routes map a path (with its query) to a Reply or to a function of the Hit that returns one.
GETs with a Range header are answered 206 with the slice, unless the reply says otherwise.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    ranges: bool = True  # answer a Range request with 206 and the slice
    content_type: str = "text/html; charset=utf-8"
    trickle: float = 0.0  # seconds between two bytes of the body (a slow sender)


@dataclass(frozen=True)
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    started: float


Route = Reply | Callable[[Hit], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _serve(self) -> None:
        hit = Hit(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            time.monotonic(),
        )
        owner = self.server.owner
        with owner.lock:
            owner.hits.append(hit)
            owner.active += 1
            owner.max_active = max(owner.max_active, owner.active)
        try:
            route = owner.routes.get(self.path) or owner.routes.get(self.path.split("?")[0])
            reply = (route(hit) if callable(route) else route) if route else Reply(404, b"nope")
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body
            status = reply.status
            headers = dict(reply.headers)
            if (
                self.command == "GET"
                and reply.ranges
                and status == 200
                and "range" in hit.headers
                and hit.headers["range"].startswith("bytes=")
                and body
            ):
                first, _, last = hit.headers["range"][6:].partition("-")
                start, end = int(first), min(int(last or len(body) - 1), len(body) - 1)
                headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                body, status = body[start : end + 1], 206
            self.send_response(status)
            headers.setdefault("Content-Type", reply.content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self._write(body, reply.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with owner.lock:
                owner.active -= 1

    def _write(self, body: bytes, trickle: float) -> None:
        if not trickle:
            self.wfile.write(body)
            return
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            time.sleep(trickle)

    do_GET = _serve
    do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: TestServer

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client hung up
        return


class TestServer:
    """``with TestServer() as server: server.routes["/x"] = Reply(404); server.url("/x")``"""

    __test__ = False  # not a pytest test class

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> TestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def count(self, path: str | None = None, method: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for hit in self.hits
                if (path is None or hit.path == path) and (method is None or hit.method == method)
            )
