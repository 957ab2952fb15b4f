"""Headless Chromium for browser tests: Debian's ``chromium`` driven by Playwright for Python
(``executable_path``: Playwright's own browser download is not reachable here), and a static file
server for the pages under test."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: as root (CI) Chromium needs --no-sandbox; the rest keep it off a network it cannot reach
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise AssertionError("Debian's chromium is needed for the browser tests: `make test` installs it (as root)")
    return found


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


Route = Callable[[str], tuple[int, str, bytes] | None]


@contextmanager
def static_site(route: Route) -> Iterator[str]:
    """A web server on its own port (so its origin differs from the API's): ``route(path)``
    gives ``(status, content type, body)``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = route(self.path.split("?", 1)[0]) or (404, "text/plain", b"not found")
            status, content_type, body = answer
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
