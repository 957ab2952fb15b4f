"""The local cloud's shortcuts through moto's DynamoDB: a data request read and its result dumped
as plain JSON instead of walked along the operation's shapes (``dynamodb_requests_as_json``,
``dynamodb_results_as_json``), a Query handed only its partition's items (``partition_queries``),
without copying what it matched (``queries_without_copies``),
results turned into DynamoDB JSON directly (``dynamodb_results_built_directly``), an item's size
checked once instead of per attribute (``items_sized_once``), SQS's retention check reading
the one attribute it needs (``sqs_retention_read_directly``), SQS sends not counting the queue's
messages (``sqs_sends_count_nothing``) and its passes over them reading the clock once
(``sqs_clock_read_once_per_pass``), strings cast without moto's type checks
(``strings_cast_directly``), an index Query's partition sorted by plain values
(``index_sorts_by_plain_values``), an index Query handed only the items its walk reaches
(``queries_read_in_kept_order``), expressions parsed once
(``expressions_parsed_once``), and, on the client side, botocore reading DynamoDB answers as JSON
(``dynamodb_answers_read_as_json``) and sending requests unsigned (``requests_unsigned``: the
emulator then answers for the same account and region). boto3 must see exactly what moto
alone gives it: the same operations, run once each way, return the same answers and the same
errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.parse import RequestParser
from moto.core.serialize import ResponseSerializer
from moto.dynamodb.models import dynamodb_backends
from moto.sqs.models import sqs_backends

from local import workarounds
from tests.support.fresh_interpreter import run_fresh

ITEM = {
    "pk": {"S": "ORG#1"},
    "sk": {"S": "TRACE#a"},
    "gsi": {"S": "ORG#1#TRACES"},
    "n": {"N": "12.5"},
    "packed": {"B": b"\x01\x02binary\xff"},
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2"]},
    "bins": {"BS": [b"x", b"y"]},
    "turns": {"L": [{"M": {"role": {"S": "user"}, "ok": {"BOOL": True}, "gone": {"NULL": True}}}]},
    # attributes named as binary types: the answers read as JSON must tell them from binary values
    "B": {"S": "an attribute named B"},
    "BS": {"M": {"B": {"B": b"\x00inside"}, "BS": {"L": [{"BS": [b"\x01"]}]}}},
}


def run_operations(answers_as_json: bool = False) -> list[Any]:
    """A fresh emulator, one table with an index, and every data operation Grounded uses;
    what boto3 returned for each, the errors of the failing ones, and the items as stored."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        if answers_as_json:  # as the functions' own clients read answers in the local cloud
            workarounds.dynamodb_answers_read_as_json(client)
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "gsi", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}

        def guarded_update(name: str, step: str, new: str, was: str) -> Any:
            """The same update and condition expressions every time, with other names and values."""
            return client.update_item(
                TableName="t",
                Key=key,
                UpdateExpression="ADD n :one SET #s = :s",
                ConditionExpression="#s = :was",
                ExpressionAttributeNames={"#s": name},
                ExpressionAttributeValues={":one": {"N": step}, ":s": {"S": new}, ":was": {"S": was}},
                ReturnValues="ALL_NEW",
            )

        def error_of(call: Callable[[], Any]) -> Any:
            with pytest.raises(ClientError) as error:
                call()
            return error.value.response["Error"]

        answers: list[Any] = [
            client.put_item(TableName="t", Item=ITEM, ReturnConsumedCapacity="TOTAL"),
            client.put_item(TableName="t", Item={**ITEM, "n": {"N": "13"}}, ReturnValues="ALL_OLD"),
            # binary given as text and as a bytearray (botocore takes both)
            client.put_item(
                TableName="t",
                Item={**key, "sk": {"S": "BLOBS"}, "text": {"B": "as text"}, "set": {"BS": ["a", bytearray(b"b")]}},
                ReturnValues="ALL_OLD",
            ),
            client.get_item(TableName="t", Key={**key, "sk": {"S": "BLOBS"}}),
            client.get_item(TableName="t", Key=key, ConsistentRead=True),
            client.get_item(TableName="t", Key={**key, "sk": {"S": "missing"}}),
            client.update_item(
                TableName="t",
                Key=key,
                UpdateExpression="ADD n :one SET #s = :s",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":one": {"N": "1"}, ":s": {"S": "done"}},
                ReturnValues="ALL_NEW",
            ),
            *(guarded_update("state", step, "again", was) for step, was in (("5", "done"), ("-2", "again"))),
            error_of(lambda: guarded_update("gsi", "-2", "again", "again")),  # the same values, another name
            client.batch_write_item(
                RequestItems={"t": [{"PutRequest": {"Item": {**ITEM, "sk": {"S": f"TRACE#{n}"}}}} for n in range(5)]}
            ),
            client.batch_get_item(
                RequestItems={
                    "t": {"Keys": [{**key, "sk": {"S": f"TRACE#{n}"}} for n in range(3)], "ConsistentRead": True}
                }
            ),
            client.query(
                TableName="t",
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": ITEM["pk"]},
                Limit=2,
                ScanIndexForward=False,
            ),
            client.query(
                TableName="t",
                IndexName="GSI1",
                KeyConditionExpression="gsi = :g AND begins_with(sk, :p)",
                ExpressionAttributeValues={":g": ITEM["gsi"], ":p": {"S": "TRACE#"}},
                ProjectionExpression="pk, sk, n",
                Select="SPECIFIC_ATTRIBUTES",
            ),
            client.query(
                TableName="t",
                IndexName="GSI1",
                KeyConditionExpression="gsi = :g",
                FilterExpression="n > :low",
                ExpressionAttributeValues={":g": ITEM["gsi"], ":low": {"N": "1"}},
            ),
            client.query(
                TableName="t",
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": ITEM["pk"]},
                Select="COUNT",
            ),
            client.batch_write_item(  # index partitions shared by items of many table partitions
                RequestItems={
                    "t": [
                        {
                            "PutRequest": {
                                "Item": {
                                    "pk": {"S": f"ORG#{n % 4}"},
                                    "sk": {"S": f"S#{n % 3}"},
                                    **({"gsi": {"S": f"LIST#{n % 2}"}} if n % 5 else {}),
                                }
                            }
                        }
                        for n in range(12)
                    ]
                }
            ),
            *(
                page
                for forward in (True, False)
                for page in client.get_paginator("query").paginate(
                    TableName="t",
                    IndexName="GSI1",
                    KeyConditionExpression="gsi = :g",
                    ExpressionAttributeValues={":g": {"S": "LIST#1"}},
                    ScanIndexForward=forward,
                    PaginationConfig={"PageSize": 2},
                )
            ),
            *(  # items moved into, out of and within index partitions, then the index read again
                change()
                for change in (
                    lambda: client.update_item(
                        TableName="t",
                        Key={"pk": {"S": "ORG#0"}, "sk": {"S": "S#0"}},
                        UpdateExpression="SET gsi = :g",
                        ExpressionAttributeValues={":g": {"S": "LIST#1"}},
                    ),
                    lambda: client.update_item(
                        TableName="t", Key={"pk": {"S": "ORG#1"}, "sk": {"S": "S#1"}}, UpdateExpression="REMOVE gsi"
                    ),
                    lambda: client.update_item(  # a new item, by an update
                        TableName="t",
                        Key={"pk": {"S": "ORG#9"}, "sk": {"S": "S#9"}},
                        UpdateExpression="SET gsi = :g",
                        ExpressionAttributeValues={":g": {"S": "LIST#1"}},
                    ),
                    lambda: client.delete_item(TableName="t", Key={"pk": {"S": "ORG#3"}, "sk": {"S": "S#0"}}),
                    lambda: client.put_item(
                        TableName="t", Item={"pk": {"S": "ORG#3"}, "sk": {"S": "S#0"}, "gsi": {"S": "LIST#0"}}
                    ),
                    lambda: error_of(  # cancelled: the item keeps its place
                        lambda: client.transact_write_items(
                            TransactItems=[
                                {
                                    "Update": {
                                        "TableName": "t",
                                        "Key": {"pk": {"S": "ORG#2"}, "sk": {"S": "S#2"}},
                                        "UpdateExpression": "SET gsi = :g",
                                        "ExpressionAttributeValues": {":g": {"S": "LIST#0"}},
                                    }
                                },
                                {
                                    "ConditionCheck": {
                                        "TableName": "t",
                                        "Key": key,
                                        "ConditionExpression": "attribute_not_exists(pk)",
                                    }
                                },
                            ]
                        )
                    ),
                    *(
                        lambda listing=listing, forward=forward: client.query(
                            TableName="t",
                            IndexName="GSI1",
                            KeyConditionExpression="gsi = :g",
                            ExpressionAttributeValues={":g": {"S": listing}},
                            ScanIndexForward=forward,
                        )
                        for listing in ("LIST#0", "LIST#1")
                        for forward in (True, False)
                    ),
                    lambda: client.update_table(  # an index added once the first index was read
                        TableName="t",
                        AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                        GlobalSecondaryIndexUpdates=[
                            {
                                "Create": {
                                    "IndexName": "GSI2",
                                    "KeySchema": [
                                        {"AttributeName": "other", "KeyType": "HASH"},
                                        {"AttributeName": "sk", "KeyType": "RANGE"},
                                    ],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                                }
                            }
                        ],
                    )["TableDescription"]["GlobalSecondaryIndexes"][-1]["IndexName"],
                    lambda: client.put_item(
                        TableName="t", Item={"pk": {"S": "ORG#5"}, "sk": {"S": "S#5"}, "other": {"S": "O"}}
                    ),
                    lambda: client.query(
                        TableName="t",
                        IndexName="GSI2",
                        KeyConditionExpression="other = :o",
                        ExpressionAttributeValues={":o": {"S": "O"}},
                    ),
                )
            ),
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": {**ITEM, "sk": {"S": "APPLIED#a"}}}},
                    {
                        "Update": {
                            "TableName": "t",
                            "Key": key,
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            ),
            client.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}}]),
            client.scan(TableName="t", Limit=3),
            client.delete_item(TableName="t", Key=key, ReturnValues="ALL_OLD"),
            client.delete_item(TableName="t", Key=key),
            client.put_item(TableName="t", Item={**ITEM, "big": {"S": "x" * (workarounds.ITEM_SIZE_LIMIT - 400)}}),
        ]
        failing_calls: tuple[Callable[[], Any], ...] = (
            lambda: client.put_item(
                TableName="t", Item={**ITEM, "sk": {"S": "APPLIED#a"}}, ConditionExpression="attribute_not_exists(pk)"
            ),
            lambda: client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": "t",
                            "Item": {**ITEM, "sk": {"S": "APPLIED#a"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                ]
            ),
            lambda: client.get_item(TableName="missing", Key=key),
            lambda: guarded_update("state", "1", "x", "never"),  # a condition parsed before, failing now
            *(lambda: client.update_item(TableName="t", Key=key, UpdateExpression="SET") for _ in range(2)),
            lambda: client.put_item(TableName="t", Item={**ITEM, "big": {"S": "x" * workarounds.ITEM_SIZE_LIMIT}}),
        )
        for failing in failing_calls:
            with pytest.raises(ClientError) as error:
                failing()
            answers.append(error.value.response["Error"])
            answers.append(error.value.response.get("CancellationReasons"))
        stored = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table("t").all_items()
        answers.append([(item.to_json(), item.size()) for item in stored])  # as kept: binary as bytes
        answers.append(pages_by_size(client))
        answers.append(index_orders(client))
        answers.append(index_windows(client))
        answers.append(sqs_receives())
        answers.append(sqs_sends())
    for answer in answers:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return answers


