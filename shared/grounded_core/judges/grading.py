"""The judge that grades eval cases' ``judge`` assertions for one org: its verdict becomes the
assertion's outcome, score, reasoning, model, tokens and cost."""

from __future__ import annotations

from functools import cache
from typing import Any

from grounded_core.evals.assertions import Checked, Judge
from grounded_core.evals.grading import Judging
from grounded_core.evals.models import Case
from grounded_core.judges.judge import JudgeError, JudgeRequest, ask
from grounded_core.pricing.cost import usd
from grounded_core.pricing.overrides import prices_for
from grounded_core.pricing.table import Price


def judging_for(org_id: str) -> Judging:
    """A judge for the org's cases (its prices read once, when first needed)."""

    @cache
    def prices() -> dict[str, Price]:
        return prices_for(org_id)

    def judged(assertion: Judge, case: Case, output: Any) -> Checked:
        request = JudgeRequest(assertion.rubric, case.input, output, case.expected, assertion.model, assertion.provider)
        try:
            verdict = ask(org_id, request, prices)
        except JudgeError as error:
            return Checked(type="judge", outcome="error", reason=error.message)
        return Checked(
            type="judge",
            outcome="pass" if verdict.score >= assertion.threshold else "fail",
            reason=verdict.reasoning,
            score=verdict.score,
            model=verdict.model,
            usage=verdict.usage.model_dump(by_alias=True) if verdict.usage else None,
            cost_usd=usd(verdict.cost_nanos),
        )

    return judged
