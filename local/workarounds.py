"""Every place where the local cloud bends the emulator (moto) or the SAM transform output so that
``template.yaml`` behaves as it does on AWS. One function per gap, each with the reason; the facts
behind them are in docs/local-cloud.md ("What the emulator does differently").
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local.partition_order import PartitionOrder
    from local.runtime import LambdaRuntime

log = logging.getLogger("grounded.local")

#: Resource types the local cloud serves itself instead of deploying them into moto.
SERVED_BY_LOCAL_CLOUD = {
    # moto has no CloudFormation support for HTTP APIs: they would be skipped silently. The front
    # door (local/frontdoor.py) serves the template's HttpApi routes and authorizer instead.
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    # moto's event source mappings invoke once per message inside SendMessage, ignore
    # batchItemFailures and never redeliver, so nothing reaches a DLQ. local/event_sources.py polls
    # the queues like Lambda's pollers do instead. DynamoDB stream mappings: moto never deletes
    # what TTL expires; the local cloud's TTL sweep (local/expiry.py) does, and hands the removals
    # to the stream's functions through their filters.
    "AWS::Lambda::EventSourceMapping",
    # The dashboard's CDN: the front door serves web/dist at / with the template's response
    # headers (local/static_site.py). What only makes sense with the distribution (the bucket
    # policy that lets it read) goes with it.
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::Function",
    # moto's CloudFormation has no AWS::SecretsManager::Secret (it would skip it and leave every
    # !Ref to it dangling). create_secrets() makes them with the API and puts their ARNs in place.
    "AWS::SecretsManager::Secret",
}


@dataclass(frozen=True)
class SqsEventSource:
    """An SQS event source mapping taken out of the deployment, to be run by a local poller."""

    logical_id: str
    function_id: str
    queue_id: str
    batch_size: int
    batching_window_seconds: int
    report_batch_item_failures: bool
    maximum_concurrency: int | None
    enabled: bool


@dataclass(frozen=True)
class StreamEventSource:
    """A DynamoDB stream mapping taken out of the deployment: the TTL sweep delivers to it."""

    logical_id: str
    function_id: str
    table_id: str
    batch_size: int
    #: the mapping's FilterCriteria patterns (any one matching lets a record through)
    patterns: tuple[dict[str, Any], ...]
    enabled: bool


def _referenced_id(value: Any) -> str:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".")[0])
    raise ValueError(f"cannot tell which resource {value!r} names")


def _mentions(value: Any, logical_id: str) -> bool:
    text = json.dumps(value)
    return f'"{logical_id}"' in text or "${" + logical_id + "}" in text or "${" + logical_id + "." in text


def _is_api_gateway_permission(resource: dict[str, Any]) -> bool:
    properties = resource.get("Properties", {})
    return (
        resource.get("Type") == "AWS::Lambda::Permission" and properties.get("Principal") == "apigateway.amazonaws.com"
    )


#: Stands for ``$$`` (the context object) in a definition while moto's ``Fn::Sub`` handles it.
CONTEXT_PATH = "__grounded_context_object__"


def _substitute_state_machine_definitions(resources: dict[str, Any]) -> None:
    """moto reads only ``DefinitionString`` and ignores ``DefinitionSubstitutions``: the ``${Name}``
    placeholders would stay literal and every task would fail with ResourceNotFound. Fold the
    substitutions into an ``Fn::Sub`` that moto resolves itself. moto's ``Fn::Sub`` runs
    ``string.Template``, which turns ``$$`` into ``$`` and so breaks context paths such as
    ``$$.Task.Token``: they travel as :data:`CONTEXT_PATH` and are restored when the machine is
    made executable (:func:`make_state_machines_executable`).
    """
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource.get("Type") != "AWS::StepFunctions::StateMachine" or "DefinitionSubstitutions" not in properties:
            continue
        definition = properties["DefinitionString"]
        if isinstance(definition, dict) and "Fn::Join" in definition:
            separator, parts = definition["Fn::Join"]
            if not all(isinstance(part, str) for part in parts):
                raise ValueError("state machine definitions must be plain JSON with ${placeholders}")
            definition = separator.join(parts)
        definition = definition.replace("$$", CONTEXT_PATH)
        properties["DefinitionString"] = {"Fn::Sub": [definition, properties.pop("DefinitionSubstitutions")]}


def adapt_for_emulator(
    cfn: dict[str, Any],
) -> tuple[dict[str, Any], list[SqsEventSource], list[StreamEventSource]]:
    """The translated template as moto can deploy it, the SQS mappings the local cloud polls and
    the DynamoDB stream mappings its TTL sweep delivers to."""
    resources = dict(cfn["Resources"])
    sources = []
    streams = []
    for logical_id, resource in list(resources.items()):
        kind = resource.get("Type")
        if kind not in SERVED_BY_LOCAL_CLOUD and not _is_api_gateway_permission(resource):
            continue
        del resources[logical_id]
        properties = resource.get("Properties", {})
        if kind == "AWS::Lambda::EventSourceMapping":
            queue_id = _referenced_id(properties["EventSourceArn"])
            if cfn["Resources"][queue_id]["Type"] == "AWS::DynamoDB::Table":
                streams.append(_stream_source(logical_id, queue_id, properties))
                continue
            if cfn["Resources"][queue_id]["Type"] != "AWS::SQS::Queue":
                raise ValueError(f"{logical_id}: only SQS and DynamoDB stream event sources run in the local cloud")
            sources.append(
                SqsEventSource(
                    logical_id=logical_id,
                    function_id=_referenced_id(properties["FunctionName"]),
                    queue_id=queue_id,
                    batch_size=int(properties.get("BatchSize", 10)),
                    batching_window_seconds=int(properties.get("MaximumBatchingWindowInSeconds", 0)),
                    report_batch_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
                    maximum_concurrency=properties.get("ScalingConfig", {}).get("MaximumConcurrency"),
                    enabled=bool(properties.get("Enabled", True)),
                )
            )
    cdn = {lid for lid, res in cfn["Resources"].items() if str(res.get("Type", "")).startswith("AWS::CloudFront::")}
    for logical_id, resource in list(resources.items()):
        if any(_mentions(resource, removed_id) for removed_id in cdn):
            del resources[logical_id]
    _substitute_state_machine_definitions(resources)
    removed = set(cfn["Resources"]) - set(resources)
    outputs = {
        name: output
        for name, output in cfn.get("Outputs", {}).items()
        if not any(_mentions(output, logical_id) for logical_id in removed)
    }  # an output naming a resource served locally (the API URL) would fail the whole stack
    return {**cfn, "Resources": resources, "Outputs": outputs}, sources, streams


def _stream_source(logical_id: str, table_id: str, properties: dict[str, Any]) -> StreamEventSource:
    filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
    return StreamEventSource(
        logical_id=logical_id,
        function_id=_referenced_id(properties["FunctionName"]),
        table_id=table_id,
        batch_size=int(properties.get("BatchSize", 100)),
        patterns=tuple(json.loads(entry["Pattern"]) for entry in filters),
        enabled=bool(properties.get("Enabled", True)),
    )


def keep_no_stream_records() -> None:
    """moto keeps every stream record of a table with a stream in memory for ever (and copies each
    item to do it), on the hot path of every write. Nothing reads them: the local cloud delivers
    the only records the template consumes (TTL removals) itself. So it keeps none."""
    from moto.dynamodb.models.table import StreamShard

    def keep_nothing(self: Any, old: Any, new: Any) -> None:
        return None

    StreamShard.add = keep_nothing  # type: ignore[method-assign]


#: held while the emulator applies one request (and while the local cloud reads its state directly)
EMULATOR_LOCK = threading.RLock()
#: told ``(request, status)`` after the emulator applied a request, still under its lock (the
#: local cloud's persistence: what a write changed is read before any other request runs)
REQUEST_OBSERVERS: list[Callable[[Any, int], None]] = []


def emulator_shortcuts() -> None:
    """moto's slow paths taken out, and botocore's signing, which the emulator never checks; each
    answering exactly as moto does (``tests/unit/test_emulator_fast_path.py``; each a row in
    docs/local-cloud.md)."""
    requests_unsigned()
    cheap_transaction_rollback()
    partition_queries()
    queries_without_copies()
    dynamodb_results_as_json()
    dynamodb_results_built_directly()
    sqs_retention_read_directly()
    sqs_clock_read_once_per_pass()
    sqs_sends_count_nothing()
    strings_cast_directly()
    index_sorts_by_plain_values()
    queries_read_in_kept_order()
    expressions_parsed_once()
    items_sized_once()
    dynamodb_requests_as_json()
    action_methods_listed_once()


#: services whose requests go unsigned here: the busy ones, whose answers the fast-path test checks
#: unsigned (S3 would answer an unsigned request as an anonymous one: 403)
UNSIGNED_SERVICES = frozenset({"dynamodb", "sqs"})


def requests_unsigned() -> None:
    """botocore signs every request (SigV4: a canonical request, its hash, an HMAC chain): ~0.24 ms
    of CPU each, about 7 % of a request's here. On AWS that runs inside each function's own
    container; here every function and the emulator share one interpreter, and the emulator's
    DynamoDB and SQS check no signature: they read the region from the URL and, with no access
    key, answer for the default account, the one the local cloud's key maps to. So their requests
    go unsigned (:data:`UNSIGNED_SERVICES`); every other service's are signed as before."""
    from botocore.signers import RequestSigner

    if getattr(RequestSigner, "_grounded_unsigned", False):
        return
    original = RequestSigner.sign

    def sign(self: Any, operation_name: str, request: Any, *args: Any, **kwargs: Any) -> None:
        if self._signing_name not in UNSIGNED_SERVICES:
            original(self, operation_name, request, *args, **kwargs)

    RequestSigner.sign = sign  # type: ignore[method-assign]
    RequestSigner._grounded_unsigned = True  # type: ignore[attr-defined]


