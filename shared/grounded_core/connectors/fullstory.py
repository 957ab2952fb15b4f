"""FullStory import: events from the segment export become telemetry events.

A window is exported in as few operations as possible: the export takes a whole time range, so one
operation covers up to :data:`MAX_EXPORT_SPAN` (a year: FullStory documents no maximum, and a year
bounds how much one operation must redo if it fails). Create the export, poll its operation, fetch
the results' signed URL and stream the gzip file (without our credentials), decoding events as
they arrive — a large export is never held in memory. The FullStory user
(``UserAppKey``, your uid) becomes ``userId`` and the FullStory session (``UserId:SessionId``, what
``FS('getSession')`` returns) becomes ``anonymousId``, so events merge with the traces that carry
the same ids. Contract: ``../shared/notes/connector-apis.md`` §2.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, BinaryIO

from grounded_core.clock import iso, parse_iso
from grounded_core.connectors.http import ProviderHttp, Rejected, WaitLonger
from grounded_core.connectors.source import SourcePage
from grounded_core.connectors.syncs import Window

DEFAULT_BASE_URL = "https://api.fullstory.com"
MAX_EXPORT_SPAN = timedelta(days=366)
EVENTS_PER_PAGE = 500
POLL_SECONDS = (1.0, 10.0)  # first wait, longest wait
FIELDS = [
    "EventStart", "EventType", "EventSubType", "EventCustomName", "EventTargetText", "EventTargetSelector",
    "EventModFrustrated", "EventModDead", "EventModError", "UserId", "SessionId", "PageId", "IndvId",
    "UserAppKey", "PageUrl",
]  # fmt: skip
TYPES = {
    "navigate": "page",
    "load": "page",
    "click": "click",
    "change": "input",
    "input": "input",
    "error": "error",
    "console_error": "error",
    "uservar": "identify",
    "identify": "identify",
}


def headers(api_key: str) -> dict[str, str]:
    """FullStory takes the raw key after ``Basic`` (not base64 of user:password)."""
    return {"Authorization": f"Basic {api_key}"}


class FullStorySource:
    def __init__(
        self,
        http: ProviderHttp,
        segment_id: str,
        agent_id: str,
        time_left: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.http = http
        self.segment_id = segment_id
        self.agent_id = agent_id
        self._time_left = time_left
        self._sleep = sleep

    def pages(self, window: Window, state: dict[str, Any]) -> Iterator[SourcePage]:
        start = parse_iso(state["sliceStart"]) if state.get("sliceStart") else window.start
        while start < window.end:
            end = min(start + MAX_EXPORT_SPAN, window.end)
            operation = state.get("operationId") or self.create_export(start, end)
            offset = int(state.get("offset", 0))
            position = {"sliceStart": iso(start), "operationId": operation}
            yield SourcePage(kind="events", items=[], state={**position, "offset": offset})  # checkpoint the export
            location = self.http.get(f"/search/v1/exports/{self.wait_for(operation)}/results").json()["location"]
            with self.http.download(str(location)) as raw:  # a signed URL: no credentials
                events = islice(exported_events(raw), offset, None)  # resumed: what was imported is skipped
                while chunk := list(islice(events, EVENTS_PER_PAGE)):
                    offset += len(chunk)
                    items = [to_event(event, self.agent_id) for event in chunk]
                    yield SourcePage(kind="events", items=items, state={**position, "offset": offset})
            start, state = end, {}
            yield SourcePage(kind="events", items=[], state={"sliceStart": iso(start)})

    def create_export(self, start: datetime, end: datetime) -> str:
        body = {
            "segmentId": self.segment_id,
            "type": "TYPE_EVENT",
            "format": "FORMAT_JSON",
            "timeRange": {"start": iso(start), "end": iso(end)},
            "segmentTimeRange": {"start": "", "end": ""},
            "timezone": "UTC",
            "fields": FIELDS,
        }
        return str(self.http.post("/segments/v1/exports", body).json()["operationId"])

    def wait_for(self, operation: str) -> str:
        """Poll the export's operation until it completes; its search export id."""
        wait = POLL_SECONDS[0]
        while True:
            answer = self.http.get(f"/operations/v1/{operation}").json() or {}
            state = answer.get("state")
            if state == "COMPLETED":
                return str((answer.get("results") or {})["searchExportId"])
            if state == "FAILED":
                reason = answer.get("errorDetails") or "no reason given"
                raise Rejected(f"FullStory could not export the events: {reason}.")
            if wait > self._time_left():
                raise WaitLonger("FullStory is still preparing the export.", 30)
            self._sleep(wait)
            wait = min(wait * 2, POLL_SECONDS[1])


