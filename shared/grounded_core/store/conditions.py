"""What must hold, as data: services say it ("the item is absent", "its version is 3", "its status
is one of …", "errors > 0"); only the store turns it into a DynamoDB expression. Write operations
are data too (:class:`Put`, :class:`Update`, :class:`Delete`, :class:`Check`), each with a label
that a failed condition reports back (:class:`ConditionFailed`) — no message matching, no
positional lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Item = dict[str, Any]
Op = Literal["eq", "ne", "gt", "lt", "le", "in", "exists", "absent", "and", "or", "not"]


@dataclass(frozen=True)
class Cond:
    op: Op
    field: str = ""
    value: Any = None
    parts: tuple[Cond, ...] = ()

    def __and__(self, other: Cond) -> Cond:
        return Cond("and", parts=(self, other))

    def __or__(self, other: Cond) -> Cond:
        return Cond("or", parts=(self, other))

    def __invert__(self) -> Cond:
        return Cond("not", parts=(self,))


def eq(name: str, value: Any) -> Cond:
    return Cond("eq", name, value)


def gt(name: str, value: Any) -> Cond:
    return Cond("gt", name, value)


def lt(name: str, value: Any) -> Cond:
    return Cond("lt", name, value)


def at_most(name: str, value: Any) -> Cond:
    return Cond("le", name, value)


def one_of(name: str, values: Iterable[Any]) -> Cond:
    return Cond("in", name, tuple(values))


def exists(name: str = "PK") -> Cond:
    """The item (or one of its attributes) is there."""
    return Cond("exists", name)


def absent(name: str = "PK") -> Cond:
    """The item (or one of its attributes) is not there: put-if-absent."""
    return Cond("absent", name)


def version_is(version: int) -> Cond:
    """Optimistic locking: the item is still the version that was read (items written before
    versions existed count as version 0)."""
    return eq("version", version) if version else absent("version") | eq("version", 0)


def all_of(conditions: Iterable[Cond | None]) -> Cond | None:
    """The AND of the conditions given (``None`` for none)."""
    combined: Cond | None = None
    for condition in conditions:
        if condition is not None:
            combined = condition if combined is None else combined & condition
    return combined


def matching(**fields: Any) -> Cond | None:
    """Each field equal to its value; fields whose value is ``None`` are not filtered on."""
    return all_of(eq(name, value) for name, value in fields.items() if value is not None)


# ---------------------------------------------------------------- write operations


@dataclass(frozen=True)
class Put:
    item: Item
    when: Cond | None = None
    label: str = "put"


@dataclass(frozen=True)
class Update:
    """Field changes on one item: ``set`` values, ``set_if_absent`` (kept when already set), ``add``
    (numbers added atomically, or elements to a set), ``remove`` attributes."""

    pk: str
    sk: str
    set: Mapping[str, Any] = field(default_factory=dict)
    set_if_absent: Mapping[str, Any] = field(default_factory=dict)
    add: Mapping[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    when: Cond | None = None
    label: str = "update"


@dataclass(frozen=True)
class Delete:
    pk: str
    sk: str
    when: Cond | None = None
    label: str = "delete"


@dataclass(frozen=True)
class Check:
    pk: str
    sk: str
    when: Cond
    label: str = "check"


Write = Put | Update | Delete | Check


class ConditionFailed(Exception):
    """A write's condition did not hold. ``label`` names the operation (in a transaction, the first
    one that failed); ``item`` is the item as it was, where DynamoDB returns it."""

    def __init__(self, label: str, item: Item | None = None):
        super().__init__(f"the condition of '{label}' did not hold")
        self.label = label
        self.item = item


# ---------------------------------------------------------------- rendering (the store's own use)


class Expression:
    """Placeholders for one request: ``#n0`` for names, ``:v0`` for values."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        for placeholder, known in self.names.items():
            if known == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def condition(self, cond: Cond) -> str:
        if cond.op in ("and", "or"):
            return "(" + f" {cond.op.upper()} ".join(self.condition(part) for part in cond.parts) + ")"
        if cond.op == "not":
            return f"(NOT {self.condition(cond.parts[0])})"
        if cond.op == "exists":
            return f"attribute_exists({self.name(cond.field)})"
        if cond.op == "absent":
            return f"attribute_not_exists({self.name(cond.field)})"
        if cond.op == "in":
            return f"{self.name(cond.field)} IN ({', '.join(self.value(v) for v in cond.value)})"
        operator = {"eq": "=", "ne": "<>", "gt": ">", "lt": "<", "le": "<="}[cond.op]
        return f"{self.name(cond.field)} {operator} {self.value(cond.value)}"

    def update(self, change: Update) -> str:
        sets = [f"{self.name(k)} = {self.value(v)}" for k, v in change.set.items()]
        sets += [
            f"{self.name(k)} = if_not_exists({self.name(k)}, {self.value(v)})" for k, v in change.set_if_absent.items()
        ]
        clauses = [f"SET {', '.join(sets)}"] if sets else []
        if change.add:
            clauses.append("ADD " + ", ".join(f"{self.name(k)} {self.value(v)}" for k, v in change.add.items()))
        if change.remove:
            clauses.append("REMOVE " + ", ".join(self.name(k) for k in change.remove))
        return " ".join(clauses)

    def arguments(self) -> dict[str, Any]:
        """``ExpressionAttributeNames`` / ``Values`` for the request, when there are any."""
        arguments: dict[str, Any] = {}
        if self.names:
            arguments["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            arguments["ExpressionAttributeValues"] = dict(self.values)
        return arguments