def serialize_emulator_calls() -> None:
    """moto's backends are plain Python objects without locks: two threads doing a conditional put
    on the same key could both pass the condition. AWS applies each request atomically, so the
    local cloud runs one emulator request at a time — except Lambda invocations, which run a whole
    handler (itself making requests) and must not hold the lock while they do.
    """
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber, "_grounded_serialized", False):
        return
    lock = EMULATOR_LOCK
    original = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        if "/functions/" in request.url and request.url.rstrip("/").endswith("/invocations"):
            return original(self, request)
        with lock:
            response = original(self, request)
            for observer in REQUEST_OBSERVERS:
                try:
                    observer(request, int(response[0]) if response else 500)  # (status, headers, body)
                except Exception:
                    log.exception("an observer of the emulator's requests failed")
            return response

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    BotocoreStubber._grounded_serialized = True  # type: ignore[attr-defined]


def run_real_handlers(runtime: LambdaRuntime) -> None:
    """Without Docker, moto's Lambda never runs code: its 'simple' backend echoes the payload back.
    Route every invocation (direct, or a Step Functions ``lambda:invoke`` task) to the real handler.
    """
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from local.runtime import FunctionFailed

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> bytes:
        event = json.loads(body) if body else {}
        try:
            result = runtime.invoke(function_name, event)
        except FunctionFailed as failure:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(failure.payload()).encode()
        return json.dumps(result).encode()

    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]


