"""A normalize invocation's small messages handled together. An agent posting one trace per turn,
or a browser beaconing a few events at a time, queues one message per request; handled one by one,
each pays for its own reads (markers, stitch keys, sessions) and its own transaction of counters.
The traces (or events) of one org from several messages of a batch are handled as one message
would be — their reads made once, their counters summed into one transaction — never more items
together than one message may hold, so the transaction is no larger than a full message's.

Each message still succeeds or fails on its own: it fails when any of its items failed (retried,
it applies nothing twice: every item is applied exactly once by its own marker)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grounded_core.ingest.items import EVENTS_PER_MESSAGE, TRACES_PER_MESSAGE, ItemsFailed


def _trace_names(body: dict[str, Any]) -> list[str] | None:
    ids = body.get("ids")
    if isinstance(ids, list) and ids and all(isinstance(trace_id, str) for trace_id in ids):
        return ids
    return None


def _event_names(body: dict[str, Any]) -> list[str] | None:
    events = body.get("events")
    if (
        isinstance(events, list)
        and events
        and all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in events)
    ):
        return [event["id"] for event in events]
    return None


#: the kinds handled together, and how a message of each names its items (``None``: malformed,
#: left to be handled — and refused — on its own)
NAMES: dict[str, Callable[[dict[str, Any]], list[str] | None]] = {"traces": _trace_names, "events": _event_names}
#: at most as many items together as one message of the kind holds
MOST_ITEMS = {"traces": TRACES_PER_MESSAGE, "events": EVENTS_PER_MESSAGE}


@dataclass
class Together:
    """Messages of one kind and org, handled as one: their items (each once), and which message
    brought which."""

    kind: str
    org_id: str
    items: dict[str, Any] = field(default_factory=dict)  # by name: a trace id, or an event
    members: dict[str, list[str]] = field(default_factory=dict)  # message id -> its items' names

    def room_for(self, names: list[str]) -> bool:
        return len(self.items.keys() | set(names)) <= MOST_ITEMS[self.kind]

    def add(self, message_id: str, body: dict[str, Any], names: list[str]) -> None:
        values = names if self.kind == "traces" else body["events"]
        for name, value in zip(names, values, strict=True):
            self.items.setdefault(name, value)
        self.members[message_id] = names

    def body(self) -> dict[str, Any]:
        items = list(self.items.values())
        return {"kind": self.kind, "orgId": self.org_id, ("ids" if self.kind == "traces" else "events"): items}


def coalesce(messages: Sequence[tuple[str, Any]]) -> tuple[list[Together], list[str]]:
    """The messages (``(message id, body)``) of kinds in :data:`NAMES` grouped by kind and org, in
    order, a group closed when the next message would take it past :data:`MOST_ITEMS`; and the ids
    of the others (other kinds, malformed bodies, a message alone in its group), to be handled one
    by one as before."""
    open_groups: dict[tuple[str, str], Together] = {}
    groups: list[Together] = []
    for message_id, body in messages:
        names = _names(body)
        if names is None:
            continue
        key = (body["kind"], body["orgId"])
        group = open_groups.get(key)
        if group is None or not group.room_for(names):
            group = open_groups[key] = Together(*key)
            groups.append(group)
        group.add(message_id, body, names)
    together = [group for group in groups if len(group.members) > 1]
    grouped = {message_id for group in together for message_id in group.members}
    return together, [message_id for message_id, _ in messages if message_id not in grouped]


def _names(body: Any) -> list[str] | None:
    if not isinstance(body, dict) or not isinstance(body.get("orgId"), str) or body.get("kind") not in NAMES:
        return None
    return NAMES[body["kind"]](body)


def handle_together(group: Together, handle: Callable[[dict[str, Any]], None]) -> dict[str, Exception]:
    """Handle the group as one message; what each of its messages failed with (none: it succeeded)."""
    try:
        handle(group.body())
    except ItemsFailed as failure:
        failed = set(failure.failed)
        return {
            message_id: ItemsFailed(group.kind, [name for name in names if name in failed])
            for message_id, names in group.members.items()
            if failed.intersection(names)
        }
    except Exception as failure:  # each message is retried: what of it was applied is a no-op the second time
        return dict.fromkeys(group.members, failure)
    return {}
