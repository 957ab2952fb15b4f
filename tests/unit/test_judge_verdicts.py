"""Reading a judge's verdict: a JSON object, perhaps fenced or wrapped in words; anything else is
a clear error, never a guessed score."""

from __future__ import annotations

import pytest

from grounded_core.judges.verdict import MAX_SHOWN, VerdictError, messages, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"score": 0.8, "reasoning": "Close."}', (0.8, "Close.")),
        ('```json\n{"score": 1, "reasoning": "Exact."}\n```', (1.0, "Exact.")),
        ('Here you go: {"score": 0, "reasoning": "Wrong city."} Thanks.', (0.0, "Wrong city.")),
        ('{"score": 0.5}', (0.5, "")),
    ],
)
def test_a_verdict_is_read(text: str, expected: tuple[float, str]) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "answered nothing"),
        ("Looks good to me.", "not JSON"),
        ("[0.9]", "not a JSON object"),
        ('{"score": 7, "reasoning": "out of ten"}', "from 0 to 1"),
        ('{"score": true}', "from 0 to 1"),
        ('{"score": "high"}', "from 0 to 1"),
    ],
)
def test_what_is_not_a_verdict_says_why(text: str, why: str) -> None:
    with pytest.raises(VerdictError, match=why):
        parse(text)


def test_the_judge_sees_rubric_input_output_and_expected_cut_to_size() -> None:
    asked = messages("Be polite.", {"q": "hi"}, "x" * (MAX_SHOWN + 10), expected="Hello!")
    assert asked[0]["role"] == "system"
    assert "fail" not in asked[0]["content"]  # the fake OpenAI refuses chats that say it
    user = asked[1]["content"]
    assert user.startswith('RUBRIC:\nBe polite.\n\nINPUT:\n{"q": "hi"}\n\nOUTPUT:\n')
    assert "[…cut]" in user
    assert user.endswith("EXPECTED OUTPUT:\nHello!")
