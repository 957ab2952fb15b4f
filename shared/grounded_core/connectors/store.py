"""Connector items and their checkpoints in the table.

Every connector write is a whole-item put conditioned on the version it read (optimistic
concurrency), so the item's keys — including the sparse ``SCHEDULED`` index entry — always come
from :meth:`Connector.keys` and two writers never lose each other's changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grounded_core.connectors.models import Checkpoint, Connector
from grounded_core.errors import Conflict
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, absent, version_is

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


def put_operation(stored: Stored, new: bool = False) -> Put:
    """A ``Put`` of the next version, conditioned on the one read (label ``connector``)."""
    return Put(item_of(stored), absent() if new else version_is(stored.version), label="connector")


def save(stored: Stored, new: bool = False) -> Connector:
    """Write the next version; another writer's version in between is a 409."""
    try:
        operation = put_operation(stored, new)
        table.put(operation.item, when=operation.when, label=operation.label)
    except ConditionFailed:
        raise Conflict(CHANGED, code="connector_changed") from None
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
            continue  # another writer got there first: read again
    raise Conflict(CHANGED, code="connector_busy")


def delete(org_id: str, connector_id: str) -> None:
    table.delete(keys.org(org_id), keys.connector(connector_id))


# ---------------------------------------------------------------- checkpoints


def load_checkpoint(org_id: str, connector_id: str) -> Checkpoint | None:
    item = table.get(keys.connector_partition(org_id, connector_id), keys.CHECKPOINT_SK, consistent=True)
    return Checkpoint.from_item({"orgId": org_id, "connectorId": connector_id, **item}) if item else None


def save_checkpoint(checkpoint: Checkpoint) -> None:
    table.put(checkpoint.to_item())


def delete_checkpoint(org_id: str, connector_id: str) -> None:
    table.delete(keys.connector_partition(org_id, connector_id), keys.CHECKPOINT_SK)