def name_every_execution() -> None:
    """moto names an execution started without ``name`` ``None``, so a second unnamed start of the
    same state machine fails with ExecutionAlreadyExists. AWS generates a UUID; so does this.
    """
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    if getattr(StepFunctionsParserBackend, "_grounded_named", False):
        return
    original = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]
    StepFunctionsParserBackend._grounded_named = True  # type: ignore[attr-defined]


def make_state_machines_executable(sfn: Any, account_id: str, region: str, names: list[str]) -> None:
    """State machines created by moto's CloudFormation land in the backend that never executes
    (describe on the executing one says StateMachineDoesNotExist). Re-create each one, with the same
    name and so the same ARN, where executions really run.
    """
    from moto.stepfunctions.models import stepfunctions_backends

    declared = {machine.name: machine for machine in stepfunctions_backends[account_id][region].state_machines}
    for name in names:
        machine = declared[name]
        definition = machine.definition.replace(CONTEXT_PATH, "$$")
        sfn.create_state_machine(name=machine.name, definition=definition, roleArn=machine.roleArn)


def apply_time_to_live(dynamodb: Any, table_name: str, specification: dict[str, Any]) -> None:
    """moto's CloudFormation ignores ``TimeToLiveSpecification``; set it with the API instead. (moto
    records TTL but never deletes expired items; code that reads must not rely on expiry.)
    """
    if specification.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": specification["AttributeName"]},
        )


def _replace_refs(value: Any, physical: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in physical:
            return physical[value["Ref"]]
        return {key: _replace_refs(inner, physical) for key, inner in value.items()}
    if isinstance(value, list):
        return [_replace_refs(inner, physical) for inner in value]
    if isinstance(value, str):
        for logical_id, resolved in physical.items():
            value = value.replace("${" + logical_id + "}", resolved)
    return value


def create_secrets(
    cfn: dict[str, Any], adapted: dict[str, Any], secretsmanager: Any, stack_name: str
) -> dict[str, Any]:
    """Create the template's Secrets Manager secrets with the API (a ``GenerateSecretString`` gets a
    fresh random value, as CloudFormation would) and point every reference at their ARNs."""
    import secrets
    import string

    arns = {}
    for logical_id, resource in cfn["Resources"].items():
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        properties = resource.get("Properties", {})
        value = properties.get("SecretString")
        if value is None:
            spec = properties.get("GenerateSecretString", {})
            alphabet = string.ascii_letters + string.digits
            if not spec.get("ExcludePunctuation"):
                alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
            value = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
        created = secretsmanager.create_secret(Name=f"{stack_name}-{logical_id}", SecretString=value)
        arns[logical_id] = created["ARN"]
    return _replace_refs(adapted, arns) if arns else adapted


def cheap_transaction_rollback() -> None:
    """moto's TransactWriteItems deep-copies the whole table once per item of the transaction, to
    roll back on failure: every transaction costs time in proportion to the table's size, and a
    local cloud with a few thousand traces slows to a crawl. Keep copies of only the items the
    transaction touches, and put those back if it fails. Runs under serialize_emulator_calls's
    lock, so no other DynamoDB request sees the shim.
    """
    import copy
    import types

    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend, "_grounded_rollback", False):
        return
    original = DynamoDBBackend.transact_write_items
    no_table_copies = types.SimpleNamespace(
        deepcopy=lambda value, memo=None: value if isinstance(value, Table) else copy.deepcopy(value, memo),
        copy=copy.copy,
    )

    def key_of(backend: Any, op: dict[str, Any]) -> dict[str, Any]:
        if "Key" in op:
            return dict(op["Key"])
        table = backend.get_table(op["TableName"])
        key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
        if table.range_key_attr:
            key[table.range_key_attr] = op["Item"][table.range_key_attr]
        return key

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        before = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            if op.get("TableName") in self.tables:
                key = key_of(self, op)
                before.append((op["TableName"], key, copy.deepcopy(self.get_item(op["TableName"], key))))
        setattr(models, "copy", no_table_copies)  # noqa: B010 (a module attribute moto reads)
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, item in reversed(before):
                if item is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, item.to_json()["Attributes"])
            raise
        finally:
            setattr(models, "copy", copy)  # noqa: B010

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend._grounded_rollback = True  # type: ignore[attr-defined]


#: what hears of every item ``update_item`` changed: ``(table, item)`` (see :func:`updates_observed`)
UPDATE_OBSERVERS: list[Callable[[Any, Any], None]] = []


def updates_observed(observer: Callable[[Any, Any], None]) -> None:
    """``observer(table, item)`` after every ``DynamoDBBackend.update_item``, the one write through
    which moto changes a stored item in place (transactions, batches and PartiQL go through it;
    every other write makes a new item), once the update is done — or has failed, since a failure
    may come after a change (an item grown too large). One wrapper serves every observer: the item
    is the one the update returned, looked up by its key only after a failure."""
    from moto.dynamodb.models import DynamoDBBackend

    if observer not in UPDATE_OBSERVERS:
        UPDATE_OBSERVERS.append(observer)
    if getattr(DynamoDBBackend, "_grounded_observed", False):
        return
    original = DynamoDBBackend.update_item

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        updated = None
        try:
            updated = original(self, table_name, key, *args, **kwargs)
            return updated
        finally:
            table = self.tables.get(table_name)
            item = updated if updated is not None else _stored_item(self, table_name, key)
            if table is not None and item is not None:
                for notify in UPDATE_OBSERVERS:
                    notify(table, item)

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    DynamoDBBackend._grounded_observed = True  # type: ignore[attr-defined]


