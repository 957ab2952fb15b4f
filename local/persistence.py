"""The local cloud remembers: the emulated data is kept under a folder (``.grounded/state/`` for
``make dev``) and restored at the next start, whatever code or template that start runs.

What is kept — table items, S3 objects (their current version), queued messages (those in flight
come back visible), secrets, Step Functions executions still running (started again, with the same
name and input: the steps are idempotent) and schedules' next runs — by the logical id of its
resource in ``template.yaml`` (physical names change with every deployment). After each request the
emulator applies, what it changed is read back and appended to ``journal.jsonl`` as the thing's new
state (an item, an object, a message sent or gone, a secret's value); the journal is flushed and
fsync'ed every quarter second, so a crash or ``kill -9`` loses at most the last moment of writes.
At start ``base.jsonl`` and the journal are replayed, the result written as the new base (a
temporary file renamed over the old one) and the journal started afresh.

A resource the template no longer has is dropped (with a line saying so); one it added starts
empty. Data stays in memory while running: a write pays one read of what it wrote and a JSON line.
The executions and schedules are looked at by the flushing thread (a schedule's next run each
flush, the running executions once a second).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local.emulator import ACCOUNT_ID

log = logging.getLogger("grounded.local.state")

FLUSH_SECONDS = 0.25
#: flushes between two looks at the running executions
EXECUTIONS_EVERY = 4
_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
#: requests after which the queues are compared with what the journal holds (a receive may move a
#: message to its dead-letter queue)
_SQS_CHANGES = {
    "SendMessage",
    "SendMessageBatch",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ReceiveMessage",
    "PurgeQueue",
    "ChangeMessageVisibilityBatch",
}
_SECRET_CHANGES = {"CreateSecret", "PutSecretValue", "UpdateSecret", "DeleteSecret", "RestoreSecret"}
_S3_KEY = re.compile(r"<Key>(.*?)</Key>", re.DOTALL)


def _header(request: Any, name: str) -> str:
    value = request.headers.get(name) or ""
    return value.decode() if isinstance(value, bytes) else str(value)


def _body(request: Any) -> bytes:
    body = request.body or b""
    return body.encode() if isinstance(body, str) else bytes(body)


def written_items(operation: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """What a DynamoDB write request writes: ``(table, item or key, in a transaction)`` for each
    item — whatever the values' form (DynamoDB JSON, or the resource API's Python values)."""
    found: list[tuple[str, dict[str, Any], bool]] = []
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        found.append((body["TableName"], body.get("Item") or body["Key"], False))
    elif operation == "BatchWriteItem":
        for table_name, requests in body["RequestItems"].items():
            for entry in requests:
                written = entry.get("PutRequest", {}).get("Item") or entry["DeleteRequest"]["Key"]
                found.append((table_name, written, False))
    elif operation == "TransactWriteItems":
        for entry in body["TransactItems"]:
            (kind, op), *_ = entry.items()
            if kind != "ConditionCheck":
                found.append((op["TableName"], op.get("Item") or op["Key"], True))
    return found


def write_atomically(path: Path, lines: Iterator[str]) -> None:
    """``path`` holds ``lines`` whole or keeps what it held: written aside, synced, renamed over."""
    aside = path.with_name(path.name + ".tmp")
    with aside.open("w", encoding="utf-8") as file:
        for line in lines:
            file.write(line)
        file.flush()
        os.fsync(file.fileno())
    os.replace(aside, path)


def portable(value: Any) -> Any:
    """An item (DynamoDB JSON, as the emulator holds it) as JSON can keep it: binary values — which
    the emulator holds as bytes — in base64, as DynamoDB's own wire format writes them."""
    return _binaries(value, lambda data: base64.b64encode(data).decode() if isinstance(data, bytes) else data)


def restored_item(value: Any) -> Any:
    """:func:`portable`'s inverse: base64 binary values back to the bytes the emulator holds."""
    return _binaries(value, lambda data: base64.b64decode(data) if isinstance(data, str) else data)


def _binaries(value: Any, convert: Callable[[Any], Any]) -> Any:
    """``value`` (DynamoDB JSON) with ``convert`` applied to each binary value (``B``, ``BS``)."""
    if isinstance(value, dict):
        return {
            kind: ([convert(one) for one in inner] if kind == "BS" else convert(inner))
            if kind in ("B", "BS")
            else _binaries(inner, convert)
            for kind, inner in value.items()
        }
    if isinstance(value, list):
        return [_binaries(inner, convert) for inner in value]
    return value


