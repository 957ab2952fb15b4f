"""The local pollers' long poll (``local.workarounds.wait_for_messages``): an idle poller waits up
to a second between receives, so the wait must end as soon as there is something to receive — a
message sent, or one in flight becoming visible again (a retry) — or work would sit in the queue.
Each wait here is given 60 seconds; ending well before that shows what ended it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from local import workarounds
from tests.support.ingest import post_traces, trace, wait_normalized
from tests.support.waiting import wait_until

LONG = 60.0


@pytest.fixture
def queue(cloud: Any) -> Iterator[tuple[Any, str, str]]:
    """A queue of its own (no poller reads it): ``(sqs, url, name)``."""
    sqs = cloud.client("sqs")
    name = f"long-poll-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    yield sqs, url, name
    sqs.delete_queue(QueueUrl=url)


def waiting(cloud: Any, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=workarounds.wait_for_messages, args=(cloud.options.region, name, LONG), daemon=True
    )
    thread.start()
    return thread


def test_a_long_poll_ends_when_a_message_is_sent(cloud: Any, queue: tuple[Any, str, str]) -> None:
    sqs, url, name = queue
    thread = waiting(cloud, name)
    thread.join(0.5)
    assert thread.is_alive()  # nothing to receive yet: still waiting
    sqs.send_message(QueueUrl=url, MessageBody="work")
    thread.join(LONG / 4)
    assert not thread.is_alive()


def test_a_long_poll_ends_when_a_message_in_flight_becomes_visible_again(
    cloud: Any, queue: tuple[Any, str, str]
) -> None:
    sqs, url, name = queue
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=2)["Messages"]  # in flight for 2 s
    thread = waiting(cloud, name)
    thread.join(LONG / 4)
    assert not thread.is_alive()
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "retry me"


def test_a_long_poll_on_a_queue_with_a_message_returns_at_once(cloud: Any, queue: tuple[Any, str, str]) -> None:
    sqs, url, name = queue
    sqs.send_message(QueueUrl=url, MessageBody="already there")
    thread = waiting(cloud, name)
    thread.join(LONG / 4)
    assert not thread.is_alive()


def test_a_poller_whose_long_poll_fails_keeps_receiving(cloud: Any, queue: tuple[Any, str, str]) -> None:
    """If the emulator's queue cannot be waited on (gone, or moto changed), the poller waits its
    idle time instead and goes on receiving: its thread must not die."""
    from local.event_sources import Queue, SqsPoller

    sqs, url, _ = queue
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    delivered: list[str] = []

    failed: list[float] = []

    def broken(seconds: float) -> None:
        failed.append(seconds)
        raise AttributeError("no such queue internals")

    def invoke(function: str, event: dict[str, Any]) -> None:
        delivered.extend(record["body"] for record in event["Records"])

    source = next(p for p in cloud.pollers if p.source.queue_id == "NormalizeQueue").source
    poller = SqsPoller(source, Queue(url, arn), sqs, invoke, cloud.options.region, 1, 1, broken)
    poller.start()
    try:
        wait_until(lambda: len(failed) >= 2, LONG, what="long polls failing")  # idle
        sqs.send_message(QueueUrl=url, MessageBody="still received")
        wait_until(lambda: delivered, LONG, what="the message received")
    finally:
        poller.stop()
    assert delivered == ["still received"]


def test_with_the_pollers_paused_messages_wait_and_are_handled_after(
    cloud: Any, api: Any, owner: Any, agent: dict[str, Any]
) -> None:
    """``LocalCloud.pollers_paused`` (what ``bench/load.py --pollers-paused`` measures with): the
    HTTP path answers as usual, the queued work waits, and is done once the pollers start again."""
    with cloud.pollers_paused():
        answer = post_traces(api, owner.headers, [trace(agent["id"])])
        assert answer.status_code == 202
        trace_id = answer.json()["results"][0]["traceId"]
        assert cloud.queue_depth("NormalizeQueue") >= 1
        stored = api.get(f"/api/traces/{trace_id}", headers=owner.headers).json()
        assert stored["normalization"]["state"] == "pending"
    assert wait_normalized(api, owner.headers, trace_id)["normalization"]["state"] == "normalized"