def _stored_item(backend: Any, table_name: str, key: dict[str, Any]) -> Any:
    """The item stored under ``key``, or ``None`` (no such table, or not a key of it)."""
    from moto.core.exceptions import JsonRESTError

    try:
        return backend.get_item(table_name, key)
    except (JsonRESTError, KeyError):
        return None


def partition_queries() -> None:
    """moto answers a Query by sorting every item of the table and keeping the partition's: each
    Query costs time in proportion to the table's size (an index Query too, and a listing reads
    five index partitions). A table Query is handed only its partition's items, in the same (range
    key) order; an index Query only the items whose index hash key matches (found through
    :class:`_IndexedValues`), in any order (moto sorts them by the index keys and the table keys, a
    total order). Runs under serialize_emulator_calls's lock, so the shim is never seen by another
    request.
    """
    import inspect

    from moto.dynamodb.models.table import Table

    if getattr(Table, "_grounded_partitions", False):
        return
    original_query, original_all_items = Table.query, Table.all_items
    original_put = Table.put_item
    signature = inspect.signature(original_query)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        hash_key, index_name = bound.arguments.get("hash_key"), bound.arguments.get("index_name")
        if index_name is not None:
            self._grounded_index_keys = list(bound.arguments.get("hash_key_conditions") or []) or None
        elif hash_key is not None and self.range_key_attr:
            self._grounded_partition = hash_key
        try:
            return original_query(self, *args, **kwargs)
        finally:
            self._grounded_partition = self._grounded_index_keys = None

    def all_items(self: Any) -> Any:
        window = getattr(self, "_grounded_window", None)
        if window is not None:  # queries_read_in_kept_order: what this Query can reach
            return list(window)
        partition = getattr(self, "_grounded_partition", None)
        index_keys = getattr(self, "_grounded_index_keys", None)
        if partition is not None:
            return sorted(self.items.get(partition, {}).values(), key=lambda item: item.range_key)
        if index_keys is not None and self.range_key_attr:
            (name, value), *_ = index_keys
            if name == self.hash_key_attr:  # a local index: the table's own partition
                candidates = list(self.items.get(value, {}).values())
            else:
                candidates = _IndexedValues.of(self).items_with(name, value)
            return [item for item in candidates if all(_holds(item, n, v) for n, v in index_keys)]
        return original_all_items(self)

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, *args, **kwargs)
        _IndexedValues.note(self, item)
        return item

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table._grounded_query_signature = signature  # type: ignore[attr-defined]
    Table.put_item = put_item  # type: ignore[method-assign]
    updates_observed(_IndexedValues.note)  # moto updates an item in place: its index keys may have changed
    Table._grounded_partitions = True  # type: ignore[attr-defined]


def _holds(item: Any, name: str, value: Any) -> bool:
    """``item``'s attribute ``name`` is ``value`` (moto's equality: numbers by value)."""
    held = item.attrs.get(name)
    return held is not None and bool(held == value)


class _IndexedValues:
    """A table's items by the string values of its global indexes' hash key attributes, so that an
    index Query finds its partition without a pass over the whole table (at 100k items that pass
    took ~40 ms per index Query). Built from every item at the first index Query; then every item
    put or updated (the only ways moto gives an item a new attribute value: ``Table.put_item``,
    ``DynamoDBBackend.update_item``, which transactions, batches, PartiQL and imports go through)
    is noted again. Entries are never removed when an item goes or changes: an index Query checks
    each one against the item as it is now, and drops those that no longer match. Rebuilt if moto
    replaces the table's items wholesale (a restore) or its global indexes change (UpdateTable)."""

    def __init__(self, table: Any) -> None:
        self.items = table.items
        self.names = _IndexedValues.hash_names(table)
        self.hash_name = table.hash_key_attr
        self.keys: dict[tuple[str, str], set[tuple[Any, Any]]] = {}
        #: partitions (of the table, or of an index) kept in Query order (local/partition_order.py), by
        #: index ("" for the table) and hash value, and by hash attribute and value (what a written
        #: item is noted by)
        self.orders: dict[tuple[str, str], PartitionOrder] = {}
        self.orders_by_value: dict[tuple[str, str], list[PartitionOrder]] = {}
        for items in table.items.values():
            for item in items.values():
                self.add(item)

    @staticmethod
    def hash_names(table: Any) -> list[str]:
        return [
            key["AttributeName"] for index in table.global_indexes for key in index.schema if key["KeyType"] == "HASH"
        ]

    @staticmethod
    def of(table: Any) -> _IndexedValues:
        if not _IndexedValues.kept(table) or table._grounded_indexed.names != _IndexedValues.hash_names(table):
            table._grounded_indexed = _IndexedValues(table)
        return table._grounded_indexed  # type: ignore[no-any-return]

    @staticmethod
    def kept(table: Any) -> bool:
        indexed = getattr(table, "_grounded_indexed", None)
        return indexed is not None and indexed.items is table.items

    @staticmethod
    def note(table: Any, item: Any) -> None:
        if item is not None and _IndexedValues.kept(table):
            table._grounded_indexed.add(item)

    def add(self, item: Any) -> None:
        if item.hash_key.type == "S":
            for order in self.orders_by_value.get((self.hash_name, item.hash_key.value), ()):
                order.note(item)
        for name in self.names:
            held = item.attrs.get(name)
            if held is not None and held.type == "S":
                self.keys.setdefault((name, held.value), set()).add((item.hash_key, item.range_key))
                for order in self.orders_by_value.get((name, held.value), ()):
                    order.note(item)

    def order(self, index_name: str | None, names: list[str], value: Any) -> PartitionOrder:
        """The partition of ``value`` (its hash key, ``names[0]``) of an index, or of the table
        (``index_name`` ``None``), in Query order."""
        from local.partition_order import PartitionOrder

        name = names[0]
        order = self.orders.get((index_name or "", value.value))
        if order is None or order.names != names:
            kept = self.orders_by_value.setdefault((name, value.value), [])
            kept[:] = [other for other in kept if other is not order]
            if index_name is None:
                members = list(self.items.get(value, {}).values())
                order = PartitionOrder(self.items, names, lambda item: bool(item.hash_key == value), members)
            else:
                members = self.items_with(name, value)
                order = PartitionOrder(self.items, names, lambda item: _holds(item, name, value), members)
            self.orders[(index_name or "", value.value)] = order
            kept.append(order)
        return order

    def items_with(self, name: str, value: Any) -> list[Any]:
        """The items whose ``name`` is ``value`` now (any type: not a string, every item is looked at)."""
        if value.type != "S":
            return [item for items in self.items.values() for item in items.values() if _holds(item, name, value)]
        keys = self.keys.get((name, value.value), set())
        found, gone = [], []
        for hash_key, range_key in keys:
            item = self.items.get(hash_key, {}).get(range_key)
            if item is not None and _holds(item, name, value):
                found.append(item)
            else:
                gone.append((hash_key, range_key))
        keys.difference_update(gone)
        return found