@dataclass
class Restored:
    """What a start found: counts by kind, and the resources dropped because the template lost them."""

    items: int = 0
    objects: int = 0
    messages: int = 0
    secrets: int = 0
    dropped: set[str] = field(default_factory=set)
    #: executions running at the stop, to start again once the cloud runs: [{execution, machine, input}]
    executions: list[dict[str, Any]] = field(default_factory=list)
    #: each schedule's next run (logical id -> ISO time)
    next_runs: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.items} table items, {self.objects} objects, {self.messages} queued messages, "
            f"{self.secrets} secrets, {len(self.executions)} running executions"
        )


@dataclass
class Kept:
    """The last state of each thing the folder holds (a later record of a thing replaces its
    earlier one)."""

    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, dict[str, dict[str, Any] | None]] = field(default_factory=dict)
    secrets: dict[str, str | None] = field(default_factory=dict)
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_runs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, records: Iterator[dict[str, Any]]) -> Kept:
        kept = cls()
        for record in records:
            if "table" in record:
                kept.items[(record["table"], json.dumps(record["key"], sort_keys=True))] = record
            elif "bucket" in record:
                kept.objects[(record["bucket"], record["key"])] = record
            elif "queue" in record:
                kept.messages.setdefault(record["queue"], {})[record["id"]] = record["message"]
            elif "secret" in record:
                kept.secrets[record["secret"]] = record["value"]
            elif "execution" in record:
                kept.executions[record["execution"]] = record
            elif "schedule" in record:
                kept.next_runs[record["schedule"]] = record["next"]
        return kept


