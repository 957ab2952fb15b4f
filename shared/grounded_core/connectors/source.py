"""What a provider gives the sync worker: pages of items in our own ingest format, each with the
state to resume after it (the checkpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from grounded_core.connectors.syncs import Window


@dataclass
class SourcePage:
    kind: Literal["traces", "events"]
    items: list[dict[str, Any]]
    #: where to resume once these items are stored
    state: dict[str, Any]
    #: items left out because the provider has not finished them (a run still pending)
    held_back: int = 0
    #: the earliest start among those: the high-water mark must not pass it
    held_back_since: datetime | None = None
    errors: list[str] = field(default_factory=list)


class Source(Protocol):
    def pages(self, window: Window, state: dict[str, Any]) -> Iterator[SourcePage]: ...