def queries_read_in_kept_order() -> None:
    """moto answers a Query by sorting the whole partition (of the table, or of an index) and
    walking it to the ``Limit``: a sessions list read five index partitions, each sorted per page,
    and got slower with every session an org had (~108 ms a page at 3,000 sessions). Each partition
    a Query reads is kept in that order (local/partition_order.py), and moto is handed only the
    items its walk reaches — after the start key, the first ``Limit`` items meeting the key
    condition and the one after — and answers from them as always (same items, same
    ``LastEvaluatedKey``). What the kept order cannot tell exactly is left to moto's full read.
    Needs :func:`partition_queries` (its ``all_items`` hands moto the window)."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_grounded_in_order", False):
        return
    original = Table.query
    signature = Table._grounded_query_signature  # type: ignore[attr-defined]

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        window = _query_window(self, signature.bind(self, *args, **kwargs).arguments)
        if window is None:
            return original(self, *args, **kwargs)
        self._grounded_window = window
        try:
            return original(self, *args, **kwargs)
        finally:
            self._grounded_window = None

    Table.query = query  # type: ignore[method-assign]
    Table._grounded_in_order = True  # type: ignore[attr-defined]


def _query_window(table: Any, arguments: dict[str, Any]) -> list[Any] | None:
    """The items a Query of a table partition or a global-index partition reaches, or ``None`` when
    moto must read the partition: a Query on one string hash key and at most a condition on the
    range key, of a table with a range key."""
    if arguments.get("filter_kwargs") or not table.range_key_attr:
        return None
    index_name = arguments.get("index_name")
    if index_name is None:
        value, names = arguments.get("hash_key"), [table.hash_key_attr, table.range_key_attr]
    else:
        value, names = _index_partition(table, index_name, arguments.get("hash_key_conditions") or [])
    conditions = arguments.get("range_key_conditions") or []
    if value is None or value.type != "S" or any(held[0] != names[1] for held in conditions):
        return None
    comparison = arguments.get("range_comparison")
    condition = (comparison, list(arguments.get("range_objs") or [])) if comparison else None
    return (
        _IndexedValues.of(table)
        .order(index_name, names, value)
        .window(
            condition,
            arguments.get("limit"),
            arguments.get("exclusive_start_key"),
            forward=arguments.get("scan_index_forward") is not False,
        )
    )


def _index_partition(table: Any, index_name: str, hash_conditions: list[Any]) -> tuple[Any, list[str]]:
    """A global-index Query's hash value (``None`` unless it is one value of one hash key, on an index
    with one range key) and the attributes its partition is ordered by."""
    index = next((index for index in table.global_indexes or () if index.name == index_name), None)
    if index is None or len(hash_conditions) != 1:
        return None, []
    ((name, value),) = hash_conditions
    hash_names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    range_names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
    if hash_names != [name] or len(range_names) != 1:
        return None, []
    return value, [name, range_names[0], table.hash_key_attr, table.range_key_attr]


def queries_without_copies() -> None:
    """moto deep-copies every item a Query matched before projecting it, so that nothing done to
    the answer reaches the stored items. Nothing is: an index or expression projection builds new
    items, and the answer is turned into new dicts (``dynamo_to_dict``) and written out within the
    same emulator call, under serialize_emulator_calls's lock — so the copy (a tenth of the local
    cloud's CPU under load, most of it listing sessions) is skipped. The shim is the table module's
    ``copy`` only while a Query runs."""
    import copy
    import types

    from moto.dynamodb.models import table as table_module

    Table = table_module.Table
    if getattr(Table, "_grounded_no_copies", False):
        return
    original = Table.query
    no_copies = types.SimpleNamespace(deepcopy=list, copy=copy.copy)  # moto copies the list of matches

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        setattr(table_module, "copy", no_copies)  # noqa: B010 (a module attribute moto reads)
        try:
            return original(self, *args, **kwargs)
        finally:
            setattr(table_module, "copy", copy)  # noqa: B010

    Table.query = query  # type: ignore[method-assign]
    Table._grounded_no_copies = True  # type: ignore[attr-defined]


def dynamodb_results_built_directly() -> None:
    """moto turns a result's items into DynamoDB JSON with a generic walk that asks every value
    what it is (``isinstance``, ``hasattr(to_json)``) at every level. Items hold only DynamoTypes
    in dicts and lists; those are converted directly, anything else by moto's own function."""
    from moto.dynamodb import responses
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    if getattr(responses, "_grounded_direct", False):
        return
    original = responses.dynamo_to_dict  # type: ignore[attr-defined]
    plain = (str, int, float, bool, type(None))

    def dynamo_to_dict(obj: Any) -> Any:
        kind = type(obj)
        if kind is DynamoType:
            name, value = obj.type, obj.value
            if name == "M":
                return {"M": {key: dynamo_to_dict(member) for key, member in value.items()}}
            if name == "L":
                return {"L": [dynamo_to_dict(member) for member in value]}
            if name in ("S", "N", "BOOL", "NULL"):
                return {name: value}
            if name in ("SS", "NS"):
                return {name: list(value)}
            return original(obj)  # binary
        if kind is dict or kind is LimitedSizeDict:  # an item's attributes are the latter
            return {key: dynamo_to_dict(member) for key, member in obj.items()}
        if kind is list:
            return [dynamo_to_dict(member) for member in obj]
        if kind in plain:
            return obj
        return original(obj)

    responses.dynamo_to_dict = dynamo_to_dict  # type: ignore[attr-defined]
    responses._grounded_direct = True  # type: ignore[attr-defined]


