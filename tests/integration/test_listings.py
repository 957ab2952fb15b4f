"""The org-wide listings (traces, sessions, an agent's sessions) are spread over shards of their
index, so one busy org never needs more of a partition than DynamoDB gives; read back, they are one
newest-first list, page by page — including items written before listings were sharded, and
sessions listed by their own item (written before sessions had listing entries)."""

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

    # one trace as an older version listed it: in the unsharded partition
    dynamodb, table, org = cloud.client("dynamodb"), cloud.resources["Table"], account.org["id"]
    dynamodb.update_item(
        TableName=table,
        Key={"PK": {"S": f"ORG#{org}#TRACE#{trace_ids[5]}"}, "SK": {"S": "TRACE"}},
        UpdateExpression="SET GSI2PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORG#{org}#TRACES"}},
    )
    shards = {item["GSI2PK"] for item in items_of_org(cloud, org) if item["SK"] == "TRACE"}
    assert len(shards) >= 3, shards  # spread (and the old partition)

    # each session is listed by an entry of its own, marked when its first error was counted
    entries = {item["id"]: item for item in items_of_org(cloud, org) if item["SK"] == "LISTED"}
    assert sorted(entries) == sorted(session_ids)
    assert [entries[s]["errored"] for s in session_ids] == [n % 3 == 0 for n in range(14)]
    # two sessions as an older version listed them: the session item itself, in the unsharded
    # partitions (one with an error, one without)
    for old in (session_ids[5], session_ids[6]):
        entry = entries[old]
        dynamodb.delete_item(TableName=table, Key={"PK": {"S": entry["PK"]}, "SK": {"S": "LISTED"}})
        names = {
            "GSI1PK": f"ORG#{org}#AGENT#{bot['id']}#SESSIONS",
            "GSI1SK": entry["GSI1SK"],
            "GSI2PK": f"ORG#{org}#SESSIONS",
            "GSI2SK": entry["GSI2SK"],
        }
        dynamodb.update_item(
            TableName=table,
            Key={"PK": {"S": entry["PK"]}, "SK": {"S": "SESSION"}},
            UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in names),
            ExpressionAttributeValues={f":{name}": {"S": value} for name, value in names.items()},
        )
    # a session whose only error went to another session (a trace's later revision moved): its
    # entry stays marked, its counters say no error
    moved = session_ids[9]
    dynamodb.update_item(
        TableName=table,
        Key={"PK": {"S": entries[moved]["PK"]}, "SK": {"S": "SESSION"}},
        UpdateExpression="SET errors = :none",
        ExpressionAttributeValues={":none": {"N": "0"}},
    )

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
    errored = [s for n, s in reversed(list(enumerate(session_ids))) if n % 3 == 0 and n != 9]
    assert every_id(api, account.headers, "/api/sessions", 4, hasErrors="true") == errored
    assert every_id(api, account.headers, "/api/sessions", 4, hasErrors="false") == [
        s for s in sessions if s not in errored
    ]
    listed = api.get("/api/sessions", params={"limit": 20}, headers=account.headers).json()["items"]
    assert [(s["id"], s["traces"], s["hasErrors"]) for s in listed] == [(s, 1, s in errored) for s in sessions]
    # a cursor is bound to its list
    cursor = api.get("/api/traces", params={"limit": 2}, headers=account.headers).json()["nextCursor"]
    refused = api.get("/api/sessions", params={"cursor": cursor}, headers=account.headers)
    assert refused.status_code == 400
