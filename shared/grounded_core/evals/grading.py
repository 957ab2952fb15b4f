"""Grading one answer against one case. Pure: an LLM judge, when a case has one, is handed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grounded_core.evals.assertions import Checked, Judge, verdict
from grounded_core.evals.models import Case, Result

#: asks an LLM judge about one output of a case
Judging = Callable[[Judge, Case, Any], Checked]


def grade(
    case: Case,
    run_id: str,
    output: Any,
    latency_ms: float | None,
    recorded_at: str,
    error: str | None = None,
    metadata: dict[str, Any] | None = None,
    judge: Judging | None = None,
) -> Result:
    """Every assertion's outcome and the case's verdict. With ``error`` (the target failed) no
    assertion can be evaluated: each is ``error`` with that reason."""
    if error is not None:
        checked = [Checked(type=a.type, outcome="error", reason=error) for a in case.assertions]
    else:
        checked = [
            judge(a, case, output) if isinstance(a, Judge) and judge else a.check(output, latency_ms)
            for a in case.assertions
        ]
    return Result(
        run_id=run_id,
        org_id=case.org_id,
        case_id=case.id,
        case_name=case.name,
        verdict=verdict(checked),
        assertions=checked,
        output=output,
        latency_ms=latency_ms,
        error=error,
        metadata=metadata or {},
        recorded_at=recorded_at,
    )