def sqs_retention_read_directly() -> None:
    """moto checks each message it hands out against the queue's retention period by building all
    the queue's attributes (counting its messages among them) to read that one."""
    from moto.core.utils import unix_time
    from moto.sqs.models import SQSBackend

    if getattr(SQSBackend, "_grounded_retention", False):
        return

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention + message.sent_timestamp / 1000 > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]
    SQSBackend._grounded_retention = True  # type: ignore[attr-defined]


def strings_cast_directly() -> None:
    """moto's ``DynamoType.cast_value`` — what every comparison, equality and hash of a value reads
    — asks a string whether it is a number, a set, a list, a map or null before returning it as
    it is. A string is returned first; every other type takes moto's own chain."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if getattr(DynamoType, "_grounded_cast", False):
        return
    chain = DynamoType.cast_value.fget  # type: ignore[attr-defined]

    def cast_value(self: Any) -> Any:
        return self.value if self.type == "S" else chain(self)

    DynamoType.cast_value = property(cast_value)  # type: ignore[method-assign,assignment]
    DynamoType._grounded_cast = True  # type: ignore[attr-defined]


#: DynamoDB types whose moto ordering is their plain value's (``DynamoType.cast_value``)
_PLAIN_KEY_TYPES = frozenset({"S", "N", "B"})


def index_sorts_by_plain_values() -> None:
    """moto sorts an index Query's partition by comparing ``DynamoType`` objects: every comparison
    computes both values' ``cast_value`` (a ``Decimal`` for numbers) through a chain of type checks —
    18 ms per Query of a 400-item index partition (79 ms at 2,000), nearly all of that Query's
    time, under the emulator's lock. Items are sorted by the same values, read once per item: the
    same order (moto compares ``cast_value``; its equality also needs the same type, so each key
    position must hold one type), stable as moto's sort is. Anything else is left to moto's sort."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_grounded_sorts", False):
        return
    original = Table.sorted_items

    def sorted_items(self: Any, hash_key_attrs: list[str], range_key_attrs: list[Any], items: list[Any]) -> Any:
        names = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        try:
            values = [[item.attrs[name] for name in names] for item in items]
        except KeyError:  # moto's own sort raises it
            return original(self, hash_key_attrs, range_key_attrs, items)
        types = {(position, value.type) for row in values for position, value in enumerate(row)}
        if len(types) != len(names) or any(kind not in _PLAIN_KEY_TYPES for _, kind in types):
            return original(self, hash_key_attrs, range_key_attrs, items)
        keys = [tuple(value.cast_value for value in row) for row in values]
        order = sorted(range(len(items)), key=keys.__getitem__)
        items[:] = [items[n] for n in order]
        return items

    Table.sorted_items = sorted_items  # type: ignore[method-assign]
    Table._grounded_sorts = True  # type: ignore[attr-defined]