class Persistence:
    """Keeps the emulated data of one local cloud in ``folder`` (see the module's docstring)."""

    def __init__(self, folder: Path, region: str, resources: dict[str, str]) -> None:
        self.folder = folder
        self.region = region
        #: logical id -> physical id (name, or URL for queues), of this deployment
        self.resources = resources
        self._logical = {physical: logical for logical, physical in resources.items()}
        self._buffer: list[str] = []
        self._buffer_lock = threading.Lock()
        #: what the journal holds of the queues (logical id -> message ids) and secrets
        self._messages: dict[str, set[str]] = {}
        self._secret_values: dict[str, str] = {}
        #: what the journal holds of the running executions (name -> record) and next runs
        self._running: dict[str, dict[str, Any]] = {}
        self._next_runs: dict[str, str] = {}
        self._schedules: dict[str, Any] = {}
        self._machines: list[str] = []
        self._stepfunctions: Any = None
        self._stop = threading.Event()
        self._journal: Any = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ emulator state
    def _dynamodb(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[ACCOUNT_ID][self.region]

    def _s3(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[ACCOUNT_ID]["global"]

    def _sqs(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[ACCOUNT_ID][self.region]

    def _table_key(self, table: Any, item: dict[str, Any]) -> dict[str, Any]:
        names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
        return {name: item[name] for name in names}

    def _item_record(self, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
        logical = self._logical.get(table_name)
        if logical is None:
            return None
        table = self._dynamodb().get_table(table_name)
        key = self._table_key(table, key)
        found = self._dynamodb().get_item(table_name, key)
        return {
            "table": logical,
            "key": key,
            "item": None if found is None else portable(found.to_json()["Attributes"]),
        }

    def _object_record(self, bucket: str, key: str) -> dict[str, Any] | None:
        logical = self._logical.get(bucket)
        if logical is None:
            return None
        stored = self._s3().buckets[bucket].keys.get(key)
        if stored is None or not hasattr(stored, "value"):  # gone, or a delete marker
            return {"bucket": logical, "key": key, "body": None}
        return {
            "bucket": logical,
            "key": key,
            "body": base64.b64encode(stored.value).decode(),
            "metadata": dict(stored.metadata or {}),
        }

    # ------------------------------------------------------------------ what a request changed
    def observe(self, request: Any, status: int) -> None:
        """Called by the emulator, under its lock, after it applied ``request`` (``status``)."""
        if status >= 300:
            return
        host = urlsplit(request.url).hostname or ""
        operation = _header(request, "X-Amz-Target").rpartition(".")[2]
        if host.startswith("dynamodb."):
            self._observe_dynamodb(request)
        elif ".s3." in f".{host}" or host.startswith("s3."):
            self._observe_s3(request, host)
        elif host.startswith("sqs.") and operation in _SQS_CHANGES:
            self._append(self._queue_changes())
        elif host.startswith("secretsmanager.") and operation in _SECRET_CHANGES:
            self._append(self._secret_changes())

    def _queue_changes(self) -> Iterator[dict[str, Any]]:
        """Messages sent since the journal last looked (with what is needed to send them again),
        and messages gone (deleted, or moved to a dead-letter queue)."""
        for logical, queue in self._queues():
            known = self._messages.setdefault(logical, set())
            present = {message.id: message for message in queue._messages}
            for message_id in known - present.keys():
                yield {"queue": logical, "id": message_id, "message": None}
            for message_id in present.keys() - known:
                message = present[message_id]
                body = {"body": message.body, "attributes": message.message_attributes or {}}
                yield {"queue": logical, "id": message_id, "message": body}
            self._messages[logical] = set(present)

    def _queues(self) -> Iterator[tuple[str, Any]]:
        for logical, physical in self.resources.items():
            if physical.startswith("http"):
                queue = self._sqs().queues.get(physical.rsplit("/", 1)[-1])
                if queue is not None:
                    yield logical, queue

    def _secret_changes(self) -> Iterator[dict[str, Any]]:
        current = self._secrets()
        for name in self._secret_values.keys() - current.keys():
            yield {"secret": name, "value": None}
        for name, value in current.items():
            if self._secret_values.get(name) != value:
                yield {"secret": name, "value": value}
        self._secret_values = current

    def _observe_dynamodb(self, request: Any) -> None:
        operation = _header(request, "X-Amz-Target").rpartition(".")[2]
        if operation not in _DYNAMODB_WRITES:
            return
        targets = written_items(operation, json.loads(_body(request)))
        self._append(record for table_name, key, _ in targets if (record := self._item_record(table_name, key)))

    def _observe_s3(self, request: Any, host: str) -> None:
        if request.method not in ("PUT", "POST", "DELETE"):
            return
        parts = urlsplit(request.url)
        path = unquote(parts.path).lstrip("/")
        if host.startswith("s3.") or host.startswith("s3-"):
            bucket, _, key = path.partition("/")
        else:
            bucket, key = host.split(".s3", 1)[0], path
        if request.method == "POST" and "delete" in parse_qs(parts.query, keep_blank_values=True):
            keys = [unquote(found) for found in _S3_KEY.findall(_body(request).decode())]
        else:
            keys = [key] if key else []
        self._append(record for k in keys if (record := self._object_record(bucket, k)))

    def _append(self, records: Any) -> None:
        lines = [json.dumps(record, separators=(",", ":")) + "\n" for record in records]
        if lines:
            with self._buffer_lock:
                self._buffer.extend(lines)

    # ------------------------------------------------------------------ writing
    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._journal = (self.folder / "journal.jsonl").open("a", encoding="utf-8")
        self._thread = threading.Thread(target=self._keep, name="local-state", daemon=True)
        self._thread.start()

    def follow(self, schedules: dict[str, Any], machines: list[str], stepfunctions: Any) -> None:
        """Keep the schedules' next runs (``ScheduledRule`` by logical id) and the executions of
        ``machines`` (logical ids) that run, looked at with the ``stepfunctions`` client."""
        self._schedules, self._machines, self._stepfunctions = schedules, machines, stepfunctions

    def _keep(self) -> None:
        flushes = 0
        while not self._stop.wait(FLUSH_SECONDS):
            flushes += 1
            try:
                self._append(self._schedule_changes())
                if flushes % EXECUTIONS_EVERY == 0:
                    self._append(self._execution_changes())
            except Exception:  # the emulator going away at shutdown
                log.debug("looking at schedules and executions failed", exc_info=True)
            self.flush()

    def _schedule_changes(self) -> Iterator[dict[str, Any]]:
        for name, rule in list(self._schedules.items()):
            next_run = rule.next_run.isoformat()
            if self._next_runs.get(name) != next_run:
                self._next_runs[name] = next_run
                yield {"schedule": name, "next": next_run}

    def _execution_changes(self) -> Iterator[dict[str, Any]]:
        if self._stepfunctions is None:
            return
        running: dict[str, dict[str, Any]] = {}
        for machine in self._machines:
            listed = self._stepfunctions.list_executions(
                stateMachineArn=self.resources[machine], statusFilter="RUNNING", maxResults=1000
            )
            for execution in listed["executions"]:
                name = execution["name"]
                if name in self._running:
                    running[name] = self._running[name]
                    continue
                described = self._stepfunctions.describe_execution(executionArn=execution["executionArn"])
                running[name] = {"execution": name, "machine": machine, "input": described.get("input") or "{}"}
                yield running[name]
        for name, record in self._running.items():
            if name not in running:
                yield {**record, "input": None}
        self._running = running

    def flush(self) -> None:
        """What was appended reaches the disk (written, synced)."""
        with self._buffer_lock:
            lines, self._buffer = self._buffer, []
        if lines and self._journal is not None:
            self._journal.write("".join(lines))
            self._journal.flush()
            os.fsync(self._journal.fileno())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _secrets(self) -> dict[str, str]:
        from moto.secretsmanager.models import secretsmanager_backends

        kept = {}
        for name, secret in secretsmanager_backends[ACCOUNT_ID][self.region].secrets.items():
            if secret.is_deleted():
                continue
            version = secret.versions.get(str(secret.default_version_id), {})
            if version.get("secret_string") is not None:
                kept[name] = version["secret_string"]
        return kept

    # ------------------------------------------------------------------ restoring
    def restore(self) -> Restored:
        """Load the folder's state into this deployment, then compact it (a new base, an empty
        journal). Runs before anything serves."""
        restored = Restored()
        kept = Kept.read(self._records())
        self._restore_items(kept, restored)
        self._restore_objects(kept, restored)
        self._restore_secrets(kept.secrets, restored)
        self._restore_messages(kept.messages, restored)
        self._restore_runs(kept, restored)
        for logical in sorted(restored.dropped):
            log.warning("kept state of %s dropped: the template has no such resource any more", logical)
        self._compact()
        return restored

    def _here(self, logical: str, restored: Restored) -> bool:
        """Whether this deployment has the resource (if not, what was kept of it is dropped)."""
        if logical in self.resources:
            return True
        restored.dropped.add(logical)
        return False

    def _restore_items(self, kept: Kept, restored: Restored) -> None:
        for record in kept.items.values():
            if record["item"] is not None and self._here(record["table"], restored):
                self._dynamodb().get_table(self.resources[record["table"]]).put_item(restored_item(record["item"]))
                restored.items += 1

    def _restore_objects(self, kept: Kept, restored: Restored) -> None:
        for record in kept.objects.values():
            if record["body"] is not None and self._here(record["bucket"], restored):
                body = base64.b64decode(record["body"])
                stored = self._s3().put_object(self.resources[record["bucket"]], record["key"], body)
                stored.set_metadata(record.get("metadata") or {})
                restored.objects += 1

    def _restore_runs(self, kept: Kept, restored: Restored) -> None:
        """Executions still running (started again once the cloud runs) and next runs."""
        for name, record in kept.executions.items():
            if record["input"] is not None and self._here(record["machine"], restored):  # None: it ended
                restored.executions.append(record)
                self._running[name] = record
        restored.next_runs = {name: at for name, at in kept.next_runs.items() if self._here(name, restored)}
        self._next_runs = dict(restored.next_runs)

    def _records(self) -> Iterator[dict[str, Any]]:
        """Every record of the base and then the journal; a line cut short by a crash is skipped."""
        for name in ("base.jsonl", "journal.jsonl"):
            path = self.folder / name
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as file:
                for line in file:
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        log.warning("a line of %s cut short (a crash while writing it) was skipped", path)

    def _restore_secrets(self, kept: dict[str, str | None], restored: Restored) -> None:
        """Secrets by name (the template's are named after the stack and their logical id): a
        secret the template makes again gets its kept value back."""
        from moto.secretsmanager.models import secretsmanager_backends

        secrets = secretsmanager_backends[ACCOUNT_ID][self.region]
        for name, value in kept.items():
            if value is None:
                continue
            if name in secrets.secrets:
                secrets.put_secret_value(name, value, None, None, ["AWSCURRENT"])  # type: ignore[arg-type]
            else:
                secrets.create_secret(name, value, None, None, None, None, None, [], False)
            restored.secrets += 1

    def _restore_messages(self, kept: dict[str, dict[str, dict[str, Any] | None]], restored: Restored) -> None:
        for logical, messages in kept.items():
            if not self._here(logical, restored):
                continue
            name = self.resources[logical].rsplit("/", 1)[-1]
            for message in messages.values():
                if message is not None:
                    self._sqs().send_message(name, message["body"], message_attributes=message["attributes"] or None)
                    restored.messages += 1

    def _compact(self) -> None:
        """The restored state becomes the base; the journal starts empty."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / "base.jsonl", self._current_records())
        (self.folder / "journal.jsonl").write_text("", encoding="utf-8")

    def _current_records(self) -> Iterator[str]:
        self._messages, self._secret_values = {}, {}
        for record in (*self._queue_changes(), *self._secret_changes()):
            yield json.dumps(record, separators=(",", ":")) + "\n"
        for record in self._running.values():
            yield json.dumps(record, separators=(",", ":")) + "\n"
        for name, at in self._next_runs.items():
            yield json.dumps({"schedule": name, "next": at}) + "\n"
        for logical, physical in self.resources.items():
            if physical in self._dynamodb().tables:
                table = self._dynamodb().get_table(physical)
                for item in table.all_items():
                    attributes = portable(item.to_json()["Attributes"])
                    record = {"table": logical, "key": self._table_key(table, attributes), "item": attributes}
                    yield json.dumps(record, separators=(",", ":")) + "\n"
            elif physical in self._s3().buckets:
                for key in list(self._s3().buckets[physical].keys):
                    found = self._object_record(physical, key)
                    if found and found["body"] is not None:
                        yield json.dumps(found, separators=(",", ":")) + "\n"