def pages_by_size(client: Any) -> list[Any]:
    """A Query's page ends at 1 MB: four items of ~100 KB make one page, and grown to ~300 KB each
    by updates (a transaction's among them) they make two — the sizes a Query reads follow every change."""
    answers = []
    keys = [{"pk": {"S": "SIZED"}, "sk": {"S": f"item-{n}"}} for n in range(4)]
    for key in keys:
        client.put_item(TableName="t", Item={**key, "body": {"S": "x" * 100_000}})

    def page_sizes() -> list[Any]:
        pages, start = [], None
        while True:
            extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            page = client.query(
                TableName="t",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "SIZED"}},
                ProjectionExpression="sk",
                **extra,
            )
            pages.append([item["sk"]["S"] for item in page["Items"]])
            start = page.get("LastEvaluatedKey")
            if not start:
                return pages

    answers.append(page_sizes())
    grow = {"UpdateExpression": "SET more = :more", "ExpressionAttributeValues": {":more": {"S": "y" * 200_000}}}
    for key in keys[:3]:
        client.update_item(TableName="t", Key=key, **grow)
    client.transact_write_items(TransactItems=[{"Update": {"TableName": "t", "Key": keys[3], **grow}}])
    answers.append(page_sizes())
    return answers


def index_orders(client: Any) -> list[Any]:
    """An index whose range key is a number, items tied on it (the table's keys break the tie) and
    one without it (not in the index): queried both ways, whole and page by page."""
    client.create_table(
        TableName="ordered",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "at", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byTime",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for n, at in enumerate(("10", "2", "10.0", "2", "-3", "1e1", "7")):
        item = {"pk": {"S": f"p{n % 3}"}, "sk": {"S": f"s{n}"}, "g": {"S": "G"}, "at": {"N": at}}
        client.put_item(TableName="ordered", Item=item)
    client.put_item(TableName="ordered", Item={"pk": {"S": "p9"}, "sk": {"S": "none"}, "g": {"S": "G"}})
    answers: list[Any] = []
    for forward in (True, False):
        query = {
            "TableName": "ordered",
            "IndexName": "byTime",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "G"}},
            "ScanIndexForward": forward,
        }
        answers.append(client.query(**query)["Items"])
        page = client.query(**query, Limit=3)
        pages = [page["Items"]]
        while "LastEvaluatedKey" in page:
            page = client.query(**query, Limit=3, ExclusiveStartKey=page["LastEvaluatedKey"])
            pages.append(page["Items"])
        answers.append(pages)
    return answers


