"""The front door answers on kept-alive connections without Nagle's algorithm: a response is two
writes (headers, then body), and with Nagle the body waited for the client's delayed ACK of the
headers — 40 ms on every request of a kept-alive connection (bench/load.py --clients 1 showed it)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local.frontdoor import FrontDoor, HttpRequest, HttpResponse, json_response


def _pong(request: HttpRequest) -> HttpResponse:
    return json_response(200, {"path": request.path})


@pytest.fixture
def served() -> Iterator[tuple[FrontDoor, list[socket.socket]]]:
    front_door = FrontDoor(api=None, local_routes={("GET", "/_local/ping"): _pong}, host="127.0.0.1", port=0)  # type: ignore[arg-type]
    accepted: list[socket.socket] = []
    finish = front_door._server.finish_request

    def remember(request: Any, client_address: Any) -> None:
        accepted.append(request)
        finish(request, client_address)

    front_door._server.finish_request = remember  # type: ignore[method-assign]
    front_door.start()
    try:
        yield front_door, accepted
    finally:
        front_door.stop()


def test_a_kept_alive_connection_is_answered_with_nagle_off(served: tuple[FrontDoor, list[socket.socket]]) -> None:
    front_door, accepted = served
    with httpx.Client(base_url=f"http://127.0.0.1:{front_door.port}") as client:
        answers = [client.get(f"/_local/ping/{n}") for n in range(3)]
        assert [answer.json() for answer in answers] == [{"path": f"/_local/ping/{n}"} for n in range(3)]
        assert len(accepted) == 1  # all three on one connection
        assert accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
