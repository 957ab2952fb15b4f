"""The provider HTTP client: 429 waits, 5xx backoff, clear refusals — against a loopback server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grounded_core.connectors.http import ProviderHttp, Rejected, Unavailable, WaitLonger, retry_after_seconds
from tests.fakes.server import FakeServer, Reply, Request


class Echo(FakeServer):
    def answer(self, request: Request) -> Reply:
        return Reply.json(200, {"path": request.path, "key": request.headers.get("x-api-key")})


@pytest.fixture
def server() -> Iterator[Echo]:
    running = Echo().start()
    yield running
    running.stop()


def client(server: Echo, time_left: float = 100.0) -> tuple[ProviderHttp, list[float]]:
    slept: list[float] = []
    http = ProviderHttp("LangSmith", server.url, {"x-api-key": "k"}, lambda: time_left, sleep=slept.append)
    return http, slept


def test_429_is_waited_out_for_retry_after(server: Echo) -> None:
    http, slept = client(server)
    server.fail(429, times=2, retry_after="3")
    assert http.get("/runs").json() == {"path": "/runs", "key": "k"}
    assert slept == [3.0, 3.0]


def test_a_wait_longer_than_the_time_left_hands_over(server: Echo) -> None:
    http, _ = client(server, time_left=10)
    server.fail(429, retry_after="60")
    with pytest.raises(WaitLonger) as raised:
        http.get("/runs")
    assert raised.value.seconds == 60


def test_5xx_backs_off_then_gives_up(server: Echo) -> None:
    http, slept = client(server)
    server.fail(503, times=2)
    assert http.get("/x").status == 200
    assert len(slept) == 2
    assert slept[1] > slept[0]
    server.fail(502, times=10)
    with pytest.raises(Unavailable, match=r"LangSmith kept failing \(HTTP 502\) after 4 attempts"):
        http.get("/x")


def test_refusals_are_clear(server: Echo) -> None:
    http, _ = client(server)
    server.fail(401)
    with pytest.raises(Rejected, match=r"^LangSmith rejected the API key \(HTTP 401\)\.$"):
        http.get("/x")
    server.fail(400)
    with pytest.raises(Rejected, match=r"refused the request \(HTTP 400\): injected 400"):
        http.get("/x")


def test_no_server_is_unavailable() -> None:
    http = ProviderHttp("FullStory", "http://127.0.0.1:9", {}, lambda: 100, sleep=lambda _: None)
    with pytest.raises(Unavailable, match="FullStory kept failing"):
        http.get("/x")


def test_retry_after_values() -> None:
    assert (
        retry_after_seconds("2"),
        retry_after_seconds(None),
        retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT"),
    ) == (2.0, 10.0, 10.0)