def index_windows(client: Any) -> list[Any]:
    """An index partition and a table partition read a page at a time under every kind of key
    condition, both ways, then again after items were deleted, moved out, moved in, re-keyed and
    put back: what moto reads from the kept order (``queries_read_in_kept_order``) must be what it
    reads from the whole partition. Range keys tie (the table's keys break the tie); some items have none (not in the
    index); another partition shares the index."""
    client.create_table(
        TableName="windows",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in (("pk", "S"), ("sk", "S"), ("g", "S"), ("at", "S"), ("n", "N"))
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": name,
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": key, "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, key in (("byTime", "at"), ("byNumber", "n"))
        ],
        BillingMode="PAY_PER_REQUEST",
    )

    def put(n: int, group: str = "G", at: str | None = None) -> None:
        item = {"pk": {"S": f"p{n % 4}"}, "sk": {"S": f"s{n:02d}"}, "g": {"S": group}, "n": {"N": str(n % 7)}}
        if n % 9:
            item["at"] = {"S": at or f"T#{n % 6}"}
        client.put_item(TableName="windows", Item=item)

    for n in range(36):
        put(n, group="G" if n % 5 else "H")
    conditions = (
        ("g = :g", {}),
        ("g = :g AND #k BETWEEN :low AND :high", {":low": "T#1", ":high": "T#3"}),
        ("g = :g AND begins_with(#k, :p)", {":p": "T#2"}),
        ("g = :g AND #k < :v", {":v": "T#2"}),
        ("g = :g AND #k <= :v", {":v": "T#2"}),
        ("g = :g AND #k > :v", {":v": "T#4"}),
        ("g = :g AND #k >= :v", {":v": "T#4"}),
        ("g = :g AND #k = :v", {":v": "T#5"}),
        ("g = :g AND #k BETWEEN :low AND :high", {":low": "A", ":high": "B"}),  # nothing between
    )

    def read_all() -> list[Any]:
        pages: list[Any] = []
        for expression, values in conditions:
            for forward in (True, False):
                for limit in (1, 3, 7, None):
                    query: dict[str, Any] = {
                        "TableName": "windows",
                        "IndexName": "byTime",
                        "KeyConditionExpression": expression,
                        "ExpressionAttributeValues": {":g": {"S": "G"}, **{k: {"S": v} for k, v in values.items()}},
                        "ScanIndexForward": forward,
                        **({"ExpressionAttributeNames": {"#k": "at"}} if "#k" in expression else {}),
                        **({"Limit": limit} if limit else {}),
                    }
                    page = client.query(**query)
                    pages.append((page["Items"], page.get("LastEvaluatedKey"), page["Count"], page["ScannedCount"]))
                    while "LastEvaluatedKey" in page:
                        page = client.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])
                        pages.append((page["Items"], page.get("LastEvaluatedKey"), page["Count"]))
        for expression, low, high in (  # table partitions, under the same kinds of condition
            ("pk = :g", "", ""),
            ("pk = :g AND sk BETWEEN :low AND :high", "s05", "s21"),
            ("pk = :g AND begins_with(sk, :low)", "s1", ""),
            ("pk = :g AND sk > :low", "s13", ""),
            ("pk = :g AND sk <= :low", "s13", ""),
        ):
            for forward in (True, False):
                for limit in (1, 2, None):
                    values = {":g": {"S": "p1"}, **({":low": {"S": low}} if low else {})}
                    query = {
                        "TableName": "windows",
                        "KeyConditionExpression": expression,
                        "ExpressionAttributeValues": {**values, **({":high": {"S": high}} if high else {})},
                        "ScanIndexForward": forward,
                        **({"Limit": limit} if limit else {}),
                    }
                    page = client.query(**query)
                    pages.append((page["Items"], page.get("LastEvaluatedKey"), page["Count"]))
                    while "LastEvaluatedKey" in page:
                        page = client.query(**query, ExclusiveStartKey=page["LastEvaluatedKey"])
                        pages.append((page["Items"], page.get("LastEvaluatedKey"), page["Count"]))
        for forward in (True, False):  # a numeric range key; a filter and a projection after the limit
            page = client.query(
                TableName="windows",
                IndexName="byNumber",
                KeyConditionExpression="g = :g AND n BETWEEN :low AND :high",
                FilterExpression="attribute_exists(#at)",
                ProjectionExpression="pk, sk, n",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":g": {"S": "G"}, ":low": {"N": "2"}, ":high": {"N": "5.0"}},
                ScanIndexForward=forward,
                Limit=4,
            )
            pages.append((page["Items"], page.get("LastEvaluatedKey"), page["Count"], page["ScannedCount"]))
        pages.append(
            client.query(
                TableName="windows",
                IndexName="byTime",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "G"}},
                Select="COUNT",
                Limit=5,
            )["Count"]
        )
        return pages

    answers = [read_all()]
    for n in (1, 2, 3):
        client.delete_item(TableName="windows", Key={"pk": {"S": f"p{n % 4}"}, "sk": {"S": f"s{n:02d}"}})
    put(4, group="H")  # moved out
    put(10, group="G")  # moved in
    put(6, at="T#9")  # re-keyed within the partition
    client.update_item(
        TableName="windows",
        Key={"pk": {"S": "p3"}, "sk": {"S": "s07"}},
        UpdateExpression="SET #at = :at",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":at": {"S": "T#0"}},
    )
    client.update_item(  # out of the index: no range key
        TableName="windows",
        Key={"pk": {"S": "p0"}, "sk": {"S": "s08"}},
        UpdateExpression="REMOVE #at",
        ExpressionAttributeNames={"#at": "at"},
    )
    put(2)  # back after a delete
    put(40)
    put(41)  # a new item in the table partition read
    answers.append(read_all())
    return answers


