"""Retention's pure parts: expiry arithmetic, what a re-stamp wants for each item, which stream
records carry an expired payload or session, and the local cloud's filter patterns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from grounded_core.lifecycle.expiry import TTL_SERVICE, listing_entries, payload_keys
from grounded_core.lifecycle.restamp import desired_expiry
from grounded_core.lifecycle.retention import KEEP_FOREVER, Retention, check_days, state_of
from local.expiry import matches

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = 86_400


def test_an_item_expires_days_after_its_own_time_never_later_than_days_after_now() -> None:
    week = Retention(7)
    assert week.expiry("2026-11-30T12:00:00Z", NOW) == int(NOW.timestamp()) - DAY + 7 * DAY
    assert week.expiry("2027-06-01T00:00:00Z", NOW) == int(NOW.timestamp()) + 7 * DAY  # future: capped
    assert week.expiry(None, NOW) == int(NOW.timestamp()) + 7 * DAY
    assert KEEP_FOREVER.expiry("2026-11-30T12:00:00Z", NOW) is None


def test_stamping_and_shortening() -> None:
    item = {"PK": "p", "SK": "s"}
    assert KEEP_FOREVER.stamp(item, "2026-11-30T12:00:00Z") is item
    stamped = Retention(1).stamp(item, datetime.now(UTC) - timedelta(hours=1))
    assert stamped["ttl"] == pytest.approx(datetime.now(UTC).timestamp() + DAY - 3600, abs=5)
    own = {**item, "ttl": 100}
    assert Retention(1).at_most(own, None)["ttl"] == 100  # already shorter
    assert KEEP_FOREVER.at_most(own, None) is own


@pytest.mark.parametrize("days", [1, 30, 3650, None])
def test_valid_settings(days: int | None) -> None:
    assert check_days(days) == days


@pytest.mark.parametrize("days", [0, -3, 3651])
def test_invalid_settings(days: int) -> None:
    with pytest.raises(ValueError, match="1 to 3650"):
        check_days(days)


def test_an_org_state_from_its_item() -> None:
    assert state_of(None).closed
    assert state_of({"retentionDays": 30}).retention == Retention(30)
    assert not state_of({"retentionDays": 30}).closed
    assert state_of({"deletingAt": "2026-12-01T00:00:00Z"}).closed


def test_a_restamp_leaves_received_spans_their_own_expiry_unless_retention_is_shorter() -> None:
    span = {"SK": "OSPAN#1", "ttl": int(NOW.timestamp()) + 7 * DAY}
    assert desired_expiry(span, "2026-12-01T12:00:00Z", KEEP_FOREVER) is False
    shortened = desired_expiry(span, "2026-12-01T12:00:00Z", Retention(1))
    assert isinstance(shortened, int)
    assert shortened <= int(NOW.timestamp()) + DAY
    assert desired_expiry({"SK": "TURN#x"}, "2026-12-01T12:00:00Z", KEEP_FOREVER) is None


def test_a_restamp_leaves_a_session_listing_entry_without_expiry() -> None:
    """It goes with its session (whose expiry moves as it is seen), never on a clock of its own."""
    for retention in (KEEP_FOREVER, Retention(1)):
        assert desired_expiry({"SK": "LISTED"}, "2026-12-01T12:00:00Z", retention) is False


def record(
    sk: str, payload: str | None, who: dict[str, str] | None = TTL_SERVICE, name: str = "REMOVE"
) -> dict[str, Any]:
    old = {"PK": {"S": "ORG#o#TRACE#t"}, "SK": {"S": sk}} | ({"payloadKey": {"S": payload}} if payload else {})
    return {"eventName": name, "userIdentity": who, "dynamodb": {"OldImage": old}}


def test_only_payloads_of_traces_that_ttl_removed() -> None:
    records = [
        record("TRACE", "orgs/o/traces/a.json"),
        record("TRACE", None),  # small trace: nothing in S3
        record("APPLIED", "orgs/o/traces/b.json"),
        record("TRACE", "orgs/o/traces/c.json", who=None),  # a user's delete, not TTL
        record("TRACE", "orgs/o/traces/d.json", name="MODIFY"),
    ]
    assert payload_keys(records) == ["orgs/o/traces/a.json"]


def test_the_listing_entries_of_sessions_that_ttl_removed() -> None:
    def session(pk: str, **options: Any) -> dict[str, Any]:
        removed = record("SESSION", None, **options)
        removed["dynamodb"]["OldImage"]["PK"] = {"S": pk}
        return removed

    records = [
        session("ORG#o#SESSION#a"),
        session("ORG#o#SESSION#b", who=None),  # erased by a user: its entry goes with its partition
        session("ORG#o#SESSION#c", name="MODIFY"),
        record("TRACE", "orgs/o/traces/a.json"),
        record("LISTED", None),
    ]
    assert listing_entries(records) == [("ORG#o#SESSION#a", "LISTED")]
    assert payload_keys(records) == ["orgs/o/traces/a.json"]


def test_the_expiry_function_is_sent_what_ttl_removes_of_traces_and_sessions() -> None:
    """Its mapping's filter, as the template declares it: a session's removal reaches it (its
    listing entry goes), a turn's or an entry's own does not."""
    from local.template import load_template

    function = load_template(ROOT / "template.yaml").document["Resources"]["ExpiryFunction"]
    [mapping] = function["Properties"]["Events"].values()
    [pattern] = [json.loads(entry["Pattern"]) for entry in mapping["Properties"]["FilterCriteria"]["Filters"]]
    for sk, sent in (("TRACE", True), ("SESSION", True), ("LISTED", False), ("TURN#1", False), ("APPLIED", False)):
        assert matches(pattern, record(sk, None)) is sent, sk
    assert not matches(pattern, record("SESSION", None, who=None))


def test_filter_patterns_match_as_lambda_filters_do() -> None:
    pattern = {"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"SK": {"S": ["TRACE"]}}}}
    assert matches(pattern, record("TRACE", None))
    assert not matches(pattern, record("TURN#1", None))
    assert not matches(pattern, record("TRACE", None, name="INSERT"))
    assert not matches({"missing": ["x"]}, record("TRACE", None))
    with pytest.raises(ValueError, match="not supported"):
        matches({"eventName": [{"prefix": "RE"}]}, record("TRACE", None))
