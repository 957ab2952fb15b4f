"""Dead letters can be replayed after a fix: the redrive tool moves them back to the source queue,
where the worker takes them again (a message that still fails goes back to the dead-letter queue)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from tests.support.identity import Account
from tests.support.ingest import event
from tests.support.waiting import wait_until


def test_redrive_replays_dead_letters(api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]) -> None:
    sqs = cloud.client("sqs")
    source, dead = cloud.resources["NormalizeQueue"], cloud.resources["NormalizeDeadLetterQueue"]
    before = cloud.queue_depth("NormalizeDeadLetterQueue")
    sqs.send_message(QueueUrl=source, MessageBody="this is not a normalize message")  # poison: fails every time
    wait_until(
        lambda: cloud.queue_depth("NormalizeDeadLetterQueue") > before, timeout=60, what="the poison message in the DLQ"
    )
    # a message that failed before a fix (say, a deploy that broke the worker) and would work now
    anonymous = f"redrive-{uuid.uuid4().hex[:8]}"
    fixed = {**event(agent["id"], anonymous), "id": f"evt-{uuid.uuid4().hex[:8]}"}
    sqs.send_message(
        QueueUrl=dead, MessageBody=json.dumps({"kind": "events", "orgId": owner.org["id"], "events": [fixed]})
    )

    moved = api.post("/_local/redrive/NormalizeQueue")

    assert moved.status_code == 200
    assert moved.json()["moved"] == before + 2
    sessions = wait_until(
        lambda: [
            s
            for s in api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
            if s["anonymousId"] == anonymous and s["events"] >= 1  # made first, then the event counted
        ],
        what="the replayed event's session",
    )
    assert [s["events"] for s in sessions] == [1]
    wait_until(
        lambda: cloud.queue_depth("NormalizeDeadLetterQueue") >= 1, timeout=60, what="the poison back in the DLQ"
    )
    assert api.post("/_local/redrive/NoSuchQueue").status_code == 404
