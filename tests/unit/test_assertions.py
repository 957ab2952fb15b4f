"""Assertions: creation-time validation and pass / fail / error outcomes (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from grounded_core.evals.assertions import Assertion, parse_path, verdict

ASSERTION: TypeAdapter[Any] = TypeAdapter(Assertion)


def outcome(spec: dict[str, Any], output: Any, latency_ms: float | None = None) -> tuple[str, str | None]:
    checked = ASSERTION.validate_python(spec).check(output, latency_ms)
    return checked.outcome, checked.reason


@pytest.mark.parametrize(
    ("spec", "output", "expected"),
    [
        ({"type": "equals", "value": "Paris"}, "Paris", "pass"),
        ({"type": "equals", "value": "Paris"}, "paris", "fail"),
        ({"type": "equals", "value": "Paris", "ignoreCase": True}, "paris", "pass"),
        ({"type": "equals", "value": {"a": [1, 2]}}, {"a": [1, 2]}, "pass"),
        ({"type": "contains", "value": "PARIS"}, "It is Paris.", "pass"),
        ({"type": "contains", "value": "Paris", "ignoreCase": False}, "paris", "fail"),
        ({"type": "contains", "value": "ok"}, {"status": "ok"}, "pass"),
        ({"type": "not_contains", "value": "4111"}, "card ending 4111", "fail"),
        ({"type": "not_contains", "value": "4111"}, "I cannot share that", "pass"),
        ({"type": "regex", "pattern": r"^\d{3}$"}, "123", "pass"),
        ({"type": "regex", "pattern": r"^\d{3}$"}, "1234", "fail"),
        ({"type": "json_schema", "schema": {"type": "object", "required": ["a"]}}, '{"a": 1}', "pass"),
        ({"type": "json_schema", "schema": {"type": "object", "required": ["a"]}}, {"b": 1}, "fail"),
        ({"type": "json_schema", "schema": {"type": "object"}}, "plain words", "error"),
        ({"type": "json_path_equals", "path": "$.items[1].id", "value": 7}, {"items": [{"id": 1}, {"id": 7}]}, "pass"),
        ({"type": "json_path_equals", "path": "$['a b']", "value": 1}, '{"a b": 2}', "fail"),
        ({"type": "json_path_equals", "path": "$.missing", "value": 1}, {"a": 1}, "error"),
        ({"type": "numeric_close", "value": 3.14, "tolerance": 0.01}, "3.141", "pass"),
        ({"type": "numeric_close", "value": 3.14, "tolerance": 0.01}, 3.2, "fail"),
        ({"type": "numeric_close", "value": 1}, "one", "error"),
        ({"type": "numeric_close", "value": 1}, "nan", "error"),
    ],
)
def test_outcomes(spec: dict[str, Any], output: Any, expected: str) -> None:
    assert outcome(spec, output)[0] == expected


def test_latency_needs_a_latency() -> None:
    spec = {"type": "max_latency_ms", "value": 500}
    assert outcome(spec, "x", 499.0) == ("pass", None)
    assert outcome(spec, "x", 501.0) == ("fail", "took 501 ms, over 500 ms")
    assert outcome(spec, "x", None) == ("error", "no latency was measured or reported")


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "regex", "pattern": "(oops"},
        {"type": "json_schema", "schema": {"type": 12}},
        {"type": "json_path_equals", "path": "items[0]", "value": 1},
        {"type": "json_path_equals", "path": "$.a..b", "value": 1},
        {"type": "numeric_close", "value": 1, "tolerance": -1},
        {"type": "contains", "value": ""},
        {"type": "vibes"},
    ],
)
def test_bad_assertions_are_refused_when_created(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ASSERTION.validate_python(spec)


def test_paths_and_verdicts() -> None:
    assert parse_path("$.a[0]['b c'].d") == ["a", 0, "b c", "d"]
    checks = [ASSERTION.validate_python({"type": "contains", "value": "a"}).check(text, None) for text in ("a", "b")]
    assert verdict(checks) == "fail"
    assert verdict(checks[:1]) == "pass"
    errored = ASSERTION.validate_python({"type": "numeric_close", "value": 1}).check("x", None)
    assert verdict([*checks, errored]) == "error"