def sqs_receives() -> list[list[str]]:
    """What two receives hand out: a fresh message, then one past the queue's retention period."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    received = []
    for age_ms in (0, 61_000):
        sqs.send_message(QueueUrl=url, MessageBody=f"aged {age_ms}")
        for message in sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue("q")._messages:
            message.sent_timestamp -= age_ms
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        received.append(sorted(message["Body"] for message in answer.get("Messages", [])))
    return received


def sqs_sends() -> list[Any]:
    """Sends into queues holding messages (visible, in flight, delayed): a standard queue, a FIFO
    queue deduplicating by content (a repeat is dropped) and one that is not (a send without a
    deduplication id fails); then the queues' counts as asked for, and what a receive hands out."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    answers: list[Any] = []
    for name, attributes, extra in (
        ("plain", {}, {}),
        ("deduped.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"}, {"MessageGroupId": "g"}),
        ("strict.fifo", {"FifoQueue": "true"}, {"MessageGroupId": "g", "MessageDeduplicationId": "d"}),
    ):
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        for body in ("a", "b", "a"):
            sqs.send_message(QueueUrl=url, MessageBody=body, **extra)
        if not name.endswith("fifo"):
            sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
        entries = [{"Id": str(n), "MessageBody": body, **extra} for n, body in enumerate(("c", "a"))]
        sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        answers.append(sorted(entry["Id"] for entry in sent.get("Successful", [])))
        answers.append(sent.get("Failed", []))
        if name == "strict.fifo":
            with pytest.raises(ClientError) as error:
                sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
            answers.append(error.value.response["Error"])
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        answers.append({key: value for key, value in counts.items() if key.startswith("Approximate")})
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        answers.append(sorted(message["Body"] for message in received.get("Messages", [])))
    return answers


