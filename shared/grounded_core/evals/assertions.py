"""Assertions: what a case checks about an answer. Pure.

Each assertion is validated when the case is created (a bad regex, JSON schema or JSON path is a
422 then, never a surprise at run time) and evaluated to ``pass``, ``fail`` or ``error``. ``error``
means the assertion could not be evaluated — the target failed, or its answer is not something the
assertion can read (not JSON for ``json_schema``, not a number for ``numeric_close``, no latency
for ``max_latency_ms``) — and always carries the reason; it is never counted as a fail or a 0.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from grounded_core.judges import PROVIDER_NAME
from grounded_core.model import ApiModel

Outcome = Literal["pass", "fail", "error"]
_PATH_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


_JUDGE_FIELDS = frozenset({"score", "model", "usage", "cost_usd", "costUsd"})


class Checked(ApiModel):
    """One assertion's outcome; a judge's also has its score (0..1), the model that judged, and
    the tokens and cost of asking it (``reason`` is its reasoning)."""

    type: str
    outcome: Outcome
    reason: str | None = None
    score: float | None = None
    model: str | None = None
    usage: dict[str, int] | None = None
    cost_usd: float | None = None

    @model_serializer(mode="wrap")  # unannotated: the schema stays the model's own
    def _judges_only(self, serialize: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """The judge's fields are shown for a judge's outcome only."""
        shown: dict[str, Any] = serialize(self)
        return {key: value for key, value in shown.items() if value is not None or key not in _JUDGE_FIELDS}


class _Assertion(ApiModel):
    def check(self, output: Any, latency_ms: float | None) -> Checked:
        raise NotImplementedError

    def _result(self, passed: bool, why_not: str) -> Checked:
        return Checked(type=self.type, outcome="pass" if passed else "fail", reason=None if passed else why_not)  # type: ignore[attr-defined]

    def _error(self, reason: str) -> Checked:
        return Checked(type=self.type, outcome="error", reason=reason)  # type: ignore[attr-defined]


def as_text(output: Any) -> str:
    return output if isinstance(output, str) else json.dumps(output, sort_keys=True)


def as_json(output: Any) -> Any:
    """The output as JSON data; a string is parsed (``ValueError`` when it is not JSON)."""
    return json.loads(output) if isinstance(output, str) else output


class Equals(_Assertion):
    type: Literal["equals"]
    value: Any
    ignore_case: bool = False

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        if isinstance(self.value, str) and isinstance(output, str):
            same = output.casefold() == self.value.casefold() if self.ignore_case else output == self.value
            return self._result(same, "the output differs from the expected text")
        return self._result(output == self.value, "the output differs from the expected value")


class Contains(_Assertion):
    type: Literal["contains"]
    value: str = Field(min_length=1, max_length=10_000)
    ignore_case: bool = True

    def found(self, output: Any) -> bool:
        text = as_text(output)
        return self.value.casefold() in text.casefold() if self.ignore_case else self.value in text

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        return self._result(self.found(output), f"the output does not contain {self.value!r}")


class NotContains(Contains):
    type: Literal["not_contains"]  # type: ignore[assignment]

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        return self._result(not self.found(output), f"the output contains {self.value!r}")


class Regex(_Assertion):
    type: Literal["regex"]
    pattern: str = Field(min_length=1, max_length=2_000)
    ignore_case: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from None
        return value

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        flags = re.IGNORECASE if self.ignore_case else 0
        matched = re.search(self.pattern, as_text(output), flags) is not None
        return self._result(matched, f"the output does not match /{self.pattern}/")


class _JsonAssertion(_Assertion):
    """An assertion about JSON: an output that is not JSON is an ``error``, never a fail."""

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        try:
            data = as_json(output)
        except ValueError:
            return self._error("the output is not JSON")
        return self.check_json(data)

    def check_json(self, data: Any) -> Checked:
        raise NotImplementedError


class JsonSchema(_JsonAssertion):
    type: Literal["json_schema"]
    schema_: dict[str, Any] = Field(alias="schema")

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as error:
            raise ValueError(f"not a valid JSON schema: {error.message}") from None
        return value

    def check_json(self, data: Any) -> Checked:
        from jsonschema import Draft202012Validator

        problems = sorted(Draft202012Validator(self.schema_).iter_errors(data), key=lambda e: list(e.path))
        return self._result(not problems, problems[0].message[:300] if problems else "")


def parse_path(path: str) -> list[str | int]:
    """``$.a.b[0]['c d']`` -> ``["a", "b", 0, "c d"]``; ``ValueError`` for anything else."""
    if not path.startswith("$"):
        raise ValueError("a JSON path starts with $")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _PATH_STEP.match(path, position)
        if match is None:
            raise ValueError(f"unexpected {path[position:]!r} in the JSON path")
        name, index, quoted, double = match.groups()
        steps.append(int(index) if index is not None else (name or quoted or double or ""))
        position = match.end()
    return steps


class JsonPathEquals(_JsonAssertion):
    type: Literal["json_path_equals"]
    path: str = Field(min_length=1, max_length=500)
    value: Any

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        parse_path(value)
        return value

    def check_json(self, data: Any) -> Checked:
        for step in parse_path(self.path):
            found = (isinstance(data, list) and isinstance(step, int) and step < len(data)) or (
                isinstance(data, dict) and step in data
            )
            if not found:
                return self._error(f"the output has nothing at {self.path}")
            data = data[step]
        return self._result(data == self.value, f"{self.path} is {json.dumps(data)[:200]}")


class NumericClose(_Assertion):
    type: Literal["numeric_close"]
    value: float
    tolerance: float = Field(0.0, ge=0)

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        try:
            number = float(output.strip() if isinstance(output, str) else output)
        except (TypeError, ValueError):
            return self._error("the output is not a number")
        if not math.isfinite(number):
            return self._error("the output is not a finite number")
        return self._result(
            abs(number - self.value) <= self.tolerance, f"{number:g} is not within {self.tolerance:g} of {self.value:g}"
        )


class MaxLatencyMs(_Assertion):
    type: Literal["max_latency_ms"]
    value: float = Field(gt=0)

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        if latency_ms is None:
            return self._error("no latency was measured or reported")
        return self._result(latency_ms <= self.value, f"took {latency_ms:g} ms, over {self.value:g} ms")


class Judge(_Assertion):
    """An LLM judge grades the output against ``rubric``: it passes when the judge's score (0..1)
    reaches ``threshold``. The judge is the org's model provider ``provider`` (``PUT
    /api/providers/{name}``), with ``model`` or the provider's default model."""

    type: Literal["judge"]
    rubric: str = Field(min_length=1, max_length=4_000)
    threshold: float = Field(0.7, ge=0, le=1)
    model: str | None = Field(None, min_length=1, max_length=200)
    provider: str = Field("default", pattern=PROVIDER_NAME)

    def check(self, output: Any, latency_ms: float | None) -> Checked:
        return self._error("an LLM judge grades this assertion, and none was asked")


Assertion = Annotated[
    Equals | Contains | NotContains | Regex | JsonSchema | JsonPathEquals | NumericClose | MaxLatencyMs | Judge,
    Field(discriminator="type"),
]


def verdict(checked: list[Checked]) -> Outcome:
    """A case errors if any assertion could not be evaluated, fails if any failed, else passes."""
    outcomes = {item.outcome for item in checked}
    return "error" if "error" in outcomes else "fail" if "fail" in outcomes else "pass"
