"""A threaded HTTP server on loopback that records requests and injects faults."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(value).encode(), {"content-type": "application/json", **(headers or {})})


@dataclass
class Fault:
    reply: Reply
    times: int
    path: str  # requests whose path contains this
    skip: int = 0  # let this many matching requests through first


class FakeServer:
    """Subclasses answer in :meth:`answer`; tests read :attr:`requests` and call :meth:`fail`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.delay_seconds = 0.0
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, status: int, times: int = 1, path: str = "", skip: int = 0, retry_after: str | None = None) -> None:
        """Answer the next ``times`` requests on ``path`` (after ``skip`` of them) with ``status``."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        reply = Reply.json(status, {"detail": f"injected {status}"}, headers)
        with self._lock:
            self._faults.append(Fault(reply, times, path, skip))

    def seen(self, path: str = "", method: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path in r.path and (method is None or r.method == method)]

    def respond(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for fault in self._faults:
                if fault.times > 0 and fault.path in request.path:
                    if fault.skip > 0:
                        fault.skip -= 1
                        break
                    fault.times -= 1
                    return fault.reply
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        return self.answer(request)

    def answer(self, request: Request) -> Reply:
        raise NotImplementedError


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # kept-alive connections: no delayed-ACK wait per reply

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            reply = fake.respond(Request(self.command, parts.path, parse_qs(parts.query), headers, body))
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
