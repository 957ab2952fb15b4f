"""Newest-first listings over a time-sorted index: the shape every ``?from&to`` list route has."""

from __future__ import annotations

from typing import Any, TypeVar

from grounded_core.clock import iso, parse_iso
from grounded_core.errors import Invalid
from grounded_core.model import StoredModel
from grounded_core.pagination import Page, PageRequest, decode_cursor, encode_cursor
from grounded_core.store import table
from grounded_core.store.conditions import Cond

S = TypeVar("S", bound=StoredModel)


def query_page(model: type[S], page: PageRequest, pk: str, sk_prefix: str | None = None, **options: Any) -> Page[S]:
    """One page of ``model`` items of a partition (or of an index's): what every list route answers."""
    bound_to = _list_of(pk, options.get("index"), sk_prefix)
    start = decode_cursor(page.cursor, bound_to)
    items, last = table.query(pk, sk_prefix, limit=page.limit, start_key=start, **options)
    return Page(items=model.load_all(items), nextCursor=encode_cursor(last, bound_to))


def _list_of(pk: str, index: str | None, prefix: str | None) -> str:
    """What a cursor is bound to: the partition (which names the org) and the part of it listed."""
    return f"{index or 'table'}|{pk}|{prefix or ''}"


def time_bound(value: str | None, field: str) -> str | None:
    """A ``from``/``to`` query value as ISO-8601 UTC, or a 422 naming the field."""
    if value is None:
        return None
    try:
        return iso(parse_iso(value))
    except ValueError:
        raise Invalid(
            f"{field} is not an ISO-8601 timestamp.", details=[{"field": field, "message": "not a timestamp"}]
        ) from None


def newest_between(
    pk: str,
    index: str | None,
    prefix: str,
    since: str | None,
    until: str | None,
    page: PageRequest,
    where: Cond | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page, newest first, of a partition whose sort keys are ``prefix`` + a timestamp."""
    low = prefix + (time_bound(since, "from") or "0")
    high = prefix + (time_bound(until, "to") or "~")
    bound_to = _list_of(pk, index, prefix)
    items, last = table.query(
        pk,
        index=index,
        sk_between=(low, high),
        newest_first=True,
        limit=page.limit,
        start_key=decode_cursor(page.cursor, bound_to),
        where=where,
    )
    return items, encode_cursor(last, bound_to)
