"""A fault-injecting proxy in front of the local cloud: it forwards every request as is, unless a
test told it (``fail``) to answer some with an error first — for the SDK's retry tests."""

from __future__ import annotations

import httpx

from tests.fakes.server import FakeServer, Reply, Request

HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


class FaultyProxy(FakeServer):
    def __init__(self, upstream: str) -> None:
        super().__init__()
        self._upstream = httpx.Client(base_url=upstream, timeout=30)

    def answer(self, request: Request) -> Reply:
        query = "&".join(f"{key}={value}" for key, values in request.query.items() for value in values)
        path = request.path + (f"?{query}" if query else "")
        headers = {key: value for key, value in request.headers.items() if key not in HOP_BY_HOP}
        response = self._upstream.request(request.method, path, content=request.body, headers=headers)
        kept = {
            key: value
            for key, value in response.headers.items()
            if key.lower() not in HOP_BY_HOP | {"content-encoding"}
        }
        return Reply(response.status_code, response.content, kept)
