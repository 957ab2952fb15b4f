"""Batches and throttling: what DynamoDB leaves unprocessed (throttled) is sent again, and what is
still left after every attempt fails the call as :class:`Busy` (a 503 with ``Retry-After``; the
request or message is then tried again whole) — never dropped in silence, never called a bug."""

from __future__ import annotations

from typing import Any

import pytest


class Client:
    """A DynamoDB client that leaves the last write of each call unprocessed ``throttled`` times."""

    def __init__(self, throttled: int) -> None:
        self.throttled = throttled
        self.calls: list[int] = []
        self.written: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, dict[str, Any]]) -> dict[str, Any]:
        ((table, asked),) = RequestItems.items()
        keys = asked["Keys"]
        self.calls.append(len(keys))
        answered, left = (keys[:-1], keys[-1:]) if self.throttled else (keys, [])
        if self.throttled:
            self.throttled -= 1
        unprocessed = {table: {**asked, "Keys": left}} if left else {}
        return {"Responses": {table: [{**key, "n": {"N": "1"}} for key in answered]}, "UnprocessedKeys": unprocessed}

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
    from grounded_core.errors import Busy
    from grounded_core.store import table

    client.throttled = table.BATCH_ATTEMPTS
    with pytest.raises(Busy) as busy:
        table.batch_put(items(3))
    assert len(client.calls) == table.BATCH_ATTEMPTS
    assert (busy.value.status, busy.value.code, busy.value.retry_after_seconds) == (503, "busy", 1)


def test_keys_left_unprocessed_are_asked_again(client: Client) -> None:
    from grounded_core.store import table

    client.throttled = 2
    found = table.batch_get([("p", "a"), ("p", "b"), ("p", "c")])
    assert client.calls == [3, 1, 1]
    assert sorted(found) == [("p", "a"), ("p", "b"), ("p", "c")]


def test_keys_still_unprocessed_after_every_attempt_fail_the_call(client: Client) -> None:
    from grounded_core.errors import Busy
    from grounded_core.store import table

    client.throttled = table.BATCH_ATTEMPTS
    with pytest.raises(Busy):
        table.batch_get([("p", "a"), ("p", "b")])
    assert len(client.calls) == table.BATCH_ATTEMPTS


class Refusing:
    """A DynamoDB client whose every request fails with ``code`` (after botocore's own retries)."""

    def __init__(self, code: str, reasons: list[dict[str, str]] | None = None) -> None:
        self.code = code
        self.reasons = reasons

    def __getattr__(self, operation: str) -> Any:
        from botocore.exceptions import ClientError

        def fail(**_arguments: Any) -> Any:
            response: dict[str, Any] = {"Error": {"Code": self.code, "Message": "refused"}}
            if self.reasons is not None:
                response["CancellationReasons"] = self.reasons
            raise ClientError(response, operation)

        return fail


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]
)
def test_a_request_throttled_past_its_retries_is_busy(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    from grounded_core import aws
    from grounded_core.errors import Busy
    from grounded_core.store import table
    from grounded_core.store.conditions import Put, absent

    monkeypatch.setattr(aws, "client", lambda _service: Refusing(code))
    calls = [
        lambda: table.get("p", "s"),
        lambda: table.put({"PK": "p", "SK": "s"}),
        lambda: table.query("p"),
        lambda: table.batch_get([("p", "s")]),
        lambda: table.batch_put([{"PK": "p", "SK": "s"}]),
        lambda: table.transact([Put({"PK": "p", "SK": "s"}, absent())]),
    ]
    for call in calls:
        with pytest.raises(Busy):
            call()


def test_a_transaction_an_item_of_which_was_throttled_is_busy_not_a_race(monkeypatch: pytest.MonkeyPatch) -> None:
    from grounded_core import aws
    from grounded_core.errors import Busy
    from grounded_core.store import table
    from grounded_core.store.conditions import Put, absent

    reasons = [{"Code": "None"}, {"Code": "ThrottlingError"}]
    monkeypatch.setattr(aws, "client", lambda _service: Refusing("TransactionCanceledException", reasons))
    with pytest.raises(Busy):
        table.transact([Put({"PK": "p", "SK": "a"}, absent()), Put({"PK": "p", "SK": "b"}, absent())])


def test_any_other_error_is_not_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from grounded_core import aws
    from grounded_core.store import table

    monkeypatch.setattr(aws, "client", lambda _service: Refusing("InternalServerError"))
    with pytest.raises(ClientError):
        table.get("p", "s")
