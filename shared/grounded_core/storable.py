"""What the store can hold, checked at the door: every value a client sends is refused (422, naming
the field) unless DynamoDB can keep it exactly as sent, so nothing accepted fails later in a worker.

DynamoDB numbers have at most 38 significant digits and a magnitude between 1e-130 and 9.99…e125
(or are 0); JSON has no NaN or Infinity (Python's parser turns ``1e400`` into ``inf``). Nested data
may be at most :data:`MAX_DEPTH` levels deep, which is both the documented API limit and DynamoDB's.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

#: JSON nested deeper than this (inputs, outputs, metadata, attributes, properties…) is refused.
MAX_DEPTH = 32
MAX_DIGITS = 38
#: Magnitudes DynamoDB stores: below 1e126, and at least 1e-130 (zero aside).
LARGEST = Decimal("1e126")
SMALLEST = Decimal("1e-130")
RULE = "numbers must be finite, within ±9.9e125 (and not closer to 0 than 1e-130) with at most 38 significant digits"


class Unstorable(ValueError):
    """A value the store cannot hold; the message names where in the value it is."""


def depth(value: Any) -> int:
    """How deeply JSON data nests (a scalar is 0), without recursion; stops counting past the limit."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list | tuple):
            if level + 1 > MAX_DEPTH:
                return level + 1
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def number_is_storable(value: int | float | Decimal) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value)) if isinstance(value, float) else value
    if not exact.is_finite():
        return False
    if exact.is_zero():
        return True
    magnitude = abs(exact)
    if magnitude >= LARGEST or magnitude < SMALLEST:
        return False
    digits = "".join(map(str, exact.as_tuple().digits)).rstrip("0")  # no context: normalize() rounds
    return len(digits) <= MAX_DIGITS


def _where(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".") or "the value"


def check_storable(value: Any) -> None:
    """Raise :class:`Unstorable` if ``value`` holds a number the store cannot keep or nests too
    deeply. Models (already checked by their own validation) are not walked again."""
    from pydantic import BaseModel

    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, bool) or item is None or isinstance(item, str | BaseModel):
            continue
        if isinstance(item, int | float | Decimal):
            if not number_is_storable(item):
                raise Unstorable(f"{_where(path)} holds a number that cannot be stored ({RULE})")
        elif isinstance(item, dict | list | tuple):
            if len(path) >= MAX_DEPTH:
                raise Unstorable(f"nests deeper than {MAX_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((child, (*path, key)) for key, child in children)
