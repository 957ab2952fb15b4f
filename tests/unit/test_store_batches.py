"""Batch writes: what DynamoDB leaves unprocessed (throttled) is sent again, and what is still left
after every attempt fails the call (the request or message is then tried again whole) — never
dropped in silence."""

from __future__ import annotations

from typing import Any

import pytest


class Client:
    """A DynamoDB client that leaves the last write of each call unprocessed ``throttled`` times."""

    def __init__(self, throttled: int) -> None:
        self.throttled = throttled
        self.calls: list[int] = []
        self.written: list[dict[str, Any]] = []

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        ((table, writes),) = RequestItems.items()
        self.calls.append(len(writes))
        if self.throttled:
            self.throttled -= 1
            self.written.extend(writes[:-1])
            return {"UnprocessedItems": {table: writes[-1:]}}
        self.written.extend(writes)
        return {"UnprocessedItems": {}}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Client:
    from grounded_core import aws
    from grounded_core.store import table

    fake = Client(0)
    monkeypatch.setattr(aws, "client", lambda _service: fake)
    monkeypatch.setattr(table, "_pause", lambda _attempt: None)
    return fake


def items(count: int) -> list[dict[str, Any]]:
    return [{"PK": "p", "SK": f"s{n:03}", "n": n} for n in range(count)]


def test_writes_go_25_a_call_and_unprocessed_ones_are_sent_again(client: Client) -> None:
    from grounded_core.store import table

    client.throttled = 2
    table.batch_put(items(30))
    assert client.calls == [25, 1, 1, 5]  # the first 25, its throttled one twice, then the rest
    assert sorted(write["PutRequest"]["Item"]["SK"]["S"] for write in client.written) == [f"s{n:03}" for n in range(30)]
    assert client.written[0]["PutRequest"]["Item"]["n"] == {"N": "0"}  # typed as DynamoDB takes it


def test_deletes_are_batched_the_same_way(client: Client) -> None:
    from grounded_core.store import table

    table.batch_delete([("p", "a"), ("p", "b")])
    assert client.written == [
        {"DeleteRequest": {"Key": {"PK": {"S": "p"}, "SK": {"S": "a"}}}},
        {"DeleteRequest": {"Key": {"PK": {"S": "p"}, "SK": {"S": "b"}}}},
    ]


def test_what_is_still_unprocessed_after_every_attempt_fails_the_call(client: Client) -> None:
    from grounded_core.store import table

    client.throttled = table.BATCH_ATTEMPTS
    with pytest.raises(RuntimeError, match="1 batch writes unprocessed"):
        table.batch_put(items(3))
    assert len(client.calls) == table.BATCH_ATTEMPTS
