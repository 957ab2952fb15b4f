"""The one way a whole entity is rewritten: read it, change it, and write it only if it is still
the version that was read. A writer that lost the race reads again and applies its change to what
the other one wrote (a PATCH names fields, so re-applying it is exactly what its client asked for);
a change that keeps losing is a 409. Field updates that need no read (counters, ``set`` of named
fields) use :func:`grounded_core.store.table.update` instead, and status machines use
:func:`grounded_core.store.table.compare_and_set`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from grounded_core.errors import Conflict, NotFound
from grounded_core.store import table
from grounded_core.store.conditions import ConditionFailed, exists, version_is

ATTEMPTS = 5


class Versioned(Protocol):
    version: int

    def to_item(self, **extra: object) -> dict[str, object]: ...


V = TypeVar("V", bound=Versioned)


def update_versioned(model: type[V], load: Callable[[], V], change: Callable[[V], V]) -> V:
    """``change`` applied to the ``model`` entity ``load`` reads, written as its next version."""
    what = model.__name__.lower()
    for _ in range(ATTEMPTS):
        current = load()  # raises NotFound when it is gone
        updated = change(current)
        updated.version = current.version + 1
        try:
            table.put(updated.to_item(), when=exists() & version_is(current.version), label="version")
        except ConditionFailed as failed:
            if failed.item is None and not _still_there(current):
                raise NotFound(f"The {what} was deleted meanwhile.") from None
            continue  # another writer got there first: read theirs and apply this change again
        return updated
    raise Conflict(f"The {what} kept changing meanwhile; try again.", code="concurrent_change")


def _still_there(entity: Versioned) -> bool:
    item = entity.to_item()
    return table.get(str(item["PK"]), str(item["SK"]), consistent=True) is not None
