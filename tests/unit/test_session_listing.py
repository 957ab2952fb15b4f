"""A session is listed by an entry of its own (``SK=LISTED``): which write marks it ``errored``, and
how a listing's page is read back as sessions."""

from __future__ import annotations

from typing import Any

import pytest

from grounded_core.sessions import store
from grounded_core.sessions.models import Session
from grounded_core.store.conditions import Update

PK = "ORG#o#SESSION#ses_1"


def test_a_session_and_its_listing_entry_are_two_items_and_only_the_entry_is_indexed() -> None:
    session = Session(id="ses_1", org_id="o", agent_id="agt_1", started_at="2026-12-03T10:00:00.000Z", user_id="u")
    item, entry = session.to_item(), session.listing().to_item()
    assert (item["PK"], item["SK"], entry["PK"], entry["SK"]) == (PK, "SESSION", PK, "LISTED")
    assert not any(name.startswith("GSI") for name in item)  # a counter update writes no index entry
    assert entry["GSI1SK"] == "S#2026-12-03T10:00:00.000Z#ses_1"
    assert entry["GSI2SK"] == "2026-12-03T10:00:00.000Z#ses_1"
    assert (entry["userId"], entry["errored"]) == ("u", False)


@pytest.mark.parametrize(
    ("state", "counters", "marks"),
    [
        ({"id": "ses_1"}, {"errors": 1}, True),
        ({"id": "ses_1", "errors": 0, "errorEvents": 0}, {"errorEvents": 2}, True),
        ({"id": "ses_1"}, {"errors": 0, "traces": 1}, False),  # no error counted
        ({"id": "ses_1", "errors": 2}, {"errors": 1}, False),  # marked by the write that counted the first
        ({"id": "ses_1", "errorEvents": 1}, {"errors": 1}, False),
        ({"id": "ses_1", "GSI1PK": "ORG#o#AGENT#a#SESSIONS"}, {"errors": 1}, False),  # listed itself
        (None, {"errors": 1}, False),  # gone: its counter update fails the transaction anyway
    ],
)
def test_the_write_that_counts_a_sessions_first_error_marks_its_entry(
    state: dict[str, Any] | None, counters: dict[str, int], marks: bool
) -> None:
    writes = store.first_error("o", "ses_1", state, counters)
    if not marks:
        assert writes == []
        return
    [mark] = writes
    assert isinstance(mark, Update)
    assert (mark.pk, mark.sk, mark.set, mark.label) == (PK, "LISTED", {"errored": True}, "session")
    assert mark.when is not None  # never creates an entry for a session erased meanwhile


def test_a_listing_page_is_read_back_as_its_sessions_in_its_order(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[list[tuple[str, str]], tuple[str, ...]]] = []
    stored = {
        ("ORG#o#SESSION#a", "SESSION"): {"PK": "ORG#o#SESSION#a", "SK": "SESSION", "id": "a", "traces": 3},
        ("ORG#o#SESSION#c", "SESSION"): {"PK": "ORG#o#SESSION#c", "SK": "SESSION", "id": "c", "traces": 1},
    }

    def batch_get(keys: list[tuple[str, str]], fields: tuple[str, ...] = ()) -> dict[tuple[str, str], Any]:
        asked.append((list(keys), fields))
        return {key: stored[key] for key in keys if key in stored}

    monkeypatch.setattr(store.table, "batch_get", batch_get)
    legacy = {"PK": "ORG#o#SESSION#b", "SK": "SESSION", "id": "b", "traces": 7}
    page = [
        {"PK": "ORG#o#SESSION#a", "SK": "LISTED", "id": "a"},
        legacy,  # written before entries: listed itself, as it is
        {"PK": "ORG#o#SESSION#gone", "SK": "LISTED", "id": "gone"},  # its session expired, the entry not yet
        {"PK": "ORG#o#SESSION#c", "SK": "LISTED", "id": "c"},
    ]
    sessions = store.listed_sessions("o", page, fields=("id", "traces"))
    assert [(s["id"], s["traces"]) for s in sessions] == [("a", 3), ("b", 7), ("c", 1)]
    assert asked == [
        (
            [("ORG#o#SESSION#a", "SESSION"), ("ORG#o#SESSION#gone", "SESSION"), ("ORG#o#SESSION#c", "SESSION")],
            ("id", "traces"),
        )
    ]  # one BatchGetItem for the page
    assert store.listed_sessions("o", [legacy]) == [legacy]
    assert len(asked) == 1  # nothing to read back


def test_errors_are_judged_on_the_sessions_counters() -> None:
    assert store.counts_an_error({"errors": 1})
    assert store.counts_an_error({"errorEvents": 2, "errors": 0})
    assert not store.counts_an_error({"errors": 0, "errored": True})  # an entry's mark alone is not an error
