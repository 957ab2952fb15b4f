"""What a judge is asked, and reading its verdict back (pure). The judge is any OpenAI-compatible
chat model; it answers one JSON object ``{"score": 0..1, "reasoning": "…"}``."""

from __future__ import annotations

import json
import re
from typing import Any

SYSTEM = (
    "You grade an AI agent's answer against a rubric. Read the rubric, the input the agent was given, "
    "and its output (and the expected output when there is one). Reply with one JSON object and nothing "
    'else: {"score": <a number from 0 to 1, where 1 fully meets the rubric>, "reasoning": "<one or two '
    'sentences>"}.'
)
#: a judge's reasoning is kept up to this long
MAX_REASONING = 2_000
#: inputs and outputs shown to the judge are cut to this many characters
MAX_SHOWN = 20_000


class VerdictError(ValueError):
    """The judge's answer is not a verdict."""


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + " […cut]"


def messages(rubric: str, given: Any, output: Any, expected: Any = None) -> list[dict[str, str]]:
    parts = [f"RUBRIC:\n{rubric}", f"INPUT:\n{_shown(given)}", f"OUTPUT:\n{_shown(output)}"]
    if expected is not None:
        parts.append(f"EXPECTED OUTPUT:\n{_shown(expected)}")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def parse(text: str | None) -> tuple[float, str]:
    """``(score, reasoning)`` from the judge's answer: a JSON object, perhaps in a code fence or
    with words around it."""
    if not text:
        raise VerdictError("the judge answered nothing")
    found = re.search(r"\{.*\}", text, re.S)
    try:
        verdict = json.loads(found.group(0) if found else text)
    except ValueError:
        raise VerdictError("the judge's answer is not JSON") from None
    if not isinstance(verdict, dict):
        raise VerdictError("the judge's answer is not a JSON object")
    score = verdict.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise VerdictError("the judge's score is not a number from 0 to 1")
    reasoning = verdict.get("reasoning")
    return float(score), (str(reasoning) if reasoning is not None else "")[:MAX_REASONING]
