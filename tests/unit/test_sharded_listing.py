"""Merging a listing spread over shards: every item once, newest first, page by page — also when
a filter leaves a shard's answer short (DynamoDB applies ``Limit`` before the filter)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from grounded_core.pagination import PageRequest
from grounded_core.store import listing

SHARDS = [f"L#{n}" for n in range(4)]


class Shards:
    """Index partitions answering queries as DynamoDB does: newest first between two sort keys,
    ``Limit`` items evaluated, then the filter (here: a predicate on ``keep``)."""

    def __init__(self, items: dict[str, list[dict[str, Any]]]) -> None:
        self.items = items

    def query(
        self, pk: str, *, index: str, sk_between: tuple[str, str], limit: int, start_key: Any, where: Any, **_: Any
    ):  # type: ignore[no-untyped-def]
        low, high = sk_between
        ordered = sorted(
            (i for i in self.items[pk] if low <= i["GSI2SK"] <= high), key=lambda i: i["GSI2SK"], reverse=True
        )
        if start_key:
            ordered = [i for i in ordered if i["GSI2SK"] < start_key["GSI2SK"]]
        evaluated = ordered[:limit]
        last = None
        if len(ordered) > limit:
            last = {name: evaluated[-1][name] for name in ("PK", "SK", "GSI2PK", "GSI2SK")}
        kept = [i for i in evaluated if where is None or i["keep"]]
        return kept, last


def spread(count: int, seed: int) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    shards: dict[str, list[dict[str, Any]]] = {pk: [] for pk in SHARDS}
    every = []
    for n in range(count):
        pk = rng.choice(SHARDS)
        item = {
            "PK": f"T#{n}",
            "SK": "TRACE",
            "GSI2PK": pk,
            "GSI2SK": f"2026-12-01T{n:05d}#t{n}",
            "keep": rng.random() < 0.3,
        }
        shards[pk].append(item)
        every.append(item)
    return shards, every


def read_all(monkeypatch: pytest.MonkeyPatch, shards: Shards, limit: int, filtered: bool) -> list[list[str]]:
    monkeypatch.setattr(listing.table, "query", shards.query)
    monkeypatch.setattr("grounded_core.adapters.cursor_secret", lambda: "test-secret")
    pages, cursor = [], None
    while True:
        items, cursor = listing.newest_across(
            SHARDS,
            "GSI2",
            "",
            None,
            None,
            PageRequest(limit=limit, cursor=cursor),
            where=object() if filtered else None,
        )
        pages.append([item["PK"] for item in items])
        if cursor is None:
            return pages
        assert len(pages) < 1_000


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit", [1, 3, 10])
@pytest.mark.parametrize("filtered", [False, True])
def test_pages_hold_every_item_once_newest_first(
    monkeypatch: pytest.MonkeyPatch, seed: int, limit: int, filtered: bool
) -> None:
    items, every = spread(40, seed)
    pages = read_all(monkeypatch, Shards(items), limit, filtered)
    wanted = [i["PK"] for i in sorted(every, key=lambda i: i["GSI2SK"], reverse=True) if i["keep"] or not filtered]
    assert [pk for page in pages for pk in page] == wanted
    assert all(len(page) <= limit for page in pages)
    if not filtered:
        assert all(len(page) == limit for page in pages[:-1])  # unfiltered pages are full


def test_an_empty_listing_is_one_empty_page(monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_all(monkeypatch, Shards({pk: [] for pk in SHARDS}), 5, False) == [[]]


@pytest.mark.parametrize("limit", [20, 50])
def test_a_page_reads_about_its_own_worth_of_items(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Each shard is read for its share of the page first, then where the merge is incomplete —
    not a whole page from every shard (which read four pages' worth for one)."""
    items, _ = spread(1_000, seed=7)
    shards, evaluated = Shards(items), []

    def query(pk: str, **options: Any) -> Any:
        kept, last = shards.query(pk, **options)
        evaluated.append(options["limit"] if last else len(kept))
        return kept, last

    monkeypatch.setattr(listing.table, "query", query)
    monkeypatch.setattr("grounded_core.adapters.cursor_secret", lambda: "test-secret")
    cursor = None
    for _ in range(5):
        page, cursor = listing.newest_across(SHARDS, "GSI2", "", None, None, PageRequest(limit=limit, cursor=cursor))
        assert len(page) == limit
    assert sum(evaluated) <= 5 * 2 * limit, evaluated


@pytest.mark.parametrize("limit", [20, 50])
def test_a_page_seldom_needs_a_second_query_of_a_shard(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Four shards and the (empty) partition of items written before sharding, as the sessions
    list reads them: each shard's first answer mostly fills the page — ~4.5 Queries a page,
    where an even share of the page took ~5.7 — for ~10 % more items read."""
    monkeypatch.setattr("grounded_core.adapters.cursor_secret", lambda: "test-secret")
    listings = ["L", *SHARDS]
    queries, read = [], []
    for seed in range(20):
        items, _ = spread(2_000, seed)
        shards = Shards({"L": [], **items})
        counted = [0, 0]

        def query(pk: str, **options: Any) -> Any:
            kept, last = shards.query(pk, **options)  # noqa: B023 (called within this iteration)
            counted[0] += 1  # noqa: B023
            counted[1] += options["limit"] if last else len(kept)  # noqa: B023
            return kept, last

        monkeypatch.setattr(listing.table, "query", query)
        cursor = None
        for _ in range(5):
            counted[:] = [0, 0]
            asked = PageRequest(limit=limit, cursor=cursor)
            page, cursor = listing.newest_across(listings, "GSI2", "", None, None, asked)
            assert len(page) == limit
            queries.append(counted[0])
            read.append(counted[1])
    assert sum(queries) / len(queries) <= 5.0, queries
    assert sum(read) / len(read) <= 2 * limit, read  # still about a page's own worth
