"""The org-wide listings (traces, sessions, an agent's sessions) are spread over shards of their
index, so one busy org never needs more of a partition than DynamoDB gives; read back, they are one
newest-first list, page by page — including items written before listings were sharded."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.identity import create_agent, create_snapshot, sign_up
from tests.support.ingest import at, post_traces, trace, wait_normalized
from tests.support.lifecycle import items_of_org


def pages(api: httpx.Client, headers: dict[str, str], path: str, limit: int, **params: Any) -> list[list[str]]:
    """The ids of each page of a list, following its cursors."""
    found, cursor = [], None
    while True:
        answer = api.get(
            path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        found.append([item["id"] for item in answer.json()["items"]])
        cursor = answer.json()["nextCursor"]
        if not cursor:
            return found


def every_id(api: httpx.Client, headers: dict[str, str], path: str, limit: int, **params: Any) -> list[str]:
    return [item for page in pages(api, headers, path, limit, **params) for item in page]


def test_sharded_listings_read_back_newest_first_page_by_page(api: httpx.Client, cloud: Any) -> None:
    account = sign_up(api)
    bot = create_agent(api, account.headers)
    create_snapshot(api, account.headers, bot["id"])
    sent = [
        trace(
            bot["id"], startedAt=at(n), endedAt=at(n + 0.5), **({"status": "error", "error": "x"} if n % 3 == 0 else {})
        )
        for n in range(14)
    ]
    trace_ids = [result["traceId"] for result in post_traces(api, account.headers, sent).json()["results"]]
    session_ids = [wait_normalized(api, account.headers, t)["normalization"]["sessionId"] for t in trace_ids]

    # one trace and its session as an older version listed them: in the unsharded partitions
    dynamodb, table, org = cloud.client("dynamodb"), cloud.resources["Table"], account.org["id"]
    for pk, sk, names in (
        (f"ORG#{org}#TRACE#{trace_ids[5]}", "TRACE", {"GSI2PK": f"ORG#{org}#TRACES"}),
        (
            f"ORG#{org}#SESSION#{session_ids[5]}",
            "SESSION",
            {"GSI2PK": f"ORG#{org}#SESSIONS", "GSI1PK": f"ORG#{org}#AGENT#{bot['id']}#SESSIONS"},
        ),
    ):
        dynamodb.update_item(
            TableName=table,
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in names),
            ExpressionAttributeValues={f":{name}": {"S": value} for name, value in names.items()},
        )
    shards = {item["GSI2PK"] for item in items_of_org(cloud, org) if item["SK"] == "TRACE"}
    assert len(shards) >= 3, shards  # spread (and the old partition)

    newest_first = list(reversed(trace_ids))
    traces = pages(api, account.headers, "/api/traces", 4)
    assert [len(page) for page in traces] == [4, 4, 4, 2]
    assert [item for page in traces for item in page] == newest_first
    errors = every_id(api, account.headers, "/api/traces", 2, status="error")
    assert errors == [t for n, t in reversed(list(enumerate(trace_ids))) if n % 3 == 0]
    window = every_id(api, account.headers, "/api/traces", 3, **{"from": at(4), "to": at(9)})
    assert window == newest_first[5:10]  # from at(4) up to (not at) at(9)

    sessions = list(reversed(session_ids))
    assert every_id(api, account.headers, "/api/sessions", 5) == sessions
    assert every_id(api, account.headers, "/api/sessions", 3, agentId=bot["id"]) == sessions
    assert every_id(api, account.headers, "/api/sessions", 4, hasErrors="true") == [
        s for n, s in reversed(list(enumerate(session_ids))) if n % 3 == 0
    ]
    # a cursor is bound to its list
    cursor = api.get("/api/traces", params={"limit": 2}, headers=account.headers).json()["nextCursor"]
    refused = api.get("/api/sessions", params={"cursor": cursor}, headers=account.headers)
    assert refused.status_code == 400
