"""The daily rollup counters a score adds (pure). Numbers and yes/no answers (1 and 0) are summed
and counted, so a day's average is ``sum / count``; categories are counted by value. A replaced
score adds the difference, so each score is counted once whatever happens to it. Sums are kept
in millionths, as integers: additions and the differences of replacements never drift."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from grounded_core.scores.models import ScoreValue

PREFIX = "score#"


def sum_of(name: str) -> str:
    return f"{PREFIX}{name}#sum"


def count_of(name: str) -> str:
    return f"{PREFIX}{name}#n"


def category_of(name: str, value: str) -> str:
    return f"{PREFIX}{name}#cat#{value}"


#: sums are kept in millionths of a unit
SCALE = 1_000_000


def micros(value: ScoreValue) -> int:
    """A number (or yes/no as 1/0) in millionths, rounded half to even."""
    assert not isinstance(value, str)
    exact = Decimal(int(value)) if isinstance(value, bool) else Decimal(repr(value))
    return int((exact * SCALE).to_integral_value())


def counted(name: str, value: ScoreValue) -> dict[str, int]:
    """What one score adds to its day."""
    if isinstance(value, str):
        return {category_of(name, value): 1}
    return {sum_of(name): micros(value), count_of(name): 1}


def changed(name: str, old: ScoreValue, new: ScoreValue) -> dict[str, int]:
    """What replacing ``old`` by ``new`` adds (zero changes left out)."""
    delta = dict(counted(name, new))
    for counter, amount in counted(name, old).items():
        delta[counter] = delta.get(counter, 0) - amount
    return {counter: amount for counter, amount in delta.items() if amount}


class DayScores:
    """One rollup day's scores, read back from its counters."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.categories: dict[str, dict[str, int]] = {}
        for attribute, amount in item.items():
            if not attribute.startswith(PREFIX):
                continue
            name, _, rest = attribute.removeprefix(PREFIX).partition("#")
            if rest == "sum":
                self.sums[name] = int(amount) / SCALE
            elif rest == "n":
                self.counts[name] = int(amount)
            elif rest.startswith("cat#") and int(amount):
                self.categories.setdefault(name, {})[rest.removeprefix("cat#")] = int(amount)

    def names(self) -> set[str]:
        return set(self.counts) | set(self.categories)
