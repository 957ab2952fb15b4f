"""FullStory import: events from the segment export become telemetry events.

A window is exported one UTC day at a time: create the export, poll its operation, fetch the
results' signed URL and download the gzip file (without our credentials). The FullStory user
(``UserAppKey``, your uid) becomes ``userId`` and the FullStory session (``UserId:SessionId``, what
``FS('getSession')`` returns) becomes ``anonymousId``, so events merge with the traces that carry
the same ids. Contract: ``../shared/notes/connector-apis.md`` §2.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from grounded_core.clock import iso, parse_iso
from grounded_core.connectors.http import ProviderHttp, Rejected, WaitLonger
from grounded_core.connectors.source import SourcePage
from grounded_core.connectors.syncs import Window

DEFAULT_BASE_URL = "https://api.fullstory.com"
SLICE = timedelta(days=1)
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
            end = min(start + SLICE, window.end)
            operation = state.get("operationId") or self.create_export(start, end)
            offset = int(state.get("offset", 0))
            position = {"sliceStart": iso(start), "operationId": operation}
            yield SourcePage(kind="events", items=[], state={**position, "offset": offset})  # checkpoint the export
            events = self.download(self.wait_for(operation))
            while offset < len(events):
                chunk = events[offset : offset + EVENTS_PER_PAGE]
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

    def download(self, export_id: str) -> list[dict[str, Any]]:
        location = self.http.get(f"/search/v1/exports/{export_id}/results").json()["location"]
        raw = self.http.get(str(location), authenticated=False).body  # a signed URL: no credentials
        events = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        return [event for event in events if isinstance(event, dict)] if isinstance(events, list) else []


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
