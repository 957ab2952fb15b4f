"""Connector items and their checkpoints in the table.

Every connector write is a whole-item put conditioned on the version it read (optimistic
concurrency), so the item's keys — including the sparse ``SCHEDULED`` index entry — always come
from :meth:`Connector.keys` and two writers never lose each other's changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grounded_core.connectors.models import Connector
from grounded_core.errors import Conflict
from grounded_core.store import keys, table

VERSION = "version"
SECRET_NAME = "secretName"
CHANGED = "The connector changed meanwhile; try again."


class Stored:
    """A connector as read, with what the API never shows: its version and secret's name."""

    def __init__(self, connector: Connector, version: int, secret_name: str):
        self.connector = connector
        self.version = version
        self.secret_name = secret_name


def load(org_id: str, connector_id: str) -> Stored | None:
    item = table.get(keys.org(org_id), keys.connector(connector_id), consistent=True)
    if item is None:
        return None
    return Stored(Connector.from_item(item), int(item.get(VERSION, 0)), str(item.get(SECRET_NAME, "")))


def item_of(stored: Stored) -> dict[str, Any]:
    """The item to write for ``stored``'s next version."""
    return stored.connector.to_item(**{VERSION: stored.version + 1, SECRET_NAME: stored.secret_name})


def put_operation(stored: Stored, new: bool = False) -> dict[str, Any]:
    """A transaction ``Put`` of the next version, conditioned on the one read."""
    if new:
        return {"Put": {"Item": item_of(stored), "ConditionExpression": "attribute_not_exists(PK)"}}
    return {
        "Put": {
            "Item": item_of(stored),
            "ConditionExpression": "#v = :v",
            "ExpressionAttributeNames": {"#v": VERSION},
            "ExpressionAttributeValues": {":v": stored.version},
        }
    }


def save(stored: Stored, new: bool = False) -> Connector:
    if new:
        table.put(item_of(stored), condition="attribute_not_exists(PK)")
    else:
        table.put(item_of(stored), condition=f"{VERSION} = :v", conflict=CHANGED, values={":v": stored.version})
    stored.version += 1
    return stored.connector


def mutate(org_id: str, connector_id: str, change: Callable[[Connector], Connector | None]) -> Connector | None:
    """Read, apply ``change`` and write, retrying when another writer got there first.
    ``change`` returns ``None`` to write nothing; a missing connector gives ``None``."""
    for _ in range(8):
        stored = load(org_id, connector_id)
        if stored is None:
            return None
        changed = change(stored.connector.model_copy(deep=True))
        if changed is None:
            return stored.connector
        stored.connector = changed
        try:
            return save(stored)
        except Conflict:
            continue
    raise Conflict(CHANGED, code="connector_busy")


def delete(org_id: str, connector_id: str) -> None:
    table.delete(keys.org(org_id), keys.connector(connector_id))


# ---------------------------------------------------------------- checkpoints


def load_checkpoint(org_id: str, connector_id: str) -> dict[str, Any] | None:
    return table.get(keys.connector_partition(org_id, connector_id), keys.CHECKPOINT_SK, consistent=True)


def save_checkpoint(org_id: str, connector_id: str, checkpoint: dict[str, Any]) -> None:
    table.put({**checkpoint, "PK": keys.connector_partition(org_id, connector_id), "SK": keys.CHECKPOINT_SK})


def delete_checkpoint(org_id: str, connector_id: str) -> None:
    table.delete(keys.connector_partition(org_id, connector_id), keys.CHECKPOINT_SK)
