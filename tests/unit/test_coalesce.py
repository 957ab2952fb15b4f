"""Small normalize messages of one org handled together (``grounded_core.ingest.coalesce``): who is
grouped with whom, and which message fails when an item of the group does."""

from __future__ import annotations

from typing import Any

import pytest

from grounded_core.ingest.coalesce import MOST_ITEMS, coalesce, handle_together
from grounded_core.ingest.items import ItemsFailed


def traces(org: str, *ids: str) -> dict[str, Any]:
    return {"kind": "traces", "orgId": org, "ids": list(ids)}


def events(org: str, *ids: str) -> dict[str, Any]:
    return {"kind": "events", "orgId": org, "events": [{"id": event_id, "agentId": "a"} for event_id in ids]}


def test_messages_of_one_kind_and_org_are_handled_as_one() -> None:
    groups, alone = coalesce(
        [
            ("m1", traces("o1", "t1")),
            ("m2", events("o1", "e1")),
            ("m3", traces("o1", "t2", "t3")),
            ("m4", traces("o2", "t4")),
            ("m5", events("o1", "e2")),
            ("m6", {"kind": "renormalize", "orgId": "o1", "agentId": "a"}),
        ]
    )
    assert [(g.kind, g.org_id, list(g.members)) for g in groups] == [
        ("traces", "o1", ["m1", "m3"]),
        ("events", "o1", ["m2", "m5"]),
    ]
    assert groups[0].body() == traces("o1", "t1", "t2", "t3")
    assert groups[1].body() == {**events("o1", "e1", "e2")}
    assert alone == ["m4", "m6"]  # alone in its group, another kind: handled on its own, as before


def test_a_group_never_holds_more_items_than_one_message() -> None:
    full = [f"t{n}" for n in range(MOST_ITEMS["traces"] - 1)]
    groups, alone = coalesce(
        [("m1", traces("o", *full)), ("m2", traces("o", "x")), ("m3", traces("o", "y")), ("m4", traces("o", "z"))]
    )
    assert [list(g.members) for g in groups] == [["m1", "m2"], ["m3", "m4"]]
    assert all(len(g.items) <= MOST_ITEMS["traces"] for g in groups)
    assert alone == []


def test_an_item_in_two_messages_is_handled_once() -> None:
    groups, _ = coalesce([("m1", traces("o", "t1", "t2")), ("m2", traces("o", "t2", "t3"))])
    assert groups[0].body()["ids"] == ["t1", "t2", "t3"]
    groups, _ = coalesce([("m1", events("o", "e1")), ("m2", events("o", "e1"))])
    assert [event["id"] for event in groups[0].body()["events"]] == ["e1"]


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "not json",
        {"kind": "traces", "ids": ["t"]},  # no org
        {"kind": "traces", "orgId": "o", "ids": []},
        {"kind": "traces", "orgId": "o", "ids": [1]},
        {"kind": "events", "orgId": "o", "events": [{"agentId": "a"}]},  # an event without its id
        {"kind": "events", "orgId": "o", "events": ["x"]},
    ],
)
def test_a_malformed_message_is_left_to_be_refused_on_its_own(bad: Any) -> None:
    groups, alone = coalesce([("m1", traces("o", "t1")), ("bad", bad), ("m2", traces("o", "t2"))])
    assert [list(g.members) for g in groups] == [["m1", "m2"]]
    assert alone == ["bad"]


def test_only_the_messages_whose_items_failed_fail() -> None:
    (group,), _ = coalesce([("m1", traces("o", "t1")), ("m2", traces("o", "t2", "t3")), ("m3", traces("o", "t3"))])
    handled: list[dict[str, Any]] = []

    def handle(body: dict[str, Any]) -> None:
        handled.append(body)
        raise ItemsFailed("traces", ["t3"])

    failures = handle_together(group, handle)
    assert handled == [traces("o", "t1", "t2", "t3")]
    assert set(failures) == {"m2", "m3"}
    assert all(isinstance(f, ItemsFailed) and f.failed == ["t3"] for f in failures.values())


def test_every_message_fails_when_the_group_fails_as_a_whole() -> None:
    (group,), _ = coalesce([("m1", events("o", "e1")), ("m2", events("o", "e2"))])

    def handle(body: dict[str, Any]) -> None:
        raise RuntimeError("throttled")

    assert set(handle_together(group, handle)) == {"m1", "m2"}
    assert handle_together(group, lambda _body: None) == {}
