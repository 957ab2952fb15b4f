"""A fake FullStory API: the segment export flow (create export -> poll operation -> results
location -> gzip download without auth), ``Authorization: Basic <key>`` (the raw key), and 429
with ``Retry-After`` when a test injects it. Contract: ``connector-apis.md`` §2.3."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import FakeServer, Reply, Request

REQUIRED = ("segmentId", "type", "format", "timeRange")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class FakeFullStory(FakeServer):
    def __init__(self, api_key: str = "fs-fake-key-0001", pending_polls: int = 1) -> None:
        super().__init__()
        self.api_keys = {api_key}
        self.pending_polls = pending_polls
        self.events: list[dict[str, Any]] = []
        self.operations: dict[str, dict[str, Any]] = {}
        self.exports: dict[str, bytes] = {}
        self._data_lock = threading.Lock()

    def add_event(self, when: datetime, *, device: int, session: int, uid: str | None, **fields: Any) -> dict[str, Any]:
        event = {
            "EventStart": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "EventType": "click",
            "UserId": device,
            "SessionId": session,
            "PageId": 1,
            "IndvId": device,
            "UserAppKey": uid,
            "PageUrl": "https://app.example.com/chat",
            **fields,
        }
        with self._data_lock:
            self.events.append(event)
        return event

    def answer(self, request: Request) -> Reply:
        if request.path.startswith("/download/"):
            return self._download(request)
        if request.headers.get("authorization") not in {f"Basic {key}" for key in self.api_keys}:
            return Reply.json(401, {"message": "unauthorized", "code": "unauthorized"})
        if request.method == "POST" and request.path == "/segments/v1/exports":
            return self._create_export(request.json() or {})
        if request.method == "GET" and request.path.startswith("/operations/v1/"):
            return self._operation(request.path.rsplit("/", 1)[1])
        if request.method == "GET" and request.path.startswith("/search/v1/exports/"):
            export_id = request.path.split("/")[4]
            if export_id not in self.exports:
                return Reply.json(404, {"message": "export not found", "code": "resource_not_found"})
            location = f"{self.url}/download/{export_id}.json.gz?X-Amz-Signature=fake"
            return Reply.json(200, {"location": location, "expires": "2099-01-01T00:00:00Z"})
        return Reply.json(404, {"message": "not found", "code": "resource_not_found"})

    def _create_export(self, body: dict[str, Any]) -> Reply:
        missing = [name for name in REQUIRED if not body.get(name)]
        if missing or body.get("format") != "FORMAT_JSON" or body.get("type") != "TYPE_EVENT":
            return Reply.json(
                400, {"message": f"invalid export request: {missing or body.get('format')}", "code": "invalid_argument"}
            )
        start, end = _parse(body["timeRange"]["start"]), _parse(body["timeRange"]["end"])
        with self._data_lock:
            chosen = [e for e in self.events if start <= _parse(e["EventStart"]) < end]
        fields = body.get("fields")
        if fields:
            chosen = [{key: event[key] for key in fields if key in event} for event in chosen]
        operation_id = uuid.uuid4().hex
        export_id = "YKD" + uuid.uuid4().hex
        self.exports[export_id] = gzip.compress(json.dumps(chosen).encode())
        self.operations[operation_id] = {"polls": 0, "exportId": export_id}
        return Reply.json(200, {"operationId": operation_id})

    def _operation(self, operation_id: str) -> Reply:
        operation = self.operations.get(operation_id)
        if operation is None:
            return Reply.json(404, {"message": "operation not found", "code": "resource_not_found"})
        operation["polls"] += 1
        done = operation["polls"] > self.pending_polls
        body = {
            "id": operation_id,
            "type": "SEARCH_EXPORT",
            "details": None,
            "results": {"expires": "2099-01-01T00:00:00Z", "searchExportId": operation["exportId"]} if done else None,
            "state": "COMPLETED" if done else "PENDING",
            "errorDetails": "",
            "createdAt": "2026-01-01T00:00:00Z",
            "finishedAt": "2026-01-01T00:00:01Z" if done else None,
            "estimatePctComplete": 100 if done else 50,
        }
        return Reply.json(200, body)

    def _download(self, request: Request) -> Reply:
        if "authorization" in request.headers:  # S3 signed URLs refuse a second auth mechanism
            return Reply(400, b"<Error><Code>InvalidArgument</Code></Error>", {"content-type": "application/xml"})
        export_id = request.path.removeprefix("/download/").removesuffix(".json.gz")
        if export_id not in self.exports:
            return Reply(404, b"<Error><Code>NoSuchKey</Code></Error>", {"content-type": "application/xml"})
        return Reply(200, self.exports[export_id], {"content-type": "application/gzip"})