def sqs_clock_read_once_per_pass() -> None:
    """moto finds a queue's visible messages (for every receive) and counts its delayed and
    in-flight ones by asking each message whether it is visible and whether it is delayed, each
    answer reading the clock through two datetime conversions: a receive took ~60 ms with 5,000
    messages waiting. The clock is read once per pass; each message is still judged by moto's own
    rule (visible once the time is past ``visible_at``, delayed until ``delayed_until``)."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    if getattr(Queue, "_grounded_clock", False):
        return

    def messages(queue: Any) -> list[Any]:
        now = unix_time_millis()
        return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]

    def delayed(queue: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if now < m.delayed_until)

    def not_visible(queue: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in queue._messages if not now > m.visible_at)

    Queue.messages = property(messages)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[method-assign,assignment]
    Queue._grounded_clock = True  # type: ignore[attr-defined]


#: the three counts moto's ``Queue.attributes`` makes by passing over every message of the queue
_QUEUE_COUNTS = (
    "approximate_number_of_messages",
    "approximate_number_of_messages_delayed",
    "approximate_number_of_messages_not_visible",
)


def sqs_sends_count_nothing() -> None:
    """moto reads a queue's ``ContentBasedDeduplication`` setting, for every message sent, by
    building all the queue's attributes — its message counts among them, three passes over every
    message the queue holds — so each send got slower as a backlog grew (with a few thousand
    messages waiting, sending was a tenth of the local cloud's time). While a send runs, the counts
    read 0: a send reads no count, and what it answers is the same."""
    from moto.sqs.models import Queue, SQSBackend

    if getattr(SQSBackend, "_grounded_sends", False):
        return
    sending = threading.local()

    def while_sending(send: Callable[..., Any]) -> Callable[..., Any]:
        def sends(self: Any, *args: Any, **kwargs: Any) -> Any:
            depth = getattr(sending, "depth", 0)
            sending.depth = depth + 1
            try:
                return send(self, *args, **kwargs)
            finally:
                sending.depth = depth

        return sends

    def unless_sending(count: property) -> property:
        return property(lambda queue: 0 if getattr(sending, "depth", 0) else count.fget(queue))  # type: ignore[misc]

    SQSBackend.send_message = while_sending(SQSBackend.send_message)  # type: ignore[method-assign]
    SQSBackend.send_message_batch = while_sending(SQSBackend.send_message_batch)  # type: ignore[method-assign]
    for name in _QUEUE_COUNTS:
        setattr(Queue, name, unless_sending(getattr(Queue, name)))
    SQSBackend._grounded_sends = True  # type: ignore[attr-defined]


def expressions_parsed_once() -> None:
    """moto parses a request's update and condition expressions twice (to validate the request,
    then to apply it) — for a transaction, each of its items' — though a worker sends the same few
    expressions again and again. Each is parsed once and kept: an update expression's tree is only
    read (moto's validator copies it before binding values), a condition's is kept per expression,
    names and values (the values are in its tree). A parse that fails is not kept."""
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    if getattr(UpdateExpressionParser, "_grounded_once", False):
        return
    make, parse = UpdateExpressionParser.make.__func__, ConditionExpressionParser.parse  # type: ignore[attr-defined]
    updates: dict[str, Any] = {}
    conditions: dict[tuple[Any, ...], tuple[Any, list[str], list[str]]] = {}

    def parsed_update(cls: Any, expression: str) -> Any:
        if expression not in updates:
            _bounded(updates)
            updates[expression] = make(cls, expression)
        return updates[expression]

    def parsed_condition(self: Any) -> Any:
        names, values = self.expression_attribute_names, self.expression_attribute_values
        key = (
            self.condition_expression,
            tuple(sorted(names.items())) if names else (),
            json.dumps(values, sort_keys=True, default=_json_value) if values else "",
        )
        if key not in conditions:
            _bounded(conditions)
            found = parse(self)
            conditions[key] = (found, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
            return found
        found, names_found, values_found = conditions[key]
        self.expr_attr_names_found, self.expr_attr_values_found = list(names_found), list(values_found)
        return found

    UpdateExpressionParser.make = classmethod(parsed_update)  # type: ignore[method-assign,assignment]
    ConditionExpressionParser.parse = parsed_condition  # type: ignore[method-assign]
    UpdateExpressionParser._grounded_once = True  # type: ignore[attr-defined]


#: expressions kept (each a few KB at most): past it, the kept ones are forgotten and parsed again
PARSED_EXPRESSIONS_KEPT = 4096


def _bounded(kept: dict[Any, Any]) -> None:
    if len(kept) >= PARSED_EXPRESSIONS_KEPT:
        kept.clear()


#: DynamoDB operations whose results are data only (items in DynamoDB JSON, keys, counts, capacity)
DATA_OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def dynamodb_results_as_json() -> None:
    """moto answers every request by walking the operation's output shape member by member to
    build the JSON body — for a DynamoDB read, every attribute of every item. It was the local
    cloud's largest single cost (a fifth of the CPU of ingesting traces). A data operation's result
    is already DynamoDB JSON (moto built it with ``dynamo_to_dict``), so it is dumped as it is;
    errors and the control plane (tables, TTL, backups) still go through moto's serializer.
    tests/unit/test_emulator_fast_path.py checks both give the same body.
    """
    from moto.core.responses import ActionResult

    if getattr(ActionResult, "_grounded_json", False):
        return
    original = ActionResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if (
            context.service_model.service_name != "dynamodb"
            or context.operation_model.name not in DATA_OPERATIONS
            or isinstance(self.result, BaseException)
        ):
            return original(self, context)
        members = context.operation_model.output_shape.members
        result = {name: value for name, value in self.result.items() if name in members and value is not None}
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(result, default=_json_value)

    ActionResult.execute_result = execute_result  # type: ignore[method-assign]
    ActionResult._grounded_json = True  # type: ignore[attr-defined]


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"not DynamoDB JSON: {type(value).__name__}")


def dynamodb_requests_as_json() -> None:
    """moto reads a request by walking the operation's input shape member by member, as it writes
    answers. A DynamoDB data request is already the JSON the backend takes; only binary values
    (``B``, ``BS``) arrive base64 and are decoded, as the shape walk does."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_grounded_json", False):
        return
    original = DynamoHandler.parse_parameters

    def parse_parameters(self: Any, request: Any) -> None:
        if self._get_action() in DATA_OPERATIONS:
            self.params = json.loads(request.data or b"{}", object_hook=_binary_values)
        else:
            original(self, request)

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]
    DynamoHandler._grounded_json = True  # type: ignore[attr-defined]


def action_methods_listed_once() -> None:
    """moto finds a request's action among its response class's methods by listing them with
    ``inspect.getmembers`` on every request (~0.09 ms of a 1.1-ms ``GetItem``); a class's methods
    are listed once (the classes are not changed while requests are served: the shortcuts that
    replace methods run before the first request, and replace methods by the same names)."""
    from moto.core import responses

    if getattr(responses, "_grounded_listed_once", False):
        return
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)  # type: ignore[attr-defined]
    responses._grounded_listed_once = True  # type: ignore[attr-defined]


def _binary_values(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) == 1:
        if isinstance(value.get("B"), str):
            return {"B": base64.b64decode(value["B"])}
        if isinstance(value.get("BS"), list):
            return {"BS": [base64.b64decode(member) for member in value["BS"]]}
    return value