def compare() -> None:
    """Every operation by moto alone, then with the shortcuts: the same answers, and no data
    operation through moto's shape walks. Runs in a fresh interpreter (see the test)."""
    by_moto = run_operations()
    workarounds.emulator_shortcuts()
    walked: Counter[str] = Counter()
    serialize, parse = ResponseSerializer.serialize, RequestParser.parse

    def serializing(self: ResponseSerializer, result: Any) -> Any:
        walked[self.operation_model.name] += 1
        return serialize(self, result)

    def parsing(self: RequestParser, request: Any) -> Any:
        walked[self.operation_model.name] += 1
        return parse(self, request)

    ResponseSerializer.serialize = serializing  # type: ignore[method-assign]
    RequestParser.parse = parsing  # type: ignore[method-assign,assignment]
    windows: Counter[bool] = Counter()
    index_window = workarounds._query_window

    def counted(table: Any, arguments: dict[str, Any]) -> Any:
        window = index_window(table, arguments)
        windows[window is not None] += 1
        return window

    workarounds._query_window = counted  # type: ignore[assignment]
    signed: Counter[bool] = Counter()
    process = BotocoreStubber.process_request

    def processing(self: BotocoreStubber, request: Any) -> Any:
        signed["Authorization" in request.headers] += 1
        return process(self, request)

    BotocoreStubber.process_request = processing  # type: ignore[method-assign]
    fast = run_operations(answers_as_json=True)

    assert fast == by_moto, [(moto, ours) for moto, ours in zip(by_moto, fast, strict=True) if moto != ours]
    assert not set(walked) & workarounds.DATA_OPERATIONS, walked  # every data operation took the fast paths
    assert "CreateTable" in walked  # (the control plane still walks)
    assert windows[True] > 300, windows  # the Queries read kept orders
    assert not signed[True], signed  # every request unsigned, and the same answers from the same account
    assert signed[False] > 300, signed


def test_boto3_sees_the_same_answers_either_way() -> None:
    """In a fresh interpreter: the tests' own local cloud has moto (and these shortcuts) running
    in this process already, and its emulator's state would be shared."""
    run_fresh("tests.unit.test_emulator_fast_path", AWS_DEFAULT_REGION="us-east-1")


if __name__ == "__main__":
    compare()
