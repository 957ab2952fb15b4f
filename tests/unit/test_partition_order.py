"""local/partition_order.py on its own: a partition whose range keys cannot be ordered together
(a string and a number) gives up its order — every Query is then left to moto — instead of failing."""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item

from local.partition_order import PartitionOrder


def item(sort: dict[str, str]) -> Any:
    return Item(hash_key=DynamoType({"S": "P"}), range_key=DynamoType(sort), attrs={"pk": {"S": "P"}, "sk": sort})


def test_keys_of_two_types_give_up_the_order() -> None:
    stored = [item({"S": "a"}), item({"S": "b"})]
    partition = {each.range_key: each for each in stored}
    order = PartitionOrder({stored[0].hash_key: partition}, ["pk", "sk"], lambda _: True, stored)
    assert [found.attrs["sk"].value for found in order.window(None, 1, None, forward=True) or []] == ["a", "b"]

    number = item({"N": "5"})
    partition[number.range_key] = number
    order.note(number)
    assert order.window(None, 1, None, forward=True) is None  # moto reads the whole partition