def items_sized_once() -> None:
    """moto builds an item attribute by attribute, and re-adds the size of every attribute already
    there before each one (to refuse items over 400 KB): quadratic in the attribute count, for
    every item written. Sizes only grow as attributes are added, so the item's size is checked
    once, when complete — the same items are refused (tests/unit/test_emulator_fast_path.py).

    That size is then kept with the item: a Query or BatchGetItem sizes every item it reads (twice
    each in a Query, against the 1-MB page), walking every nested value — ~5 % of the interpreter
    under ``bench/load.py``. moto changes a stored item in place only in ``update_item`` (which
    transactions go through too); every other write makes a new item. So an update forgets the
    kept size of the item it touched, and the next reader sizes it again."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    if getattr(Item, "_grounded_sized", False):
        return
    measure = Item.size

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key, self.range_key = hash_key, range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        size = sum(bytesize(key) + value.size() for key, value in converted.items())
        if size > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, converted)  # LimitedSizeDict.__setitem__ would size it again
        self._grounded_size = size

    def size(self: Any) -> int:
        kept: int | None = self.__dict__.get("_grounded_size")
        if kept is None:
            kept = self._grounded_size = measure(self)
        return kept

    def forget_size(_table: Any, item: Any) -> None:
        item.__dict__.pop("_grounded_size", None)

    Item.__init__ = __init__  # type: ignore[method-assign]
    Item.size = size  # type: ignore[method-assign]
    updates_observed(forget_size)
    Item._grounded_sized = True  # type: ignore[attr-defined]


#: moto's own limit (DynamoDB's 400 KB, as measured: between 409 and 410 KB)
ITEM_SIZE_LIMIT = 405_000


def make_shared_clients_first() -> None:
    """Every function of the local cloud shares one process, so they share the core's cached AWS
    clients (one per container on AWS). They are made here, once, before any request: boto3's
    session machinery is not meant to build the same client from many threads at the same moment,
    which a burst of first requests would otherwise do. The DynamoDB client's answers are read as
    JSON (:func:`dynamodb_answers_read_as_json`)."""
    from grounded_core import aws

    dynamodb_answers_read_as_json(aws.client("dynamodb"))
    for service in ("sqs", "s3", "secretsmanager"):
        aws.client(service)


def dynamodb_answers_read_as_json(client: Any) -> None:
    """botocore reads an answer by walking the operation's output shape member by member — for a
    DynamoDB read, every attribute of every item, as moto did to write it. A data operation's
    answer is DynamoDB JSON already: the walk only turns binary values (``B``, ``BS``) from base64
    into bytes, which :func:`_binary_values` does as the JSON is read. The functions' own DynamoDB
    clients (the ones made above) read data answers that way; every other answer, and every error,
    still takes botocore's walk. tests/unit/test_emulator_fast_path.py checks both give the same."""
    from botocore.parsers import JSONParser

    outputs = {client.meta.service_model.operation_model(name).output_shape.name for name in DATA_OPERATIONS}

    class DataAsJson(JSONParser):  # type: ignore[misc]
        def _handle_json_body(self, raw_body: bytes, shape: Any) -> Any:
            if shape.name not in outputs or not raw_body:
                return super()._handle_json_body(raw_body, shape)
            found = json.loads(raw_body, object_hook=_binary_values)
            return {name: value for name, value in found.items() if name in shape.members}

    class Parsers:
        reads_data_as_json = True

        def __init__(self, original: Any) -> None:
            self.original = original

        def create_parser(self, protocol: str) -> Any:
            return DataAsJson() if protocol == "json" else self.original.create_parser(protocol)

    endpoint = client._endpoint
    if not getattr(endpoint._response_parser_factory, "reads_data_as_json", False):  # once per client
        endpoint._response_parser_factory = Parsers(endpoint._response_parser_factory)


def build_models_first() -> None:
    """Grounded's models are built on first use (``defer_build``); on AWS a container serves one
    request at a time, so each is built once, alone. Here every function shares one process and
    concurrent first requests would build the same model from several threads at once
    (pydantic#11849). They are built here, once, after the handlers are imported — and so are
    the routes, which each function builds when a request first needs one."""
    from grounded_core.http.routes import build_deferred_routes
    from grounded_core.model import build_deferred_models

    build_deferred_models()
    build_deferred_routes()


def table_items(region: str, table_name: str) -> list[dict[str, Any]]:
    """Every item of a table as the emulator holds it (DynamoDB JSON), read from its state under the
    emulator's lock — what DynamoDB's own TTL process sees; no API request, no Scan."""
    from moto.dynamodb.models import dynamodb_backends

    from local.emulator import ACCOUNT_ID

    with EMULATOR_LOCK:
        table = dynamodb_backends[ACCOUNT_ID][region].get_table(table_name)
        return [item.to_json()["Attributes"] for item in table.all_items()]


def wait_for_messages(region: str, queue_name: str, seconds: float) -> None:
    """Until the emulator's queue holds a message to hand out, at most ``seconds``: the long poll
    Lambda's pollers make. A ``ReceiveMessage`` with ``WaitTimeSeconds`` would wait holding the
    lock every emulator request takes (:func:`serialize_emulator_calls`); this waits on moto's own
    signal that a message was sent, holding nothing — and no longer than until the first of the
    queue's messages in flight or delayed becomes visible (a retry is seen when it is due)."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import sqs_backends

    from local.emulator import ACCOUNT_ID

    queue = sqs_backends[ACCOUNT_ID][region].get_queue(queue_name)
    now = unix_time_millis()
    due = [max(m.visible_at, m.delayed_until) for m in list(queue._messages)]
    later = [moment for moment in due if moment >= now]
    if later:
        seconds = min(seconds, (min(later) - now) / 1000 + 0.001)
    queue.wait_for_messages(seconds)  # type: ignore[arg-type]