def exported_events(raw: BinaryIO) -> Iterator[dict[str, Any]]:
    """The events of an export file (a JSON array, gzip-compressed or not), one at a time."""
    buffered = io.BufferedReader(raw)  # type: ignore[arg-type,type-var]
    source: BinaryIO = gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == b"\x1f\x8b" else buffered  # type: ignore[assignment]
    return (item for item in json_array_items(source) if isinstance(item, dict))


def json_array_items(stream: BinaryIO, chunk_size: int = 1 << 16) -> Iterator[Any]:
    """The items of a JSON array read from ``stream``, decoded as the bytes arrive."""
    reader = io.TextIOWrapper(stream, encoding="utf-8")  # type: ignore[type-var]
    decoder = json.JSONDecoder()
    buffer, at_end, opened = "", False, False
    while True:
        start = 0
        while True:  # past white space and separators, reading more as needed
            while start < len(buffer) and buffer[start] in " \t\r\n,":
                start += 1
            if start < len(buffer) or at_end:
                break
            buffer, start = reader.read(chunk_size), 0
            at_end = not buffer
        buffer = buffer[start:]
        if not buffer and opened:
            raise ValueError("the export file ends in the middle of an event, or is not JSON")
        if not buffer or (opened and buffer[0] == "]"):
            return
        if not opened:
            if buffer[0] != "[":
                raise ValueError("the export is not a JSON array")
            buffer, opened = buffer[1:], True
            continue
        try:
            item, end = decoder.raw_decode(buffer)
            # complete when a separator follows: "3." may be the start of "3.25" in the next read
            complete = buffer[end] in " \t\r\n,]" if end < len(buffer) else at_end
        except json.JSONDecodeError:
            complete = False
        if not complete:
            if at_end:
                raise ValueError("the export file ends in the middle of an event, or is not JSON")
            more = reader.read(chunk_size)
            at_end, buffer = not more, buffer + more
            continue
        yield item
        buffer = buffer[end:]


# ---------------------------------------------------------------- mapping (pure)


def event_id(event: dict[str, Any]) -> str:
    """The same exported event always gets the same id (a re-sync changes nothing)."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)
    return "fs-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _text(value: Any, limit: int = 200) -> str | None:
    return None if value in (None, "") else str(value)[:limit]


def to_event(event: dict[str, Any], agent_id: str) -> dict[str, Any]:
    """One exported event as a telemetry event (the ingest format); the ingest checks it."""
    kind = str(event.get("EventType") or "custom")
    device, session = event.get("UserId"), event.get("SessionId")
    fullstory_session = f"{device}:{session}" if device not in (None, "") and session not in (None, "") else None
    flags = {
        "rageClick": bool(event.get("EventModFrustrated")),
        "deadClick": bool(event.get("EventModDead")),
        "errorClick": bool(event.get("EventModError")),
    }
    details = {
        "source": "fullstory",
        "eventType": kind,
        "eventSubType": _text(event.get("EventSubType")),
        "targetSelector": _text(event.get("EventTargetSelector"), 1000),
        "targetText": _text(event.get("EventTargetText"), 1000),
        "pageId": _text(event.get("PageId")),
        "fullstorySessionId": fullstory_session,
        **{name: True for name, on in flags.items() if on},
    }
    telemetry = {
        "id": event_id(event),
        "agentId": agent_id,
        "type": TYPES.get(kind, "custom"),
        "name": _text(event.get("EventCustomName")) or _text(event.get("EventTargetText")) or kind[:200],
        "timestamp": event.get("EventStart"),
        "anonymousId": fullstory_session,
        "userId": _text(event.get("UserAppKey")),
        "url": _text(event.get("PageUrl"), 4000),
        "properties": {key: value for key, value in details.items() if value is not None},
    }
    return {key: value for key, value in telemetry.items() if value is not None}
